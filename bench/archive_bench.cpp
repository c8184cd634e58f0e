// bench/archive_bench.cpp
#include "bench/archive_bench.hpp"

#include "bench/report.hpp"

#include "adapters/archive/segment_file.hpp"
#include "adapters/archive/temporal.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/replay/csv_events.hpp"
#include "adapters/replay/dataset.hpp"
#include "twin/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>

namespace citytwin::bench {

namespace {

namespace fs = std::filesystem;
using archive::sample;
using archive::stream_block;
using archive::stream_name;
using clock_type = std::chrono::steady_clock;

/// 2024-01-01T00:00:00Z, the start of every synthetic stream.
constexpr twin::time_ms synthetic_start = 1'704'067'200'000;

/// One day at one sample per second.
constexpr size_t day_samples = 86'400;

/// The recorded datasets of the bytes-per-sample goal.
const std::vector<std::string> recorded_datasets{
    "aarhus-traffic", "aarhus-parking", "aarhus-weather", "aberdeen-pm"};

double since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs.empty() ? 0 : xs[xs.size() / 2];
}

/// `n` samples 1 s apart from `start` of stream `i`: counts (random walks
/// of integers) for 48% of the streams, one-decimal temperatures for 48%,
/// and full-precision noisy doubles for every 25th.
std::vector<sample> synthetic_samples(size_t i, size_t n, twin::time_ms start,
                                      std::mt19937_64& rng) {
  std::vector<sample> result;
  result.reserve(n);
  std::normal_distribution<double> noise{0, 1};
  std::uniform_int_distribution<int> step{-2, 2};
  double level = 20;
  for (size_t j = 0; j < n; ++j) {
    auto time = start + static_cast<twin::time_ms>(j) * 1000;
    double value = 0;
    if (i % 25 == 0) {
      value = 400 + 30 * noise(rng); // e.g. a raw CO2 ppm estimate
    } else if (i % 2 == 0) {
      level = std::max(0.0, level + step(rng)); // vehicles per interval
      value = level;
    } else {
      level += 0.1 * step(rng); // degrees, 0.1 resolution
      value = std::round(level * 10) / 10;
    }
    result.push_back({time, value});
  }
  return result;
}

std::vector<stream_block> synthetic_blocks(size_t streams, size_t samples,
                                           uint64_t seed) {
  std::mt19937_64 rng{seed};
  std::vector<stream_block> result;
  result.reserve(streams);
  for (size_t i = 0; i < streams; ++i) {
    char entity[64];
    std::snprintf(entity, sizeof(entity), "urn:ngsi-ld:Sensor:bench:%zu", i);
    // Sensors are not in step: each starts at its own millisecond.
    auto start = synthetic_start + static_cast<twin::time_ms>(rng() % 1000);
    result.push_back({{entity, i % 2 == 0 ? "vehicle_count" : "temperature"},
                      i % 2 == 0 ? "" : "Cel",
                      synthetic_samples(i, samples, start, rng)});
  }
  return result;
}

size_t num_samples(const std::vector<stream_block>& blocks) {
  size_t result = 0;
  for (const auto& b : blocks)
    result += b.samples.size();
  return result;
}

archive_figure measure_append(const archive_settings& s) {
  archive_figure result;
  result.figure = "append (encode + compress + write_segment, fsync "
                  "included), samples/s: "
                  + std::to_string(s.streams) + " streams x "
                  + std::to_string(s.samples)
                  + " samples at 1 s (48% integer counts, 48% one-decimal "
                    "temperatures, 4% full-precision doubles), median of "
                  + std::to_string(s.runs) + " runs";
  result.goal = ">= 1 M/s";
  auto blocks = synthetic_blocks(s.streams, s.samples, 13);
  auto n = num_samples(blocks);
  std::vector<double> seconds;
  uintmax_t bytes = 0;
  for (size_t run = 0; run < s.runs; ++run) {
    auto path = fs::path{s.workdir} / ("append-" + std::to_string(run) + ".h5");
    auto start = clock_type::now();
    auto err = archive::write_segment(path, {"bench", 0, 0, 0}, blocks);
    seconds.push_back(since(start));
    if (err) {
      result.measured = "failed: " + twin::describe(err);
      return result;
    }
    bytes = fs::file_size(path);
    fs::remove(path);
  }
  auto t = median(seconds);
  result.measured = fixed(double(n) / t / 1e6, 2) + " M/s (" + std::to_string(n)
                    + " samples in " + fixed(t, 2) + " s; "
                    + fixed(double(bytes) / double(n), 2) + " B/sample)";
  return result;
}

/// The recorded dataset as streams: one per (SenML base name, record
/// name); a time repeated in a stream keeps its last row.
caf::expected<std::vector<stream_block>>
recorded_blocks(const archive_settings& s, const std::string& name) {
  auto ds
      = replay::load_dataset(s.project_data + "/datasets/" + name + ".conf");
  if (!ds)
    return ds.error();
  replay::load_report report;
  auto events = replay::load_events(*ds, s.shared_data + "/streams", report);
  if (!events)
    return events.error();
  std::map<stream_name, stream_block> streams;
  for (const auto& e : *events) {
    auto pack = nlohmann::json::parse(e.payload);
    std::string base;
    for (const auto& record : pack) {
      if (record.contains("bn")) {
        base = record["bn"].get<std::string>();
        // `urn:dev:aarhus-traffic:158446:` names the sensor.
        if (!base.empty() && base.back() == ':')
          base.pop_back();
      }
      stream_name id{base, record["n"].get<std::string>()};
      auto& b = streams[id];
      b.name = id;
      if (record.contains("u"))
        b.unit = record["u"].get<std::string>();
      b.samples.push_back({e.time, record["v"].get<double>()});
    }
  }
  std::vector<stream_block> result;
  for (auto& [id, b] : streams) {
    // Events are sorted by time, stably: duplicates keep file order.
    auto& xs = b.samples;
    auto w = xs.begin();
    for (auto i = xs.begin(); i != xs.end(); ++i) {
      if (w != xs.begin() && (w - 1)->time == i->time)
        *(w - 1) = *i;
      else
        *w++ = *i;
    }
    xs.erase(w, xs.end());
    result.push_back(std::move(b));
  }
  return result;
}

std::vector<archive_figure> measure_datasets(const archive_settings& s) {
  std::vector<archive_figure> result;
  uintmax_t total_bytes = 0;
  size_t total_samples = 0;
  for (const auto& name : recorded_datasets) {
    archive_figure f;
    f.goal = "<= 2 B";
    auto blocks = recorded_blocks(s, name);
    if (!blocks) {
      f.figure = "bytes per (time, value) sample on disk, " + name;
      f.measured = "skipped: " + twin::describe(blocks.error());
      result.push_back(std::move(f));
      continue;
    }
    auto n = num_samples(*blocks);
    f.figure = "bytes per (time, value) sample on disk, " + name + " ("
               + std::to_string(blocks->size()) + " streams, "
               + std::to_string(n) + " samples, one segment)";
    auto path = fs::path{s.workdir} / (name + ".h5");
    if (auto err = archive::write_segment(path, {name, 0, 0, 0}, *blocks)) {
      f.measured = "failed: " + twin::describe(err);
      result.push_back(std::move(f));
      continue;
    }
    auto bytes = fs::file_size(path);
    total_bytes += bytes;
    total_samples += n;
    f.measured = fixed(double(bytes) / double(n), 2) + " B ("
                 + std::to_string(bytes) + " bytes)";
    result.push_back(std::move(f));
  }
  if (total_samples > 0)
    result.push_back({"bytes per sample on disk, the recorded datasets "
                      "together (file sizes / samples)",
                      "<= 2 B",
                      fixed(double(total_bytes) / double(total_samples), 2)
                          + " B (" + std::to_string(total_bytes) + " bytes, "
                          + std::to_string(total_samples) + " samples)"});
  return result;
}

archive_figure measure_day_read(const archive_settings& s) {
  archive_figure result;
  const size_t others = 2000;
  result.figure = "raw read (segment_reader::read) of one day of one stream "
                  "at 1 s (86,400 one-decimal samples) in a segment with "
                  + std::to_string(others)
                  + " other streams x 1,000 samples, file opened once, "
                    "median of "
                  + std::to_string(s.day_reads) + " reads (page cache warm)";
  result.goal = "<= 5 ms";
  auto blocks = synthetic_blocks(others, 1000, 17);
  std::mt19937_64 rng{19};
  stream_name day{"urn:ngsi-ld:Sensor:bench:day", "temperature"};
  blocks.push_back(
      {day, "Cel", synthetic_samples(1, day_samples, synthetic_start, rng)});
  auto expected = blocks.back().samples;
  auto path = fs::path{s.workdir} / "day.h5";
  if (auto err = archive::write_segment(path, {"bench", 0, 0, 0}, blocks)) {
    result.measured = "failed: " + twin::describe(err);
    return result;
  }
  auto reader = archive::segment_reader::open(path);
  if (!reader) {
    result.measured = "failed: " + twin::describe(reader.error());
    return result;
  }
  std::vector<double> ms;
  std::vector<sample> out;
  for (size_t i = 0; i < s.day_reads; ++i) {
    out.clear();
    auto start = clock_type::now();
    auto err = (*reader)->read(day, synthetic_start,
                               synthetic_start + 86'400'000, out);
    ms.push_back(since(start) * 1e3);
    if (err || out != expected) {
      result.measured
          = "failed: "
            + (err ? twin::describe(err) : std::string{"wrong samples read"});
      return result;
    }
  }
  std::sort(ms.begin(), ms.end());
  result.measured = fixed(median(ms), 2) + " ms (min " + fixed(ms.front(), 2)
                    + ", max " + fixed(ms.back(), 2) + ")";
  return result;
}

// The same day through the temporal API's path (tenant_archive: segments
// and memory merged, then `archive::select` and `archive::aggregate`),
// raw and in 15-minute periods.
std::vector<archive_figure> measure_day_query(const archive_settings& s) {
  std::vector<archive_figure> result(2);
  result[0].figure = "temporal query path (tenant_archive + select), one day "
                     "of one stream at 1 s, raw, median of "
                     + std::to_string(s.day_reads) + " queries";
  result[1].figure = "temporal query path, the same day in 15-minute periods "
                     "(avg, min, max, sum, totalCount), median of "
                     + std::to_string(s.day_reads) + " queries";
  result[0].goal = result[1].goal = "<= 5 ms";
  auto fail = [&](const std::string& why) {
    result[0].measured = result[1].measured = "failed: " + why;
    return result;
  };
  std::mt19937_64 rng{23};
  stream_name day{"urn:ngsi-ld:Sensor:bench:day", "temperature"};
  std::vector<stream_block> blocks = synthetic_blocks(2000, 1000, 29);
  blocks.push_back(
    {day, "Cel", synthetic_samples(1, day_samples, synthetic_start, rng)});
  auto root = fs::path{s.workdir} / "query";
  fs::create_directories(root / "bench" / "segments");
  if (auto err = archive::write_segment(
        root / "bench" / "segments" / "20231114T221320Z-000001.h5",
        {"bench", 0, 0, 0}, blocks))
    return fail(twin::describe(err));
  archive::archive_options opts;
  opts.root = root;
  opts.tenant = "bench";
  opts.city = "bench";
  auto history = archive::tenant_archive::open(opts);
  if (!history)
    return fail(twin::describe(history.error()));
  archive::temporal_query q;
  q.from = synthetic_start;
  q.to = synthetic_start + 86'400'000;
  for (int aggregated = 0; aggregated < 2; ++aggregated) {
    if (aggregated) {
      q.methods = {archive::aggr_method::avg, archive::aggr_method::min,
                   archive::aggr_method::max, archive::aggr_method::sum,
                   archive::aggr_method::total_count};
      q.period = 15 * 60'000;
    }
    std::vector<double> ms;
    size_t answered = 0;
    for (size_t i = 0; i < s.day_reads; ++i) {
      auto start = clock_type::now();
      auto xs = archive::select(**history, day, q);
      if (!xs)
        return fail(twin::describe(xs.error()));
      answered = xs->size();
      if (aggregated)
        answered = archive::aggregate(*xs, q.from, q.period).size();
      ms.push_back(since(start) * 1e3);
    }
    std::sort(ms.begin(), ms.end());
    result[aggregated].measured
      = fixed(median(ms), 2) + " ms (min " + fixed(ms.front(), 2) + ", max "
        + fixed(ms.back(), 2) + "; " + std::to_string(answered)
        + (aggregated ? " periods)" : " samples)");
  }
  return result;
}

} // namespace

std::vector<archive_figure> run_archive(const archive_settings& s) {
  std::error_code ec;
  fs::remove_all(s.workdir, ec);
  fs::create_directories(s.workdir, ec);
  if (ec)
    return {{"archive benchmark", "-",
             "skipped: cannot create " + s.workdir + ": " + ec.message()}};
  std::vector<archive_figure> result;
  result.push_back(measure_append(s));
  for (auto& f : measure_datasets(s))
    result.push_back(std::move(f));
  result.push_back(measure_day_read(s));
  for (auto& f : measure_day_query(s))
    result.push_back(std::move(f));
  fs::remove_all(s.workdir, ec);
  return result;
}

} // namespace citytwin::bench
