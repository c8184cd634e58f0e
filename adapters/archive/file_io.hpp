// adapters/archive/file_io.hpp
#pragma once

// The POSIX file steps every archive file shares: writing all of a buffer,
// syncing, and what a failed call means. A full disk (ENOSPC, EDQUOT, or
// EFBIG from the file size limit) is errc::out_of_space, anything else
// errc::io_failure; messages name the file.

#include <caf/error.hpp>

#include <filesystem>
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

} // namespace citytwin::archive
