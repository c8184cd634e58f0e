// adapters/archive/archive_view.cpp
#include "adapters/archive/archive_view.hpp"

#include "adapters/archive/journal.hpp"
#include "adapters/archive/segment_file.hpp"
#include "adapters/archive/tenant_archive.hpp"

#include "twin/entity_id.hpp"
#include "twin/error.hpp"
#include "twin/quantity.hpp"

#include <algorithm>
#include <unordered_map>

namespace citytwin::archive {

namespace {

namespace fs = std::filesystem;

// Tries at reading the segments and then the journal after them while a
// server publishes a segment and releases the journal files it holds in
// between; each retry needs such a publish in the meantime.
constexpr int max_attempts = 3;

constexpr size_t readings_per_read = 1'000'000;

struct journal_tail {
  std::map<stream_name, std::vector<sample>> streams;
  uint64_t samples = 0;
  // Records right after `through` are gone: released because a segment
  // newer than the ones opened holds them.
  bool gap = false;
};

// The journal records after `through`, by stream. As many as the server
// keeps in memory between two segments (archive_options: 5 minutes or
// 4 M samples), so memory stays bounded like the server's.
caf::expected<journal_tail> read_tail(const fs::path& folder, uint64_t through,
                                      const std::string& city) {
  journal_tail result;
  journal_reader reader{folder, through};
  std::unordered_map<uint64_t, std::vector<sample>> by_key;
  for (bool first = true;; first = false) {
    std::vector<journal_record> records;
    if (auto err = reader.read(records, readings_per_read))
      return err;
    if (records.empty())
      break;
    if (first && records.front().sequence != through + 1) {
      result.gap = true;
      return result;
    }
    for (const auto& rec : records)
      for (const auto& r : rec.readings)
        by_key[(twin::pack(r.target) << 5) | static_cast<uint64_t>(r.what)]
            .push_back({r.time, r.value});
  }
  for (auto& [key, xs] : by_key) {
    sort_unique(xs);
    result.samples += xs.size();
    auto q = static_cast<twin::quantity>(key & 31);
    result.streams.emplace(
        stream_name{twin::to_urn(twin::unpack(key >> 5), city),
                    std::string{twin::info(q).ngsi}},
        std::move(xs));
  }
  return result;
}

} // namespace

caf::expected<archive_view> archive_view::open(const fs::path& root,
                                               const std::string& tenant,
                                               const std::string& city) {
  auto found = existing_tenant_folder(root, tenant);
  if (!found)
    return found.error();
  const auto& folder = *found;
  std::error_code ec;
  archive_view result;
  for (int attempt = 1;; ++attempt) {
    result.segments_.reset();
    uint64_t through = 0;
    if (fs::is_directory(folder / "segments", ec)) {
      auto set = segment_set::open(folder / "segments", open_mode::read_only);
      if (!set)
        return set.error();
      through = (*set)->journal_through();
      result.segments_ = std::move(*set);
    }
    auto tail = read_tail(folder / "journal", through, city);
    if (!tail)
      return tail.error();
    if (!tail->gap) {
      result.journal_ = std::move(tail->streams);
      result.journal_samples_ = tail->samples;
      break;
    }
    if (attempt == max_attempts)
      return caf::make_error(twin::errc::io_failure,
                             "the archive in " + folder.string()
                                 + " changed under every read; try again");
  }
  if (result.segments_)
    if (auto err = result.index_segments(folder / "segments"))
      return err;
  for (const auto& [name, entry] : result.index_)
    result.streams_.push_back(name);
  for (const auto& [name, xs] : result.journal_)
    result.streams_.push_back(name);
  if (result.segments_)
    for (auto& name : result.segments_->stream_names())
      result.streams_.push_back(std::move(name));
  std::sort(result.streams_.begin(), result.streams_.end());
  result.streams_.erase(
      std::unique(result.streams_.begin(), result.streams_.end()),
      result.streams_.end());
  return result;
}

caf::error archive_view::index_segments(const fs::path& folder) {
  // A second pass over the files, each opened, indexed and closed again:
  // segment_set keeps its readers' indexes private, and holding only the
  // start times costs 8 bytes per stream and segment.
  std::vector<fs::path> paths;
  std::error_code ec;
  for (auto it = fs::directory_iterator{folder, ec};
       !ec && it != fs::directory_iterator{}; it.increment(ec))
    if (it->path().extension() == ".h5")
      paths.push_back(it->path());
  if (ec)
    return caf::make_error(twin::errc::io_failure, "cannot list "
                                                       + folder.string() + ": "
                                                       + ec.message());
  for (const auto& path : paths) {
    auto reader = segment_reader::open(path);
    if (!reader) {
      // Compacted away meanwhile: the merged file is in the list too.
      if (!fs::exists(path, ec))
        continue;
      return reader.error();
    }
    for (const auto& s : (*reader)->streams()) {
      auto& entry = index_[s.name];
      if (entry.unit.empty())
        entry.unit = s.unit;
      entry.starts.push_back(s.first);
    }
  }
  for (auto& [name, entry] : index_) {
    std::sort(entry.starts.begin(), entry.starts.end());
    entry.starts.erase(std::unique(entry.starts.begin(), entry.starts.end()),
                       entry.starts.end());
  }
  return {};
}

std::string archive_view::unit_of(const stream_name& name) const {
  if (auto i = index_.find(name); i != index_.end() && !i->second.unit.empty())
    return i->second.unit;
  if (auto q = twin::parse_quantity(name.quantity))
    return std::string{twin::info(*q).unit};
  return {};
}

std::vector<twin::time_ms> archive_view::pieces(const stream_name& name,
                                                twin::time_ms from,
                                                twin::time_ms to) const {
  std::vector<twin::time_ms> result{from};
  if (auto i = index_.find(name); i != index_.end())
    for (auto t : i->second.starts)
      if (t > from && t < to)
        result.push_back(t);
  result.push_back(to);
  return result;
}

caf::expected<std::vector<sample>> archive_view::read(const stream_name& name,
                                                      twin::time_ms from,
                                                      twin::time_ms to) const {
  std::vector<sample> result;
  if (segments_) {
    auto stored = segments_->read(name, from, to);
    if (!stored)
      return stored.error();
    result = std::move(*stored);
  }
  auto i = journal_.find(name);
  if (i == journal_.end())
    return result;
  const auto& xs = i->second;
  auto by_time = [](const sample& s, twin::time_ms t) { return s.time < t; };
  auto first = std::lower_bound(xs.begin(), xs.end(), from, by_time);
  auto last = std::lower_bound(first, xs.end(), to, by_time);
  if (first == last)
    return result;
  // Appended after the segments' samples: the journal's wins a tie.
  result.insert(result.end(), first, last);
  sort_unique(result);
  return result;
}

} // namespace citytwin::archive
