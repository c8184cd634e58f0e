// bench/restart_bench.hpp: issue 13's restart goal, a city's twin booted
// again with every entity's newest value restored from the archive.
#pragma once

#include <cstddef>
#include <string>

namespace citytwin::bench {

struct restart_result {
  std::string skipped;
  size_t entities = 0;
  size_t restored = 0;     ///< newest values sent to the twin
  double boot_s = 0;       ///< spawning the entity actors
  double open_s = 0;       ///< opening the archive (segments, journal)
  double read_s = 0;       ///< latest.bin + journal tail into readings
  double apply_s = 0;      ///< until the twin applied them all
  bool finished = false;

  double total_s() const {
    return boot_s + open_s + read_s + apply_s;
  }
};

/// Archives one value for every entity of an `entities`-entity city in
/// `folder` (a segment, latest.bin and a journal tail of 1% of them, as a
/// server killed between two segments leaves it), then measures what a
/// restart does: boot the twin, open the archive, read the newest values,
/// and have every entity apply its own.
restart_result measure_restart(size_t entities, const std::string& folder,
                               double time_limit_s);

struct move_result {
  std::string skipped;
  size_t streams = 0;
  uint64_t samples = 0;
  uint64_t snapshot_bytes = 0;
  double snapshot_s = 0;
  double restore_s = 0;
  double reopen_s = 0; ///< the restored archive opened and its newest values read
};

/// A week of history of `c` (one stream per entity, one sample a minute,
/// written as daily segments plus latest.bin) snapshotted into one file
/// and restored into another archive folder, both timed, then opened.
move_result measure_move(const std::string& city_file,
                         const std::string& folder);

} // namespace citytwin::bench
