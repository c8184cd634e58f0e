// adapters/archive/segment_set.cpp
#include "adapters/archive/segment_set.hpp"

#include "twin/error.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <tuple>

namespace citytwin::archive {

namespace {

namespace fs = std::filesystem;

using reader_ptr = std::shared_ptr<const segment_reader>;

constexpr std::string_view segment_extension = ".h5";
constexpr std::string_view tmp_extension = ".tmp";

/// Listings a read-only open tries while the owner's compaction removes
/// segments under it; each retry needs a compaction in between.
constexpr int max_scans = 5;

/// Digits of the sequence number in file names, so that names of the
/// same second sort in writing order.
constexpr int sequence_digits = 6;

/// The `<n>` of `YYYYmmddTHHMMSSZ-<n>.h5`; 0 for other names.
uint64_t sequence_of(const fs::path& path) {
  auto stem = path.stem().string();
  auto dash = stem.rfind('-');
  if (dash == std::string::npos)
    return 0;
  uint64_t result = 0;
  for (auto c : std::string_view{stem}.substr(dash + 1)) {
    if (c < '0' || c > '9')
      return 0;
    result = result * 10 + static_cast<uint64_t>(c - '0');
  }
  return result;
}

/// Oldest first: a later segment's sample wins a tie on time. Newer means
/// more of the journal in it, then written later.
void sort_by_age(std::vector<reader_ptr>& readers) {
  std::sort(readers.begin(), readers.end(),
            [](const reader_ptr& x, const reader_ptr& y) {
              return std::tuple{x->info().journal_through,
                                sequence_of(x->path()), x->path()}
                     < std::tuple{y->info().journal_through,
                                  sequence_of(y->path()), y->path()};
            });
}

/// Sorts by time, keeping the last of samples with equal times (the
/// input lists them oldest segment first).
void keep_newest(std::vector<sample>& xs) {
  std::stable_sort(xs.begin(), xs.end(), [](const sample& a, const sample& b) {
    return a.time < b.time;
  });
  auto w = xs.begin();
  for (auto i = xs.begin(); i != xs.end(); ++i) {
    if (w != xs.begin() && (w - 1)->time == i->time)
      *(w - 1) = *i;
    else
      *w++ = *i;
  }
  xs.erase(w, xs.end());
}

} // namespace

caf::expected<std::shared_ptr<segment_set>>
segment_set::open(const fs::path& folder, open_mode mode) {
  std::error_code ec;
  if (mode == open_mode::read_write) {
    fs::create_directories(folder, ec);
    if (ec)
      return caf::make_error(twin::errc::io_failure, "cannot create "
                                                         + folder.string()
                                                         + ": " + ec.message());
  } else if (!fs::is_directory(folder, ec)) {
    return caf::make_error(twin::errc::io_failure,
                           "no folder " + folder.string());
  }
  // A reader beside a running server may list a segment that the server's
  // compaction removes before it is opened; the merged file holding its
  // samples was published first, so a new listing finds them.
  for (int attempt = 1;; ++attempt) {
    bool vanished = false;
    auto result = scan(folder, mode, vanished);
    if (!vanished || attempt == max_scans)
      return result;
  }
}

caf::expected<std::shared_ptr<segment_set>>
segment_set::scan(const fs::path& folder, open_mode mode, bool& vanished) {
  std::error_code ec;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator{folder, ec}) {
    if (!entry.is_regular_file(ec))
      continue;
    auto ext = entry.path().extension().string();
    if (ext == tmp_extension && mode == open_mode::read_write) {
      // What an interrupted write_segment left: never published.
      fs::remove(entry.path(), ec);
      if (ec)
        return caf::make_error(twin::errc::io_failure,
                               "cannot remove " + entry.path().string() + ": "
                                   + ec.message());
    } else if (ext == segment_extension) {
      paths.push_back(entry.path());
    }
  }
  if (ec)
    return caf::make_error(twin::errc::io_failure, "cannot list "
                                                       + folder.string() + ": "
                                                       + ec.message());
  std::sort(paths.begin(), paths.end());
  std::shared_ptr<segment_set> result{new segment_set};
  result->folder_ = folder;
  result->mode_ = mode;
  for (const auto& path : paths) {
    auto reader = segment_reader::open(path);
    if (!reader) {
      vanished = mode == open_mode::read_only && !fs::exists(path, ec);
      return std::move(reader.error());
    }
    result->segments_.emplace(path.filename().string(), std::move(*reader));
    result->sequence_ = std::max(result->sequence_, sequence_of(path));
  }
  return result;
}

fs::path segment_set::next_path(twin::time_ms first) {
  auto seconds = static_cast<std::time_t>(first / 1000 - (first % 1000 < 0));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  std::lock_guard<std::mutex> guard{mtx_};
  for (;;) {
    char name[64];
    std::snprintf(name, sizeof(name), "%s-%0*llu.h5", stamp, sequence_digits,
                  static_cast<unsigned long long>(++sequence_));
    std::error_code ec;
    auto result = folder_ / name;
    if (segments_.count(name) == 0 && !fs::exists(result, ec))
      return result;
  }
}

caf::error segment_set::add(const fs::path& path) {
  auto reader = segment_reader::open(path);
  if (!reader)
    return std::move(reader.error());
  std::lock_guard<std::mutex> guard{mtx_};
  segments_[path.filename().string()] = std::move(*reader);
  sequence_ = std::max(sequence_, sequence_of(path));
  return caf::none;
}

uint64_t segment_set::journal_through() const {
  std::lock_guard<std::mutex> guard{mtx_};
  uint64_t result = 0;
  for (const auto& [name, r] : segments_)
    result = std::max(result, r->info().journal_through);
  return result;
}

namespace {

/// The segments holding `name` at some time in [from, to), oldest first.
std::vector<reader_ptr>
holders(const std::map<std::string, reader_ptr>& segments,
        const stream_name& name, twin::time_ms from, twin::time_ms to) {
  std::vector<reader_ptr> result;
  for (const auto& [file, r] : segments)
    if (const auto* s = r->find(name); s && s->first < to && s->last >= from)
      result.push_back(r);
  sort_by_age(result);
  return result;
}

} // namespace

caf::expected<std::vector<sample>> segment_set::read(const stream_name& name,
                                                     twin::time_ms from,
                                                     twin::time_ms to) const {
  std::vector<reader_ptr> readers;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    readers = holders(segments_, name, from, to);
  }
  std::vector<sample> result;
  for (const auto& r : readers)
    if (auto err = r->read(name, from, to, result))
      return err;
  if (readers.size() > 1)
    keep_newest(result);
  return result;
}

caf::expected<std::vector<sample>>
segment_set::read_last(const stream_name& name, size_t n,
                       twin::time_ms to) const {
  std::vector<reader_ptr> readers;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    readers = holders(segments_, name,
                      std::numeric_limits<twin::time_ms>::min(), to);
  }
  // Each of the last n distinct times is among the last n of every
  // segment that holds it, so the last n of each segment suffice.
  std::vector<sample> result;
  for (const auto& r : readers)
    if (auto err = r->read_last(name, n, to, result))
      return err;
  if (readers.size() > 1)
    keep_newest(result);
  if (result.size() > n)
    result.erase(result.begin(),
                 result.begin() + static_cast<ptrdiff_t>(result.size() - n));
  return result;
}

std::optional<twin::time_ms>
segment_set::next_covered(twin::time_ms from) const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::optional<twin::time_ms> result;
  for (const auto& [file, r] : segments_) {
    if (r->info().last < from)
      continue;
    auto t = std::max(from, r->info().first);
    if (!result || t < *result)
      result = t;
  }
  return result;
}

std::vector<stream_name> segment_set::stream_names() const {
  std::vector<stream_name> result;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& [file, r] : segments_)
      for (const auto& s : r->streams())
        result.push_back(s.name);
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

caf::error segment_set::compact(twin::time_ms from, twin::time_ms to) {
  if (mode_ == open_mode::read_only)
    return caf::make_error(twin::errc::invalid_config,
                           "segments of " + folder_.string()
                               + " are open read-only: not compacted");
  std::vector<reader_ptr> chosen;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& [file, r] : segments_)
      if (r->info().first >= from && r->info().last < to)
        chosen.push_back(r);
  }
  if (chosen.size() < 2)
    return caf::none;
  sort_by_age(chosen);
  std::vector<fs::path> inputs;
  segment_info info;
  info.tenant = chosen.back()->info().tenant;
  info.first = std::numeric_limits<twin::time_ms>::max();
  info.last = std::numeric_limits<twin::time_ms>::min();
  for (const auto& r : chosen) {
    inputs.push_back(r->path());
    info.first = std::min(info.first, r->info().first);
    info.last = std::max(info.last, r->info().last);
    info.journal_through
        = std::max(info.journal_through, r->info().journal_through);
  }
  auto output = next_path(info.first);
  if (auto err = merge_segments(inputs, output, info))
    return err;
  auto merged = segment_reader::open(output);
  if (!merged)
    return std::move(merged.error());
  {
    std::lock_guard<std::mutex> guard{mtx_};
    segments_[output.filename().string()] = std::move(*merged);
    for (const auto& path : inputs)
      segments_.erase(path.filename().string());
  }
  // Readers still holding an old segment keep reading it: removing an
  // open file on POSIX only drops its name.
  for (const auto& path : inputs) {
    std::error_code ec;
    fs::remove(path, ec);
    if (ec)
      return caf::make_error(twin::errc::io_failure,
                             "cannot remove compacted segment " + path.string()
                                 + ": " + ec.message());
  }
  return caf::none;
}

uint64_t segment_set::bytes_on_disk() const {
  std::lock_guard<std::mutex> guard{mtx_};
  uint64_t result = 0;
  for (const auto& [file, r] : segments_) {
    std::error_code ec;
    auto size = fs::file_size(r->path(), ec);
    if (!ec)
      result += size;
  }
  return result;
}

size_t segment_set::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return segments_.size();
}

} // namespace citytwin::archive
