// adapters/archive/segment_file.hpp
#pragma once

#include "adapters/archive/sample.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace citytwin::archive {

/// What a segment file says about itself (root attributes, README.md).
struct segment_info {
  std::string tenant;
  /// Earliest and latest sample time in the file (ms since the epoch, UTC).
  twin::time_ms first = 0;
  twin::time_ms last = 0;
  /// Every journal record with a sequence number <= this is in this file
  /// or an older one (journal.hpp); 0 for none.
  uint64_t journal_through = 0;
};

/// One stream's entry in a segment's index.
struct segment_stream {
  stream_name name;
  std::string unit;
  uint64_t offset = 0; ///< first row in the sample columns
  uint64_t count = 0;
  twin::time_ms first = 0;
  twin::time_ms last = 0;
};

/// Writes `blocks` (any order; each block sorted by time) as one HDF5
/// segment file at `path`: written to `path` + ".tmp", flushed to disk,
/// then renamed, so `path` either does not exist or is complete. The
/// layout is documented in README.md and readable with h5py alone.
/// errc::io_failure (or errc::out_of_space when the disk is full) naming
/// the file; the ".tmp" file is removed on failure.
caf::error write_segment(const std::filesystem::path& path,
                         const segment_info& info,
                         std::span<const stream_block> blocks);

/// An open, immutable segment file. Any number may be open at once, on
/// any thread (Debian's libhdf5 is built thread-safe; calls serialise on
/// its global lock, which is why reads copy out whole hyperslabs at once).
class segment_reader {
public:
  /// Opens and checks `path` (format name and version, index consistent
  /// with the columns). errc::corrupt_file naming the file when it is
  /// truncated, damaged or not a citytwin segment; errc::io_failure when
  /// it cannot be read at all.
  static caf::expected<std::shared_ptr<const segment_reader>>
  open(const std::filesystem::path& path);

  ~segment_reader();
  segment_reader(const segment_reader&) = delete;
  segment_reader& operator=(const segment_reader&) = delete;

  const std::filesystem::path& path() const {
    return path_;
  }

  const segment_info& info() const {
    return info_;
  }

  /// Sorted by name.
  const std::vector<segment_stream>& streams() const {
    return streams_;
  }

  /// nullptr when the file has no such stream.
  const segment_stream* find(const stream_name& name) const;

  /// The stream's samples with `from <= time < to`, in time order, appended
  /// to `out`; nothing when the file lacks the stream.
  caf::error read(const stream_name& name, twin::time_ms from,
                  twin::time_ms to, std::vector<sample>& out) const;

  /// The last `n` samples with time < `to`, appended in time order.
  caf::error read_last(const stream_name& name, size_t n, twin::time_ms to,
                       std::vector<sample>& out) const;

  struct handle; // the HDF5 ids, kept open while the reader lives

private:
  segment_reader() = default;
  std::filesystem::path path_;
  segment_info info_;
  std::vector<segment_stream> streams_;
  std::unique_ptr<handle> h5_;
};

/// Merges segments into one at `output` (atomic like `write_segment`);
/// used to compact a day's segments into one file. A stream's samples that
/// share a time keep the one from the later input.
caf::error merge_segments(std::span<const std::filesystem::path> inputs,
                          const std::filesystem::path& output,
                          const segment_info& info);

} // namespace citytwin::archive
