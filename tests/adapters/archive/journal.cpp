// tests/adapters/archive/journal.cpp: the write-ahead journal, a tenant's
// archive over it (restart after a crash), and temporal query parsing.
#include "adapters/archive/journal.hpp"
#include "adapters/archive/temporal.hpp"
#include "adapters/archive/tenant_archive.hpp"

#include "twin/entity_id.hpp"
#include "twin/error.hpp"
#include "scratch_folder.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <limits>

#include <filesystem>
#include <fstream>

using namespace citytwin;
using namespace citytwin::archive;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;

twin::entity_id counter(uint32_t n) {
  return {twin::entity_kind::traffic_counter, n};
}

twin::reading_batch batch(uint32_t entity, twin::time_ms t0, size_t n) {
  twin::reading_batch result;
  for (size_t i = 0; i < n; ++i)
    result.push_back({counter(entity), t0 + static_cast<twin::time_ms>(i) * 1000,
                      static_cast<double>(i), twin::quantity::vehicle_flow});
  return result;
}

std::vector<journal_record> read_all(const fs::path& folder, uint64_t after) {
  journal_reader reader{folder, after};
  std::vector<journal_record> out;
  REQUIRE_FALSE(reader.read(out, 1'000'000));
  return out;
}

stream_name flow_of(uint32_t entity) {
  return {twin::to_urn(counter(entity), "test"), "intensity"};
}

} // namespace

TEST_CASE("journal records come back in order with their readings",
          "[archive][journal]") {
  test::scratch_folder dir{"journal", "order"};
  auto log = journal::open(dir.path);
  REQUIRE(log);
  CHECK(*(*log)->append(batch(1, 1000, 3)) == 1);
  CHECK(*(*log)->append(batch(2, 5000, 2)) == 2);
  CHECK((*log)->last_sequence() == 2);
  auto records = read_all(dir.path, 0);
  REQUIRE(records.size() == 2);
  CHECK(records[0].sequence == 1);
  REQUIRE(records[0].readings.size() == 3);
  CHECK(records[0].readings[2].time == 3000);
  CHECK(records[0].readings[2].value == 2.0);
  CHECK(records[0].readings[2].target == counter(1));
  CHECK(records[0].readings[2].what == twin::quantity::vehicle_flow);
  CHECK(read_all(dir.path, 1).size() == 1);
}

TEST_CASE("a journal reader follows a journal while it is written",
          "[archive][journal]") {
  test::scratch_folder dir{"journal", "follow"};
  journal::options opts;
  opts.max_file_bytes = 200; // a new file every few records
  auto log = journal::open(dir.path, opts);
  REQUIRE(log);
  journal_reader reader{dir.path, 0};
  std::vector<journal_record> out;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 3; ++i)
      REQUIRE((*log)->append(batch(1, round * 10'000 + i * 1000, 2)));
    REQUIRE_FALSE(reader.read(out, 1'000'000));
    CHECK(out.size() == static_cast<size_t>((round + 1) * 3));
  }
  for (size_t i = 0; i < out.size(); ++i)
    CHECK(out[i].sequence == i + 1);
  // Files wholly archived go; the one being written stays.
  auto files = [&] {
    return std::distance(fs::directory_iterator{dir.path},
                         fs::directory_iterator{});
  };
  auto before = files();
  CHECK(before > 2);
  (*log)->release_through(15);
  CHECK(files() == 1);
  REQUIRE((*log)->append(batch(1, 99'000, 1)));
  CHECK(read_all(dir.path, 15).size() == 1);
}

TEST_CASE("an unfinished last record is cut off at open and damage "
          "elsewhere is refused",
          "[archive][journal]") {
  test::scratch_folder dir{"journal", "torn"};
  {
    auto log = journal::open(dir.path);
    REQUIRE(log);
    REQUIRE((*log)->append(batch(1, 1000, 4)));
    REQUIRE((*log)->append(batch(1, 9000, 4)));
  }
  auto file = fs::directory_iterator{dir.path}->path();
  auto size = fs::file_size(file);
  SECTION("a record cut short by a crash: never acknowledged, dropped") {
    fs::resize_file(file, size - 7);
    auto log = journal::open(dir.path);
    REQUIRE(log);
    CHECK((*log)->stats().torn_tail_bytes > 0);
    CHECK((*log)->last_sequence() == 1);
    REQUIRE((*log)->append(batch(1, 20'000, 1)));
    auto records = read_all(dir.path, 0);
    REQUIRE(records.size() == 2);
    CHECK(records[1].sequence == 2);
    CHECK(records[1].readings.front().time == 20'000);
  }
  SECTION("a flipped byte in a record followed by more records of an "
          "older file") {
    {
      journal::options opts;
      opts.max_file_bytes = 1; // the next record starts a new file
      auto log = journal::open(dir.path, opts);
      REQUIRE(log);
      REQUIRE((*log)->append(batch(1, 30'000, 1)));
    }
    std::fstream f{file, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(30);
    f.put('\x7f');
    f.close();
    auto log = journal::open(dir.path);
    REQUIRE_FALSE(log);
    CHECK(log.error() == twin::errc::corrupt_file);
    CHECK_THAT(twin::describe(log.error()), Contains(file.string()));
    CHECK_THAT(twin::describe(log.error()), Contains("move"));
  }
}

TEST_CASE("a tenant's archive serves readings from memory then from its "
          "segments and after a crash from its journal",
          "[archive][journal]") {
  test::scratch_folder dir{"journal", "tenant"};
  archive_options opts;
  opts.root = dir.path;
  opts.tenant = "test";
  opts.city = "test";
  {
    auto a = tenant_archive::open(opts);
    REQUIRE(a);
    auto keep = keep_in(*a);
    REQUIRE_FALSE(keep(batch(1, 1000, 10)));
    REQUIRE(*(*a)->catch_up(1'000'000) == 10);
    auto xs = (*a)->read(flow_of(1), 0, 100'000);
    REQUIRE(xs);
    CHECK(xs->size() == 10);
    REQUIRE_FALSE((*a)->publish(std::chrono::steady_clock::now()));
    CHECK((*a)->stats().segments == 1);
    CHECK((*a)->stats().buffered == 0);
    xs = (*a)->read(flow_of(1), 3000, 6000);
    REQUIRE(xs);
    REQUIRE(xs->size() == 3);
    CHECK(xs->front().time == 3000);
    // Acknowledged after the segment, then the server dies: journal only.
    REQUIRE_FALSE(keep(batch(1, 11'000, 5)));
    REQUIRE_FALSE(keep(batch(2, 11'000, 5)));
  }
  auto a = tenant_archive::open(opts);
  REQUIRE(a);
  CHECK(*(*a)->catch_up(1'000'000) == 10); // only what no segment holds
  auto xs = (*a)->read(flow_of(1), 0, 100'000);
  REQUIRE(xs);
  CHECK(xs->size() == 15);
  auto last = (*a)->read_last(flow_of(1), 4, 100'000);
  REQUIRE(last);
  REQUIRE(last->size() == 4);
  CHECK(last->back().time == 15'000);
  // A reading delivered again (the broker resends what was not
  // acknowledged) is one sample.
  REQUIRE_FALSE(keep_in(*a)(batch(2, 11'000, 5)));
  REQUIRE(*(*a)->catch_up(1'000'000) == 5);
  REQUIRE_FALSE((*a)->publish(std::chrono::steady_clock::now()));
  xs = (*a)->read(flow_of(2), 0, 100'000);
  REQUIRE(xs);
  CHECK(xs->size() == 5);
  auto names = (*a)->streams_of(flow_of(2).entity);
  REQUIRE(names.size() == 1);
  CHECK(names.front().quantity == "intensity");
}

TEST_CASE("derived streams are kept like readings: in memory then in a "
          "segment",
          "[archive][journal]") {
  test::scratch_folder dir{"journal", "derived"};
  archive_options opts;
  opts.root = dir.path;
  opts.tenant = "test";
  opts.city = "test";
  stream_name aggregate{"urn:ngsi-ld:VirtualSensor:test:mean-flow-all",
                        "value"};
  stream_name alert{"urn:ngsi-ld:Alert:test:000001", "status"};
  {
    auto a = tenant_archive::open(opts);
    REQUIRE(a);
    for (int i = 0; i < 5; ++i)
      (*a)->keep_derived(aggregate, {1000 + i * 1000, 10.5 + i});
    (*a)->keep_derived(alert, {2500, 0}); // raised
    (*a)->keep_derived(alert, {4500, 2}); // cleared
    CHECK((*a)->stats().buffered == 7);
    // Due with nothing journaled: derived samples alone make a segment.
    CHECK((*a)->segment_due(std::chrono::steady_clock::now()
                            + std::chrono::hours{1}));
    auto xs = (*a)->read(aggregate, 2000, 4000);
    REQUIRE(xs);
    REQUIRE(xs->size() == 2);
    CHECK(xs->front() == sample{2000, 11.5});
    CHECK((*a)->streams_of(alert.entity) == std::vector<stream_name>{alert});
    REQUIRE_FALSE((*a)->publish(std::chrono::steady_clock::now()));
    CHECK((*a)->stats().segments == 1);
    CHECK((*a)->stats().buffered == 0);
  }
  // After a restart, from the segment alone.
  auto a = tenant_archive::open(opts);
  REQUIRE(a);
  auto xs = (*a)->read(alert, 0, 10'000);
  REQUIRE(xs);
  CHECK(*xs == std::vector<sample>{{2500, 0}, {4500, 2}});
  auto last = (*a)->read_last(aggregate, 2, 10'000);
  REQUIRE(last);
  CHECK(*last == std::vector<sample>{{4000, 13.5}, {5000, 14.5}});
  CHECK((*a)->streams_of(aggregate.entity)
        == std::vector<stream_name>{aggregate});
}

TEST_CASE("temporal query parameters are checked before anything is read",
          "[archive][temporal]") {
  auto parse = [](std::map<std::string, std::string> kv) {
    temporal_params p;
    auto at = [&](const char* k) -> const std::string* {
      auto i = kv.find(k);
      return i == kv.end() ? nullptr : &i->second;
    };
    p.timerel = at("timerel");
    p.time_at = at("timeAt");
    p.end_time_at = at("endTimeAt");
    p.last_n = at("lastN");
    p.aggr_methods = at("aggrMethods");
    p.aggr_period = at("aggrPeriodDuration");
    return parse_temporal_query(p);
  };
  auto q = parse({{"timerel", "between"},
                  {"timeAt", "2024-01-01T00:00:00Z"},
                  {"endTimeAt", "2024-01-02T00:00:00Z"},
                  {"aggrMethods", "avg,max,totalCount"},
                  {"aggrPeriodDuration", "PT15M"}});
  REQUIRE(q);
  CHECK(q->period == 15 * 60'000);
  CHECK(q->methods.size() == 3);
  CHECK(q->to - q->from == 86'400'000);
  auto refused = [&](std::map<std::string, std::string> kv,
                     const std::string& why) {
    auto r = parse(std::move(kv));
    REQUIRE_FALSE(r);
    CHECK_THAT(twin::describe(r.error()), Contains(why));
  };
  refused({{"timerel", "between"},
           {"timeAt", "2024-01-02T00:00:00Z"},
           {"endTimeAt", "2024-01-01T00:00:00Z"}},
          "inverted");
  refused({{"timerel", "around"}, {"timeAt", "2024-01-02T00:00:00Z"}},
          "timerel");
  refused({{"timerel", "before"}}, "timeAt");
  refused({{"timerel", "before"}, {"timeAt", "yesterday"}}, "ISO 8601");
  refused({{"lastN", "0"}}, "lastN");
  refused({{"lastN", "99999999999"}}, "lastN");
  refused({{"aggrMethods", "median"}, {"aggrPeriodDuration", "PT1H"}},
          "median");
  refused({{"aggrMethods", "avg"}}, "aggrPeriodDuration");
  refused({{"aggrMethods", "avg"}, {"aggrPeriodDuration", "P1Y"}},
          "ISO 8601 duration");
  refused({{"aggrMethods", "avg"}, {"aggrPeriodDuration", "PT0.001S"}},
          "between 1 s");
  refused({{"timerel", "between"},
           {"timeAt", "2000-01-01T00:00:00Z"},
           {"endTimeAt", "2024-01-01T00:00:00Z"},
           {"aggrMethods", "avg"},
           {"aggrPeriodDuration", "PT1S"}},
          "periods");
}

TEST_CASE("ISO 8601 durations and aggregation periods",
          "[archive][temporal]") {
  CHECK(parse_iso_duration("PT15M") == 900'000);
  CHECK(parse_iso_duration("P1DT1H") == 90'000'000);
  CHECK(parse_iso_duration("PT0.5S") == 500);
  CHECK_FALSE(parse_iso_duration("PT"));
  CHECK_FALSE(parse_iso_duration("P1M")); // months vary
  CHECK_FALSE(parse_iso_duration("PT1M1H")); // out of order
  CHECK_FALSE(parse_iso_duration("15m"));
  std::vector<sample> xs{{0, 1}, {1000, 3}, {5000, 2}, {61'000, 10}};
  auto buckets = aggregate(xs, 0, 60'000);
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0].value(aggr_method::avg) == Approx(2.0));
  CHECK(buckets[0].value(aggr_method::total_count) == 3);
  CHECK(buckets[0].value(aggr_method::max) == 3);
  CHECK(buckets[1].start == 60'000);
  CHECK(buckets[1].value(aggr_method::sum) == 10);
  // Periods start at the origin, also for samples before it.
  buckets = aggregate(xs, 30'000, 60'000);
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0].start == -30'000);
}

TEST_CASE("a full disk refuses to journal and keeps what was kept while "
          "the archive keeps serving",
          "[archive][journal]") {
  // The file size limit stands in for a full disk: writes past it fail
  // with EFBIG (SIGXFSZ ignored), deterministically and without a mount.
  test::scratch_folder dir{"journal", "full"};
  archive_options opts;
  opts.root = dir.path;
  opts.tenant = "test";
  opts.city = "test";
  auto a = tenant_archive::open(opts);
  REQUIRE(a);
  auto keep = keep_in(*a);
  REQUIRE_FALSE(keep(batch(1, 1000, 10)));
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 2000; // bytes per file
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  size_t kept = 0;
  caf::error refusal;
  for (int i = 0; i < 100 && !refusal; ++i) {
    refusal = keep(batch(1, 20'000 + i * 100'000, 10));
    if (!refusal)
      ++kept;
  }
  // A segment cannot be written either: counted, samples stay in memory.
  REQUIRE(*(*a)->catch_up(1'000'000) == 10 * (kept + 1));
  auto segment_failure = (*a)->publish(std::chrono::steady_clock::now());
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE(refusal);
  CHECK(refusal == twin::errc::out_of_space);
  CHECK(kept > 0);
  CHECK((*a)->stats().journal.refused == 1);
  CHECK(segment_failure);
  CHECK((*a)->stats().write_errors == 1);
  auto xs = (*a)->read(flow_of(1), 0, std::numeric_limits<twin::time_ms>::max());
  REQUIRE(xs);
  CHECK(xs->size() == 10 * (kept + 1));
  // Space again: the next segment holds everything, the journal reopens
  // without damage and nothing refused was kept.
  REQUIRE_FALSE((*a)->publish(std::chrono::steady_clock::now()));
  CHECK((*a)->stats().segments == 1);
  auto records = read_all(dir.path / "test" / "journal", 0);
  CHECK(records.size() == kept + 1);
  REQUIRE_FALSE(keep(batch(1, 50'000'000, 1)));
  CHECK(journal::open(dir.path / "test" / "journal"));
}
