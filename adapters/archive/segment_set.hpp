// adapters/archive/segment_set.hpp
#pragma once

#include "adapters/archive/segment_file.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace citytwin::archive {

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
  static caf::expected<std::shared_ptr<segment_set>>
  open(const std::filesystem::path& folder);

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
  std::filesystem::path folder_;
  mutable std::mutex mtx_;
  // by file name, i.e. by time
  std::map<std::string, std::shared_ptr<const segment_reader>> segments_;
  uint64_t sequence_ = 0;
};

} // namespace citytwin::archive
