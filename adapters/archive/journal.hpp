// adapters/archive/journal.hpp
#pragma once

#include "twin/reading.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace citytwin::archive {

/// How hard `journal::append` works before it returns.
enum class journal_sync {
  /// The record is in the kernel when `append` returns: it survives the
  /// server being killed (SIGKILL, a crash), not the machine losing power.
  process,
  /// `fdatasync` after every record: survives power loss, at the price of
  /// one disk flush per acknowledged message.
  disk,
};

/// What the journal counts, for /metrics.
struct journal_stats {
  uint64_t records = 0;        ///< appended since start
  uint64_t readings = 0;       ///< in those records
  uint64_t bytes = 0;          ///< appended since start
  uint64_t refused = 0;        ///< appends that failed (disk full, I/O)
  uint64_t torn_tail_bytes = 0; ///< cut off an unfinished last record at open
};

/// The write-ahead log of every reading the twin accepts, in the order it
/// accepted them. A reading is acknowledged (MQTT PUBACK, HTTP 2xx) only
/// after `append` returned its sequence number, so an acknowledged reading
/// is on disk even if the server is killed the next instant; the archive
/// writer (archive_writer.hpp) reads the journal behind the twin and turns
/// it into HDF5 segments, and a restarted server resumes from where the
/// newest segment says it stopped. Files are `<folder>/<first seq>.wal`,
/// each a run of records (layout in README.md); a file is deleted once
/// every record in it is in a segment (`release_through`).
///
/// Thread-safe: ingest threads, the feed and HTTP handlers append
/// concurrently; records get consecutive sequence numbers.
class journal {
public:
  struct options {
    journal_sync sync = journal_sync::process;
    /// A new file starts when the current one exceeds this.
    uint64_t max_file_bytes = 64ull << 20;
    /// The first sequence number when the folder holds no journal yet
    /// (the archive's segments may already cover lower ones).
    uint64_t first_sequence = 1;
  };

  /// Opens (creating) `folder`. The newest file's unfinished last record,
  /// if any, is cut off (it was never acknowledged: `append` had not
  /// returned); a damaged record anywhere else is errc::corrupt_file
  /// naming the file.
  static caf::expected<std::shared_ptr<journal>>
  open(const std::filesystem::path& folder, options opts);
  static caf::expected<std::shared_ptr<journal>>
  open(const std::filesystem::path& folder) {
    return open(folder, options{});
  }

  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Appends `readings` as one record; its sequence number once it is
  /// written (and synced, with journal_sync::disk). errc::out_of_space or
  /// errc::io_failure otherwise, in which case nothing of the record stays
  /// in the file and the caller must not acknowledge the readings.
  caf::expected<uint64_t> append(const twin::reading_batch& readings);

  /// The sequence number of the newest record (0: none ever).
  uint64_t last_sequence() const;

  /// Deletes the files whose records all have sequence numbers <= `seq`
  /// (they are in the archive). The file being written is kept.
  void release_through(uint64_t seq);

  const std::filesystem::path& folder() const {
    return folder_;
  }

  journal_stats stats() const;

private:
  journal() = default;
  caf::error start_file_locked(uint64_t first_seq);

  std::filesystem::path folder_;
  options opts_;
  mutable std::mutex mtx_;
  int fd_ = -1;            // the file being written
  uint64_t file_bytes_ = 0;
  uint64_t next_seq_ = 1;
  std::vector<uint64_t> file_starts_; // first seq of each file, ascending
  std::string scratch_;
  journal_stats stats_;
};

/// One record read back from a journal.
struct journal_record {
  uint64_t sequence = 0;
  twin::reading_batch readings;
};

/// Reads a journal's records in order, from just after a given sequence
/// number, while the journal is still being written: a record that is
/// not complete yet is left for the next `read`. Used by one thread.
class journal_reader {
public:
  /// Positions after `after_seq` (records <= it are skipped).
  journal_reader(std::filesystem::path folder, uint64_t after_seq);
  ~journal_reader();
  journal_reader(const journal_reader&) = delete;
  journal_reader& operator=(const journal_reader&) = delete;

  /// Appends up to `max_readings` readings' worth of whole records (at
  /// least one record when any is complete). errc::corrupt_file naming the
  /// file when a complete record fails its checksum.
  caf::error read(std::vector<journal_record>& out, size_t max_readings);

  /// The sequence number of the last record read (or skipped).
  uint64_t position() const {
    return position_;
  }

private:
  caf::error open_next_file();
  std::filesystem::path folder_;
  uint64_t position_;
  int fd_ = -1;
  std::filesystem::path file_;
  uint64_t offset_ = 0;
  std::string buffer_;
};

} // namespace citytwin::archive
