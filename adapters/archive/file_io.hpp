// adapters/archive/file_io.hpp
#pragma once

// The POSIX file steps every archive file shares: writing all of a buffer,
// syncing, and what a failed call means. A full disk (ENOSPC, EDQUOT, or
// EFBIG from the file size limit) is errc::out_of_space, anything else
// errc::io_failure; messages name the file.

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace citytwin::archive {

/// The error for a failed `what` (e.g. "write") on `file` with `err`.
caf::error file_error(int err, const std::filesystem::path& file,
                      std::string_view what);

/// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
caf::error write_all(int fd, const std::filesystem::path& file,
                     std::string_view bytes);

/// fsyncs `folder` so that a name just created or renamed in it survives
/// a crash; best effort (some file systems refuse to sync a folder).
void sync_folder(const std::filesystem::path& folder);

/// Writes `bytes` as `path` whole: to `path` + ".tmp", fsynced, renamed
/// over `path`, folder synced. The temporary file is removed on failure.
caf::error replace_file(const std::filesystem::path& path,
                        std::string_view bytes);

/// A file that appears whole or not at all, written piece by piece
/// (exports of any size): bytes go to `path` + ".tmp" through a buffer;
/// `commit` fsyncs it, renames it to `path` and syncs the folder. Gone
/// uncommitted (an error, an exception), it removes the temporary file.
class staged_file {
public:
  /// Creates (truncating) `path` + ".tmp".
  static caf::expected<staged_file> create(const std::filesystem::path& path);

  staged_file(staged_file&& other) noexcept;
  staged_file& operator=(staged_file&&) = delete;
  staged_file(const staged_file&) = delete;
  staged_file& operator=(const staged_file&) = delete;
  ~staged_file();

  /// Appends `bytes`; written out whenever the buffer fills.
  caf::error append(std::string_view bytes);

  /// Writes the rest, fsyncs, renames into place.
  caf::error commit();

  /// Bytes appended so far.
  uint64_t size() const {
    return size_;
  }

private:
  staged_file() = default;
  caf::error flush();

  std::filesystem::path path_;
  std::filesystem::path tmp_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t size_ = 0;
};

} // namespace citytwin::archive
