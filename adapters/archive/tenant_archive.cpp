// adapters/archive/tenant_archive.cpp
#include "adapters/archive/tenant_archive.hpp"

#include "adapters/archive/file_io.hpp"

#include "twin/entity_id.hpp"
#include "twin/error.hpp"
#include "twin/quantity.hpp"

#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace citytwin::archive {

namespace {

// Merges `newer` into `older` (both sorted, unique); newer wins on ties.
std::vector<sample> merge(std::vector<sample> older,
                          const std::vector<sample>& newer) {
  if (newer.empty())
    return older;
  older.insert(older.end(), newer.begin(), newer.end());
  sort_unique(older);
  return older;
}

// latest.bin (README.md, "Restart"): the newest sample of every stream.
constexpr uint32_t latest_magic = 0x314C5443; // "CTL1"
constexpr size_t latest_entry = 24;           // key 8, time 8, value 8
// A million-entity city has a few million streams; a damaged count must
// not make a reader allocate without bound.
constexpr uint64_t max_latest_entries = 64'000'000;

using latest_map = std::unordered_map<uint64_t, sample>;

struct latest_file {
  uint64_t through = 0;
  latest_map values;
};

caf::error latest_damaged(const std::filesystem::path& path,
                          const std::string& why) {
  return caf::make_error(twin::errc::corrupt_file,
                         path.string() + " is damaged (" + why
                           + "); citytwin will not overwrite it: move it "
                             "away to start from the journal alone");
}

// Reads latest.bin; an empty one when the file does not exist.
caf::expected<latest_file> read_latest(const std::filesystem::path& path) {
  latest_file result;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return result;
  std::ifstream in{path, std::ios::binary};
  std::string data{std::istreambuf_iterator<char>{in}, {}};
  if (!in.good() && !in.eof())
    return caf::make_error(twin::errc::io_failure,
                           "cannot read " + path.string());
  if (data.size() < 28)
    return latest_damaged(path, "cut short");
  uint32_t magic = 0, crc = 0;
  uint64_t count = 0;
  std::memcpy(&magic, data.data(), 4);
  std::memcpy(&result.through, data.data() + 8, 8);
  std::memcpy(&count, data.data() + 16, 8);
  if (magic != latest_magic)
    return latest_damaged(path, "not a citytwin latest-values file");
  if (count > max_latest_entries || data.size() != 28 + count * latest_entry)
    return latest_damaged(path, "its size does not match its count");
  std::memcpy(&crc, data.data() + data.size() - 4, 4);
  auto computed = crc32(crc32(0L, Z_NULL, 0),
                        reinterpret_cast<const Bytef*>(data.data()),
                        static_cast<uInt>(data.size() - 4));
  if (computed != crc)
    return latest_damaged(path, "checksum mismatch");
  result.values.reserve(count);
  const char* at = data.data() + 24;
  for (uint64_t i = 0; i < count; ++i, at += latest_entry) {
    uint64_t key;
    sample s;
    std::memcpy(&key, at, 8);
    std::memcpy(&s.time, at + 8, 8);
    std::memcpy(&s.value, at + 16, 8);
    result.values.emplace(key, s);
  }
  return result;
}

// Writes latest.bin whole: a temporary file, synced, then renamed.
caf::error write_latest_file(const std::filesystem::path& path,
                             const latest_file& f) {
  std::vector<std::pair<uint64_t, sample>> sorted(f.values.begin(),
                                                  f.values.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string data;
  data.reserve(28 + sorted.size() * latest_entry);
  auto put = [&data](const auto& x) {
    data.append(reinterpret_cast<const char*>(&x), sizeof(x));
  };
  put(latest_magic);
  put(uint32_t{1}); // version
  put(f.through);
  put(static_cast<uint64_t>(sorted.size()));
  for (const auto& [key, s] : sorted) {
    put(key);
    put(s.time);
    put(s.value);
  }
  auto crc = static_cast<uint32_t>(
    crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()),
          static_cast<uInt>(data.size())));
  put(crc);
  return replace_file(path, data);
}

uint64_t key_of_reading(const twin::reading& r) {
  return (twin::pack(r.target) << 5) | static_cast<uint64_t>(r.what);
}

// Applies every journal record after `f.through` to `f`.
caf::error apply_journal(const std::filesystem::path& folder,
                         latest_file& f) {
  journal_reader reader{folder, f.through};
  for (;;) {
    std::vector<journal_record> records;
    if (auto err = reader.read(records, 1'000'000))
      return err;
    if (records.empty())
      return {};
    for (const auto& rec : records) {
      for (const auto& r : rec.readings) {
        auto [i, added] = f.values.try_emplace(key_of_reading(r),
                                               sample{r.time, r.value});
        if (!added && i->second.time <= r.time)
          i->second = {r.time, r.value};
      }
      f.through = rec.sequence;
    }
  }
}

// latest.bin brought up to the journal's end: the newest sample of every
// stream the tenant has.
caf::expected<latest_file> current_latest(const std::filesystem::path& folder) {
  auto f = read_latest(folder / "latest.bin");
  if (!f)
    return f.error();
  if (auto err = apply_journal(folder / "journal", *f))
    return err;
  return f;
}

} // namespace

bool valid_tenant_name(std::string_view name) {
  constexpr size_t max_length = 64;
  return !name.empty() && name.size() <= max_length && name.front() != '.'
         && std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                     || (c >= '0' && c <= '9') || c == '-' || c == '_'
                     || c == '.';
            });
}

caf::expected<std::filesystem::path>
existing_tenant_folder(const std::filesystem::path& root,
                       const std::string& tenant) {
  auto folder = root / tenant;
  std::error_code ec;
  if (!valid_tenant_name(tenant) || !std::filesystem::is_directory(folder, ec))
    return caf::make_error(twin::errc::invalid_config,
                           "no archive of tenant '" + tenant + "' in "
                             + root.string());
  return folder;
}

caf::error archive_options::validate() const {
  if (root.empty())
    return caf::make_error(twin::errc::invalid_config, "no archive folder");
  if (!valid_tenant_name(tenant))
    return caf::make_error(twin::errc::invalid_config,
                           "archive tenant '" + tenant + "' is not a name");
  if (segment_every.count() <= 0 || segment_samples == 0)
    return caf::make_error(twin::errc::invalid_config,
                           "archive segments need a positive period and size");
  return {};
}

caf::expected<std::shared_ptr<tenant_archive>>
tenant_archive::open(archive_options opts) {
  if (auto err = opts.validate())
    return err;
  std::shared_ptr<tenant_archive> result{new tenant_archive};
  auto folder = opts.root / opts.tenant;
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec)
    return caf::make_error(twin::errc::io_failure,
                           "cannot create " + folder.string() + ": "
                             + ec.message());
  // First: a second server, or an erase under way, must find the folder
  // untouched (no leftover removed, no journal tail cut).
  auto lock = tenant_lock::acquire(folder);
  if (!lock)
    return lock.error();
  result->lock_ = std::move(*lock);
  auto segments = segment_set::open(folder / "segments");
  if (!segments)
    return segments.error();
  auto through = (*segments)->journal_through();
  journal::options jopts;
  jopts.sync = opts.sync;
  jopts.first_sequence = through + 1;
  auto log = journal::open(folder / "journal", jopts);
  if (!log)
    return log.error();
  result->opts_ = std::move(opts);
  result->segments_ = std::move(*segments);
  result->journal_ = std::move(*log);
  result->reader_ = std::make_unique<journal_reader>(folder / "journal",
                                                     through);
  result->open_through_ = through;
  result->last_publish_ = std::chrono::steady_clock::now();
  return result;
}

std::optional<tenant_archive::stream_key>
tenant_archive::key_of(const stream_name& name) const {
  auto id = twin::parse_urn(name.entity);
  if (!id || id->city != opts_.city)
    return std::nullopt;
  auto q = twin::parse_quantity(name.quantity);
  if (!q)
    return std::nullopt;
  return (twin::pack(id->id) << 5) | static_cast<uint64_t>(*q);
}

stream_name tenant_archive::name_of(stream_key key) const {
  auto q = static_cast<twin::quantity>(key & 31);
  return {twin::to_urn(twin::unpack(key >> 5), opts_.city),
          std::string{twin::info(q).ngsi}};
}

caf::expected<size_t> tenant_archive::catch_up(size_t max_readings) {
  std::vector<journal_record> records;
  if (auto err = reader_->read(records, max_readings))
    return err;
  if (records.empty())
    return size_t{0};
  size_t n = 0;
  std::lock_guard guard{mtx_};
  for (auto& rec : records) {
    for (const auto& r : rec.readings) {
      auto key = (twin::pack(r.target) << 5) | static_cast<uint64_t>(r.what);
      open_[key].push_back({r.time, r.value});
    }
    n += rec.readings.size();
    open_through_ = rec.sequence;
  }
  open_samples_ += n;
  return n;
}

bool tenant_archive::segment_due(
  std::chrono::steady_clock::time_point now) const {
  std::lock_guard guard{mtx_};
  if (open_.empty() && derived_open_.empty())
    return false;
  return open_samples_ >= opts_.segment_samples
         || now - last_publish_ >= opts_.segment_every;
}

caf::error tenant_archive::publish(std::chrono::steady_clock::time_point now) {
  uint64_t through = 0;
  {
    std::lock_guard guard{mtx_};
    last_publish_ = now;
    if (open_.empty() && derived_open_.empty())
      return {};
    // Readers keep seeing these samples in `writing_` until the segment
    // holding them is in the set.
    writing_.swap(open_);
    open_.clear();
    derived_writing_.swap(derived_open_);
    derived_open_.clear();
    open_samples_ = 0;
    through = open_through_;
  }
  std::vector<stream_block> blocks;
  blocks.reserve(writing_.size());
  segment_info info;
  info.tenant = opts_.tenant;
  info.journal_through = through;
  info.first = std::numeric_limits<twin::time_ms>::max();
  info.last = std::numeric_limits<twin::time_ms>::min();
  uint64_t samples = 0;
  for (auto& [key, xs] : writing_) {
    auto copy = xs;
    sort_unique(copy);
    info.first = std::min(info.first, copy.front().time);
    info.last = std::max(info.last, copy.back().time);
    samples += copy.size();
    auto name = name_of(key);
    auto q = twin::parse_quantity(name.quantity);
    blocks.push_back({std::move(name),
                      q ? std::string{twin::info(*q).unit} : std::string{},
                      std::move(copy)});
  }
  for (auto& [name, xs] : derived_writing_) {
    auto copy = xs;
    sort_unique(copy);
    info.first = std::min(info.first, copy.front().time);
    info.last = std::max(info.last, copy.back().time);
    samples += copy.size();
    blocks.push_back({name, std::string{}, std::move(copy)});
  }
  auto path = segments_->next_path(info.first);
  auto err = write_segment(path, info, blocks);
  if (!err)
    err = segments_->add(path);
  std::lock_guard guard{mtx_};
  if (err) {
    // Keep the samples: back into memory, before anything newer.
    ++write_errors_;
    for (auto& [key, xs] : open_) {
      auto& older = writing_[key];
      older.insert(older.end(), xs.begin(), xs.end());
    }
    open_.swap(writing_);
    writing_.clear();
    for (auto& [key, xs] : open_)
      open_samples_ += xs.size();
    for (auto& [name, xs] : derived_open_) {
      auto& older = derived_writing_[name];
      older.insert(older.end(), xs.begin(), xs.end());
    }
    derived_open_.swap(derived_writing_);
    derived_writing_.clear();
    for (auto& [name, xs] : derived_open_)
      open_samples_ += xs.size();
    return err;
  }
  writing_.clear();
  derived_writing_.clear();
  archived_ += samples;
  // The journal records stay until latest.bin has taken them too: a
  // restarted server rebuilds the twin's state from the two.
  auto latest_err = write_latest(through);
  if (latest_err) {
    ++write_errors_;
    return latest_err;
  }
  return {};
}

caf::error tenant_archive::write_latest(uint64_t through) {
  auto f = current_latest(opts_.root / opts_.tenant);
  if (!f)
    return f.error();
  if (auto err = write_latest_file(opts_.root / opts_.tenant / "latest.bin",
                                   *f))
    return err;
  journal_->release_through(std::min(through, f->through));
  return {};
}

caf::expected<twin::reading_batch>
read_latest_state(const std::filesystem::path& folder) {
  auto f = current_latest(folder);
  if (!f)
    return f.error();
  twin::reading_batch result;
  result.reserve(f->values.size());
  for (const auto& [key, s] : f->values)
    result.push_back({twin::unpack(key >> 5), s.time, s.value,
                      static_cast<twin::quantity>(key & 31)});
  // An entity takes no reading older than its newest: per entity, oldest
  // first.
  std::sort(result.begin(), result.end(),
            [](const twin::reading& a, const twin::reading& b) {
              return std::tie(a.target, a.time) < std::tie(b.target, b.time);
            });
  return result;
}

caf::expected<twin::reading_batch> tenant_archive::latest_state() const {
  auto result = read_latest_state(opts_.root / opts_.tenant);
  if (result)
    for (const auto& r : *result)
      newest_time_ = std::max(newest_time_, r.time);
  return result;
}

twin::time_ms tenant_archive::newest_time() const {
  return newest_time_;
}

std::vector<sample> tenant_archive::in_memory(const stream_name& name,
                                              twin::time_ms from,
                                              twin::time_ms to) const {
  std::vector<sample> result;
  if (auto key = key_of(name)) {
    std::lock_guard guard{mtx_};
    collect(writing_, *key, from, to, result);
    collect(open_, *key, from, to, result);
  } else {
    std::lock_guard guard{mtx_};
    for (const auto* derived : {&derived_writing_, &derived_open_})
      if (auto i = derived->find(name); i != derived->end())
        for (const auto& x : i->second)
          if (x.time >= from && x.time < to)
            result.push_back(x);
  }
  sort_unique(result);
  return result;
}

void tenant_archive::keep_derived(const stream_name& name, sample s) {
  std::lock_guard guard{mtx_};
  derived_open_[name].push_back(s);
  ++open_samples_;
}

void tenant_archive::collect(const buffer& from_buffer, stream_key key,
                             twin::time_ms from, twin::time_ms to,
                             std::vector<sample>& out) const {
  auto i = from_buffer.find(key);
  if (i == from_buffer.end())
    return;
  for (const auto& s : i->second)
    if (s.time >= from && s.time < to)
      out.push_back(s);
}

caf::expected<std::vector<sample>>
tenant_archive::read(const stream_name& name, twin::time_ms from,
                     twin::time_ms to) const {
  // Memory first: a segment published meanwhile then holds at most what
  // was already copied, and the merge removes the overlap.
  auto recent = in_memory(name, from, to);
  auto stored = segments_->read(name, from, to);
  if (!stored)
    return stored.error();
  return merge(std::move(*stored), recent);
}

caf::expected<std::vector<sample>>
tenant_archive::read_last(const stream_name& name, size_t n,
                          twin::time_ms to) const {
  auto recent = in_memory(name, std::numeric_limits<twin::time_ms>::min(), to);
  std::vector<sample> result;
  if (recent.size() < n) {
    // The stored part: enough older samples to make up n after merging.
    auto stored = segments_->read_last(name, n, to);
    if (!stored)
      return stored.error();
    result = merge(std::move(*stored), recent);
  } else {
    result = std::move(recent);
  }
  if (result.size() > n)
    result.erase(result.begin(),
                 result.begin() + static_cast<ptrdiff_t>(result.size() - n));
  return result;
}

std::vector<stream_name>
tenant_archive::streams_of(const std::string& entity) const {
  std::vector<stream_name> result;
  for (auto& name : segments_->stream_names())
    if (name.entity == entity)
      result.push_back(std::move(name));
  auto id = twin::parse_urn(entity);
  if (id && id->city == opts_.city) {
    auto packed = twin::pack(id->id);
    std::lock_guard guard{mtx_};
    for (const auto* buf : {&writing_, &open_})
      for (const auto& [key, xs] : *buf)
        if ((key >> 5) == packed)
          result.push_back(name_of(key));
  } else {
    std::lock_guard guard{mtx_};
    for (const auto* derived : {&derived_writing_, &derived_open_})
      for (const auto& [name, xs] : *derived)
        if (name.entity == entity)
          result.push_back(name);
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

std::string render_prometheus(const archive_stats& s,
                              const std::string& tenant) {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help,
                    uint64_t value) {
    out += "# HELP citytwin_archive_";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE citytwin_archive_";
    out += name;
    out += ' ';
    out += type;
    out += "\ncitytwin_archive_";
    out += name;
    out += "{tenant=\"" + tenant + "\"} " + std::to_string(value) + '\n';
  };
  metric("buffered_samples", "gauge",
         "Samples read from the journal, not yet in an HDF5 segment.",
         s.buffered);
  metric("archived_samples_total", "counter",
         "Samples written to HDF5 segments since start.", s.archived);
  metric("segments", "gauge", "HDF5 segment files.", s.segments);
  metric("segment_bytes", "gauge", "Bytes of the HDF5 segment files.",
         s.bytes_on_disk);
  metric("write_errors_total", "counter",
         "Segment writes that failed (disk full, I/O); the journal keeps "
         "their readings.",
         s.write_errors);
  metric("journal_records_total", "counter",
         "Journal records appended since start.", s.journal.records);
  metric("journal_readings_total", "counter",
         "Readings journaled since start.", s.journal.readings);
  metric("journal_refused_total", "counter",
         "Journal appends that failed: those readings were not "
         "acknowledged.",
         s.journal.refused);
  metric("journal_torn_tail_bytes", "gauge",
         "Bytes of an unfinished record cut off the journal at start.",
         s.journal.torn_tail_bytes);
  return out;
}

keep_fn keep_in(std::shared_ptr<tenant_archive> archive) {
  if (!archive)
    return {};
  return [archive = std::move(archive)](const twin::reading_batch& batch) {
    auto seq = archive->log().append(batch);
    return seq ? caf::error{} : seq.error();
  };
}

archive_stats tenant_archive::stats() const {
  archive_stats s;
  s.journal = journal_->stats();
  s.segments = segments_->size();
  s.bytes_on_disk = segments_->bytes_on_disk();
  s.journal_through = segments_->journal_through();
  std::lock_guard guard{mtx_};
  for (const auto* buf : {&writing_, &open_})
    for (const auto& [key, xs] : *buf)
      s.buffered += xs.size();
  for (const auto* derived : {&derived_writing_, &derived_open_})
    for (const auto& [name, xs] : *derived)
      s.buffered += xs.size();
  s.archived = archived_;
  s.write_errors = write_errors_;
  return s;
}

} // namespace citytwin::archive
