// adapters/archive/segment_set.hpp
#pragma once

#include "adapters/archive/segment_file.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace citytwin::archive {

/// How `segment_set::open` treats its folder.
enum class open_mode {
  /// The owner's (the tenant's archive): creates the folder and removes
  /// what an interrupted write left behind.
  read_write,
  /// Another process's archive, e.g. a running server's read by `citytwin
  /// replay`: nothing on disk is created, removed or written.
  read_only,
};

/// A tenant's folder of segment files: `<root>/<tenant>/segments/*.h5`
/// (README.md). Knows which files exist, opens them once, and answers
/// reads across them. Readers never block the writer: published segments
/// are immutable, a new one appears by rename and is `add`ed here.
/// Thread-safe (a mutex over the list only, never held during HDF5 reads).
class segment_set {
public:
  /// Scans `folder` (created when missing). Leftover `*.tmp` files of a
  /// write that was interrupted are removed; every `*.h5` is opened and
  /// checked, and the first damaged one fails the whole scan with
  /// errc::corrupt_file naming it and saying how to start afresh (move the
  /// file away; the server never overwrites it).
  ///
  /// With open_mode::read_only a missing folder is errc::io_failure,
  /// `*.tmp` files are left alone (they may be a running server's writes
  /// in progress), a segment that the owner's compaction removed between
  /// listing and opening makes the scan start again (at most a few
  /// times), and `compact` refuses.
  static caf::expected<std::shared_ptr<segment_set>>
  open(const std::filesystem::path& folder,
       open_mode mode = open_mode::read_write);

  const std::filesystem::path& folder() const {
    return folder_;
  }

  /// A fresh file name in the folder for a segment starting at `first`
  /// (names sort by time: `YYYYmmddTHHMMSSZ-<n>.h5`).
  std::filesystem::path next_path(twin::time_ms first);

  /// Registers a segment that `write_segment` just published.
  caf::error add(const std::filesystem::path& path);

  /// The highest `journal_through` of any segment (0 when empty).
  uint64_t journal_through() const;

  /// Samples of `name` with `from <= time < to` from every segment, in
  /// time order; a time present in several segments keeps the newest
  /// segment's value.
  caf::expected<std::vector<sample>>
  read(const stream_name& name, twin::time_ms from, twin::time_ms to) const;

  /// The last `n` samples with time < `to`, in time order.
  caf::expected<std::vector<sample>>
  read_last(const stream_name& name, size_t n, twin::time_ms to) const;

  /// The earliest time at or after `from` inside some segment's span
  /// (its `first_ms`..`last_ms`), so that a reader walking an interval can
  /// jump over gaps; nullopt when every segment ends before `from`.
  std::optional<twin::time_ms> next_covered(twin::time_ms from) const;

  /// Every stream name any segment holds, sorted, each once.
  std::vector<stream_name> stream_names() const;

  /// Segments wholly inside [from, to) are merged into one file, which
  /// replaces them (merged file published first, then the old ones
  /// removed; a crash in between leaves duplicates, which reads resolve).
  /// Used to compact each finished UTC day into one file.
  caf::error compact(twin::time_ms from, twin::time_ms to);

  /// Bytes of every segment file.
  uint64_t bytes_on_disk() const;

  size_t size() const;

private:
  segment_set() = default;
  // One listing of the folder and the opening of its segments; sets
  // `vanished` (read-only) when a listed segment was gone before it opened.
  static caf::expected<std::shared_ptr<segment_set>>
  scan(const std::filesystem::path& folder, open_mode mode, bool& vanished);

  std::filesystem::path folder_;
  open_mode mode_ = open_mode::read_write;
  mutable std::mutex mtx_;
  // by file name, i.e. by time
  std::map<std::string, std::shared_ptr<const segment_reader>> segments_;
  uint64_t sequence_ = 0;
};

} // namespace citytwin::archive
