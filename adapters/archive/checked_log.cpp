// adapters/archive/checked_log.cpp
#include "adapters/archive/checked_log.hpp"

#include "adapters/archive/file_io.hpp"
#include "twin/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>

namespace citytwin::archive {

namespace {

// Files larger than this are not a checked log but damage.
constexpr uint64_t max_file_bytes = 4ull << 30;

uint32_t checksum(std::string_view text) {
  auto crc = crc32(0L, Z_NULL, 0);
  return static_cast<uint32_t>(
    crc32(crc, reinterpret_cast<const Bytef*>(text.data()),
          static_cast<uInt>(text.size())));
}

} // namespace

std::string checked_line(std::string_view text) {
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", checksum(text));
  std::string line;
  line.reserve(text.size() + 10);
  line.append(crc, 8).append(1, ' ').append(text).append(1, '\n');
  return line;
}

std::pair<size_t, std::string>
split_checked_lines(std::string_view text, checked_log::contents& out) {
  size_t line_no = 1; // the header
  size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      out.torn_bytes = text.size() - pos;
      break;
    }
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > checked_log::max_line_bytes)
      return {line_no, "a line longer than the limit"};
    if (line.size() < 9 || line[8] != ' ')
      return {line_no, "no checksum"};
    uint32_t expected = 0;
    for (size_t i = 0; i < 8; ++i) {
      char c = line[i];
      uint32_t digit = c >= '0' && c <= '9'   ? c - '0'
                       : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                              : 16;
      if (digit == 16)
        return {line_no, "no checksum"};
      expected = expected * 16 + digit;
    }
    auto body = line.substr(9);
    if (checksum(body) != expected)
      return {line_no, "checksum mismatch"};
    out.lines.emplace_back(body);
  }
  return {0, {}};
}

caf::error checked_log::damaged(const std::filesystem::path& file,
                                const options& opts, size_t line_no,
                                const std::string& why) {
  return caf::make_error(twin::errc::corrupt_file,
                         opts.what + " " + file.string()
                           + " is damaged at line " + std::to_string(line_no)
                           + " (" + why
                           + "); citytwin will not overwrite it: "
                           + opts.advice);
}

caf::error checked_log::damaged(size_t line_no, const std::string& why) const {
  return damaged(file_, opts_, line_no, why);
}

caf::expected<checked_log::contents>
checked_log::read(const std::filesystem::path& file, const options& opts) {
  contents result;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    return result;
  auto bytes = std::filesystem::file_size(file, ec);
  if (ec || bytes > max_file_bytes)
    return damaged(file, opts, 0, ec ? ec.message() : "larger than 4 GiB");
  std::ifstream in{file, std::ios::binary};
  std::string text(bytes, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(bytes)))
    return caf::make_error(twin::errc::io_failure,
                           "cannot read " + file.string());
  auto header = opts.header + "\n";
  if (!text.empty()) {
    if (text.compare(0, header.size(), header) != 0)
      return damaged(file, opts, 1, "no '" + opts.header + "' line");
    auto [line_no, why] = split_checked_lines(
      std::string_view{text}.substr(header.size()), result);
    if (line_no != 0)
      return damaged(file, opts, line_no, why);
  }
  return result;
}

caf::expected<std::pair<std::unique_ptr<checked_log>, checked_log::contents>>
checked_log::open(const std::filesystem::path& file, options opts) {
  std::unique_ptr<checked_log> log{new checked_log};
  log->file_ = file;
  log->opts_ = std::move(opts);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec)
    return caf::make_error(twin::errc::io_failure,
                           "cannot create " + file.parent_path().string()
                             + ": " + ec.message());
  auto read_back = read(file, log->opts_);
  if (!read_back)
    return read_back.error();
  auto result = std::move(*read_back);
  if (auto err = log->reopen())
    return err;
  if (result.torn_bytes > 0) {
    // Appends go after the last whole line, not after the torn one.
    log->size_ -= result.torn_bytes;
    if (::ftruncate(log->fd_, static_cast<off_t>(log->size_)) != 0)
      return file_error(errno, file, "truncate");
  }
  return std::make_pair(std::move(log), std::move(result));
}

caf::error checked_log::reopen() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return file_error(errno, file_, "open");
  struct stat st {};
  if (::fstat(fd_, &st) != 0)
    return file_error(errno, file_, "stat");
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ == 0) {
    auto header = opts_.header + "\n";
    if (auto err = write_all(fd_, file_, header))
      return err;
    size_ = header.size();
  }
  rewritten_size_ = size_;
  return {};
}

checked_log::~checked_log() {
  if (fd_ >= 0)
    ::close(fd_);
}

caf::error checked_log::append(std::string_view text) {
  auto line = checked_line(text);
  std::lock_guard guard{mtx_};
  auto err = write_all(fd_, file_, line);
  if (!err && opts_.sync == journal_sync::disk && ::fdatasync(fd_) != 0)
    err = file_error(errno, file_, "fdatasync");
  if (err) {
    // Nothing of a refused line may stay: the next one would follow a
    // torn line, which only the last line may be.
    ++refused_;
    [[maybe_unused]] auto cut = ::ftruncate(fd_, static_cast<off_t>(size_));
    return err;
  }
  size_ += line.size();
  return {};
}

caf::error checked_log::rewrite(const std::vector<std::string>& texts) {
  std::string whole = opts_.header + "\n";
  for (const auto& t : texts)
    whole += checked_line(t);
  std::lock_guard guard{mtx_};
  if (auto err = replace_file(file_, whole)) {
    ++refused_;
    return err;
  }
  return reopen();
}

bool checked_log::grown() const {
  constexpr uint64_t min_bytes = 16u << 20;
  std::lock_guard guard{mtx_};
  return size_ > std::max(min_bytes, 4 * rewritten_size_);
}

uint64_t checked_log::refused() const {
  std::lock_guard guard{mtx_};
  return refused_;
}

} // namespace citytwin::archive
