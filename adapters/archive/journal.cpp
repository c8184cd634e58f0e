// adapters/archive/journal.cpp
#include "adapters/archive/journal.hpp"

#include "adapters/archive/file_io.hpp"
#include "twin/error.hpp"

#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace citytwin::archive {

namespace {

// Record layout (README.md, "Journal"): a 20-byte header, then the
// payload. All integers little-endian, as the machines we run on are.
constexpr uint32_t record_magic = 0x314A5443; // "CTJ1"
constexpr size_t header_size = 20;
constexpr size_t reading_size = 25; // packed id 8, quantity 1, time 8, value 8
// A record is one MQTT message's or one request's readings; bounded so a
// damaged length field cannot make a reader allocate gigabytes.
constexpr uint32_t max_payload = 64u << 20;

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <class T>
T get(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

uint32_t checksum(const char* seq_and_payload_begin, size_t seq_bytes,
                  const char* payload, size_t payload_bytes) {
  auto crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(seq_and_payload_begin),
              static_cast<uInt>(seq_bytes));
  crc = crc32(crc, reinterpret_cast<const Bytef*>(payload),
              static_cast<uInt>(payload_bytes));
  return static_cast<uint32_t>(crc);
}

std::string file_name(uint64_t first_seq) {
  auto digits = std::to_string(first_seq);
  return std::string(20 - std::min<size_t>(20, digits.size()), '0') + digits
         + ".wal";
}

// The journal files in `folder`, by first sequence number.
std::vector<std::pair<uint64_t, std::filesystem::path>>
list_files(const std::filesystem::path& folder) {
  std::vector<std::pair<uint64_t, std::filesystem::path>> files;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator{folder, ec};
       !ec && it != std::filesystem::directory_iterator{}; it.increment(ec)) {
    const auto& p = it->path();
    if (p.extension() != ".wal")
      continue;
    auto stem = p.stem().string();
    if (stem.empty()
        || !std::all_of(stem.begin(), stem.end(),
                        [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    files.emplace_back(std::stoull(stem), p);
  }
  std::sort(files.begin(), files.end());
  return files;
}

caf::error corrupt(const std::filesystem::path& file, uint64_t offset,
                   const std::string& why) {
  return caf::make_error(
    twin::errc::corrupt_file,
    "journal " + file.string() + " is damaged at byte "
      + std::to_string(offset) + " (" + why
      + "); citytwin will not overwrite it: move the archive folder away "
        "to start a fresh one");
}

// What a parse of bytes at the start of `data` found.
enum class parse_result { record, incomplete, damaged };

parse_result parse_record(const char* data, size_t size, uint64_t& seq,
                          size_t& record_bytes, std::string& why,
                          twin::reading_batch* readings) {
  if (size < header_size)
    return parse_result::incomplete;
  if (get<uint32_t>(data) != record_magic) {
    why = "no record header";
    return parse_result::damaged;
  }
  auto length = get<uint32_t>(data + 4);
  if (length > max_payload || length < 4) {
    why = "record length " + std::to_string(length) + " out of bounds";
    return parse_result::damaged;
  }
  if (size < header_size + length)
    return parse_result::incomplete;
  seq = get<uint64_t>(data + 8);
  auto crc = get<uint32_t>(data + 16);
  const char* payload = data + header_size;
  if (checksum(data + 8, 8, payload, length) != crc) {
    why = "checksum mismatch";
    return parse_result::damaged;
  }
  auto count = get<uint32_t>(payload);
  if (4 + static_cast<uint64_t>(count) * reading_size != length) {
    why = "reading count does not match the record length";
    return parse_result::damaged;
  }
  if (readings != nullptr) {
    readings->reserve(readings->size() + count);
    const char* at = payload + 4;
    for (uint32_t i = 0; i < count; ++i, at += reading_size) {
      twin::reading r;
      r.target = twin::unpack(get<uint64_t>(at));
      r.what = static_cast<twin::quantity>(get<uint8_t>(at + 8));
      r.time = get<int64_t>(at + 9);
      r.value = get<double>(at + 17);
      readings->push_back(r);
    }
  }
  record_bytes = header_size + length;
  return parse_result::record;
}

// Reads a whole file; errors are I/O errors.
caf::expected<std::string> slurp(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return file_error(errno, file, "open");
  std::string data;
  char buf[1 << 16];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      auto err = errno;
      ::close(fd);
      return file_error(err, file, "read");
    }
    if (n == 0)
      break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

// Appends all of `bytes`, or restores the file's size: a half-written
// record would read as damage.
caf::error append_whole(int fd, const std::filesystem::path& file,
                        uint64_t file_size, const std::string& bytes) {
  auto err = write_all(fd, file, bytes);
  if (err && ::ftruncate(fd, static_cast<off_t>(file_size)) == 0)
    ::lseek(fd, static_cast<off_t>(file_size), SEEK_SET);
  return err;
}

} // namespace

caf::expected<std::shared_ptr<journal>>
journal::open(const std::filesystem::path& folder, options opts) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec)
    return caf::make_error(twin::errc::io_failure,
                           "journal folder " + folder.string() + ": "
                             + ec.message());
  std::shared_ptr<journal> result{new journal};
  result->folder_ = folder;
  result->opts_ = opts;
  auto files = list_files(folder);
  for (auto& [first, path] : files)
    result->file_starts_.push_back(first);
  if (files.empty()) {
    std::lock_guard guard{result->mtx_};
    if (auto err = result->start_file_locked(opts.first_sequence))
      return err;
    result->next_seq_ = opts.first_sequence;
    return result;
  }
  // Every file but the newest must be whole; the newest may end in a
  // record that was being written when the server died.
  uint64_t last_seq = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& path = files[i].second;
    auto data = slurp(path);
    if (!data)
      return data.error();
    size_t offset = 0;
    uint64_t previous = 0; // in this file: records are consecutive
    bool newest = i + 1 == files.size();
    while (offset < data->size()) {
      uint64_t seq = 0;
      size_t bytes = 0;
      std::string why;
      auto found = parse_record(data->data() + offset, data->size() - offset,
                                seq, bytes, why, nullptr);
      if (found == parse_result::record) {
        if (previous != 0 && seq != previous + 1)
          return corrupt(path, offset,
                         "sequence " + std::to_string(seq) + " after "
                           + std::to_string(previous));
        previous = seq;
        last_seq = seq;
        offset += bytes;
        continue;
      }
      if (!newest)
        return corrupt(path, offset,
                       found == parse_result::incomplete ? "cut short" : why);
      // The unfinished tail of the newest file: never acknowledged.
      result->stats_.torn_tail_bytes = data->size() - offset;
      if (::truncate(path.c_str(), static_cast<off_t>(offset)) != 0)
        return file_error(errno, path, "truncate");
      break;
    }
    if (newest) {
      int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd < 0)
        return file_error(errno, path, "open");
      result->fd_ = fd;
      result->file_bytes_ = offset;
    }
  }
  if (last_seq == 0)
    last_seq = files.back().first - 1;
  result->next_seq_ = last_seq + 1;
  if (opts.first_sequence > result->next_seq_) {
    // The segments are ahead of this journal (its files were removed by
    // hand): number on from them, in a file of its own.
    std::lock_guard guard{result->mtx_};
    result->next_seq_ = opts.first_sequence;
    if (auto err = result->start_file_locked(opts.first_sequence))
      return err;
  }
  return result;
}

journal::~journal() {
  if (fd_ >= 0)
    ::close(fd_);
}

caf::error journal::start_file_locked(uint64_t first_seq) {
  auto path = folder_ / file_name(first_seq);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                  0644);
  if (fd < 0)
    return file_error(errno, path, "create");
  // The new name must survive a crash too, or the records in it would
  // be unreachable.
  sync_folder(folder_);
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = fd;
  file_bytes_ = 0;
  if (file_starts_.empty() || file_starts_.back() != first_seq)
    file_starts_.push_back(first_seq);
  return {};
}

caf::expected<uint64_t>
journal::append(const twin::reading_batch& readings) {
  std::lock_guard guard{mtx_};
  if (file_bytes_ >= opts_.max_file_bytes)
    if (auto err = start_file_locked(next_seq_)) {
      ++stats_.refused;
      return err;
    }
  auto seq = next_seq_;
  auto payload_bytes = 4 + readings.size() * reading_size;
  if (payload_bytes > max_payload) {
    ++stats_.refused;
    return caf::make_error(twin::errc::invalid_config,
                           "journal record of " + std::to_string(readings.size())
                             + " readings is too large");
  }
  scratch_.clear();
  put(scratch_, record_magic);
  put(scratch_, static_cast<uint32_t>(payload_bytes));
  put(scratch_, seq);
  put(scratch_, uint32_t{0}); // checksum, below
  put(scratch_, static_cast<uint32_t>(readings.size()));
  for (const auto& r : readings) {
    put(scratch_, twin::pack(r.target));
    put(scratch_, static_cast<uint8_t>(r.what));
    put(scratch_, r.time);
    put(scratch_, r.value);
  }
  auto crc = checksum(scratch_.data() + 8, 8, scratch_.data() + header_size,
                      payload_bytes);
  std::memcpy(scratch_.data() + 16, &crc, 4);
  auto path = folder_ / file_name(file_starts_.back());
  if (auto err = append_whole(fd_, path, file_bytes_, scratch_)) {
    ++stats_.refused;
    return err;
  }
  if (opts_.sync == journal_sync::disk && ::fdatasync(fd_) != 0) {
    auto err = errno;
    ::ftruncate(fd_, static_cast<off_t>(file_bytes_));
    ++stats_.refused;
    return file_error(err, path, "fdatasync");
  }
  file_bytes_ += scratch_.size();
  ++next_seq_;
  ++stats_.records;
  stats_.readings += readings.size();
  stats_.bytes += scratch_.size();
  return seq;
}

uint64_t journal::last_sequence() const {
  std::lock_guard guard{mtx_};
  return next_seq_ - 1;
}

void journal::release_through(uint64_t seq) {
  std::lock_guard guard{mtx_};
  // File i holds [start_i, start_{i+1}); the last one is being written.
  while (file_starts_.size() > 1 && file_starts_[1] <= seq + 1) {
    std::error_code ec;
    std::filesystem::remove(folder_ / file_name(file_starts_.front()), ec);
    file_starts_.erase(file_starts_.begin());
  }
}

journal_stats journal::stats() const {
  std::lock_guard guard{mtx_};
  return stats_;
}

// -- journal_reader -----------------------------------------------------------

journal_reader::journal_reader(std::filesystem::path folder,
                               uint64_t after_seq)
  : folder_(std::move(folder)), position_(after_seq) {
}

journal_reader::~journal_reader() {
  if (fd_ >= 0)
    ::close(fd_);
}

caf::error journal_reader::open_next_file() {
  // The file holding position_ + 1: the last one starting at or before it.
  auto files = list_files(folder_);
  std::filesystem::path pick;
  for (auto& [first, path] : files)
    if (first <= position_ + 1)
      pick = path;
  if (pick.empty() && !files.empty())
    pick = files.front().second;
  if (pick.empty() || pick == file_)
    return {};
  int fd = ::open(pick.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return file_error(errno, pick, "open");
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = fd;
  file_ = pick;
  offset_ = 0;
  buffer_.clear();
  return {};
}

caf::error journal_reader::read(std::vector<journal_record>& out,
                                size_t max_readings) {
  if (fd_ < 0)
    if (auto err = open_next_file())
      return err;
  if (fd_ < 0)
    return {};
  size_t taken = 0;
  for (;;) {
    // Parse what is buffered.
    size_t at = 0;
    while (at < buffer_.size()) {
      uint64_t seq = 0;
      size_t bytes = 0;
      std::string why;
      twin::reading_batch readings;
      auto found = parse_record(buffer_.data() + at, buffer_.size() - at,
                                seq, bytes, why, &readings);
      if (found == parse_result::incomplete)
        break;
      if (found == parse_result::damaged)
        return corrupt(file_, offset_ + at, why);
      at += bytes;
      if (seq <= position_)
        continue;
      position_ = seq;
      taken += readings.size();
      out.push_back({seq, std::move(readings)});
      if (taken >= max_readings)
        break;
    }
    buffer_.erase(0, at);
    offset_ += at;
    if (taken >= max_readings)
      return {};
    // Read more of this file.
    char chunk[1 << 16];
    auto n = ::read(fd_, chunk, sizeof(chunk));
    if (n < 0)
      return file_error(errno, file_, "read");
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      continue;
    }
    // At the end of this file: a newer one means this one is finished.
    if (!buffer_.empty())
      return {}; // a record being written; the next read finishes it
    auto before = file_;
    if (auto err = open_next_file())
      return err;
    if (file_ == before)
      return {};
  }
}

} // namespace citytwin::archive
