// adapters/archive/checked_log.hpp
#pragma once

// A small append-only text file of checksummed lines, for the state a
// restart must get back that is not readings: what the API wrote into a
// tenant's space (broker/space_log.hpp), the ids the unknown-id policy
// created (created_ids.hpp). After a header line, each line is
// `<crc32 of text, 8 hex digits> <text>\n`. One write(2) per line, so a
// line either is whole or is the torn last line of a server killed
// inside the write; that line was never acknowledged and is dropped.
// A bad line anywhere else is damage: errc::corrupt_file naming the file
// and line, and the file is left alone.

#include "adapters/archive/journal.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::archive {

class checked_log {
public:
  /// Longest line read back; longer is damage, not data.
  static constexpr size_t max_line_bytes = 64u << 20;

  struct options {
    /// The first line, e.g. `citytwin-space 1` (no newline).
    std::string header;
    /// The file's name in messages, e.g. "space log".
    std::string what;
    /// How to start afresh, for the damage message.
    std::string advice;
    journal_sync sync = journal_sync::process;
  };

  /// What the file held: the text of every whole line, oldest first.
  struct contents {
    std::vector<std::string> lines;
    size_t torn_bytes = 0; ///< of an unfinished last line, cut off
  };

  /// Opens (creating, with its folder) `file` and reads it back.
  static caf::expected<std::pair<std::unique_ptr<checked_log>, contents>>
  open(const std::filesystem::path& file, options opts);

  /// Reads `file` without changing anything (a missing file holds
  /// nothing): for exports and other readers beside a running server.
  static caf::expected<contents> read(const std::filesystem::path& file,
                                      const options& opts);

  ~checked_log();
  checked_log(const checked_log&) = delete;
  checked_log& operator=(const checked_log&) = delete;

  /// Appends one line (`text` holds no newline). On failure (disk full:
  /// errc::out_of_space) nothing of it stays in the file.
  caf::error append(std::string_view text);

  /// Replaces the whole file by these lines (temporary file, fsync,
  /// rename).
  caf::error rewrite(const std::vector<std::string>& texts);

  /// The error for damage found above this layer (a line whose checksum
  /// holds but whose text makes no sense).
  caf::error damaged(size_t line_no, const std::string& why) const;

  /// The same for a file read with `read`.
  static caf::error damaged(const std::filesystem::path& file,
                            const options& opts, size_t line_no,
                            const std::string& why);

  const std::filesystem::path& file() const {
    return file_;
  }

  /// Appends and rewrites refused (disk full, I/O errors).
  uint64_t refused() const;

  /// True once appends have made the file much larger than its last
  /// rewrite (4 times, and at least 16 MiB): time for the owner to
  /// `rewrite` it from what exists, so that a busy log does not grow
  /// without bound between restarts.
  bool grown() const;

private:
  checked_log() = default;
  caf::error reopen();

  std::filesystem::path file_;
  options opts_;
  mutable std::mutex mtx_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t rewritten_size_ = 0; // after the last rewrite (or open)
  uint64_t refused_ = 0;
};

/// One line of a checked log for `text`: checksum, space, text, newline.
std::string checked_line(std::string_view text);

/// Splits the lines after the header into `out`; the number of the first
/// damaged line and why, or 0.
std::pair<size_t, std::string>
split_checked_lines(std::string_view text, checked_log::contents& out);

} // namespace citytwin::archive
