// tests/adapters/replay/archive_source.cpp: an archived interval read
// window by window from segment files, read-only, and the refusals that
// keep a replay away from the live tenant.
#include "adapters/replay/archive_source.hpp"

#include "adapters/archive/segment_file.hpp"
#include "twin/civil_time.hpp"
#include "twin/error.hpp"
#include "twin/wire.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace citytwin;
using namespace citytwin::replay;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;

// 2024-05-17T15:00:00Z.
constexpr twin::time_ms t0 = 1'715'958'000'000;
constexpr twin::time_ms day = 86'400'000;

const std::string counter_urn = "urn:ngsi-ld:TrafficCounter:demo:000000";
const std::string lamp_urn = "urn:ngsi-ld:StreetLight:demo:000007";

// An archive root with tenant `demo`: one segment at t0, one two days
// later (a gap the replay jumps over), an alert stream and the `.tmp`
// file of a write in progress. Removed at the end of the test.
struct archive_root {
  fs::path path = fs::temp_directory_path()
                  / ("citytwin_replay_archive_" + std::to_string(::getpid()));
  fs::path tmp_file = path / "demo" / "segments" / "writing.h5.tmp";

  archive_root() {
    fs::remove_all(path);
    auto segments = path / "demo" / "segments";
    fs::create_directories(segments);
    std::vector<archive::stream_block> first = {
        {{counter_urn, "intensity"}, "1/h", {{t0, 10}, {t0 + 1000, 11}}},
        {{lamp_urn, "dimLevel"}, "/", {{t0 + 500, 0.5}}},
        {{"urn:ngsi-ld:Alert:demo:a1", "severity"}, "", {{t0, 1}}},
    };
    std::vector<archive::stream_block> later = {
        {{counter_urn, "intensity"}, "1/h", {{t0 + 2 * day, 12}}},
    };
    REQUIRE(!archive::write_segment(segments / "a-000001.h5", {"demo", 0, 0, 1},
                                    first));
    REQUIRE(!archive::write_segment(segments / "b-000002.h5", {"demo", 0, 0, 2},
                                    later));
    std::ofstream{tmp_file} << "a running server's write";
  }

  ~archive_root() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }

  archive_request request(std::string into = "demo-replay") const {
    archive_request result;
    result.root = path.string();
    result.tenant = "demo";
    result.into = std::move(into);
    result.from = twin::format_iso_time(t0 - day);
    result.to = twin::format_iso_time(t0 + 3 * day);
    return result;
  }
};

// The refusal of `req`, which must be invalid_config.
std::string refusal(const archive_request& req) {
  auto source = archive_source::open(req);
  REQUIRE(!source);
  CHECK(source.error().code()
        == static_cast<uint8_t>(twin::errc::invalid_config));
  return twin::describe(source.error());
}

size_t readings_in(const std::vector<event>& events) {
  size_t result = 0;
  for (const auto& x : events) {
    size_t skipped = 0;
    auto batch = twin::decode_readings(x.payload, skipped);
    REQUIRE(batch);
    result += batch->size();
  }
  return result;
}

} // namespace

TEST_CASE("archive replay: an interval is read window by window across "
          "a gap without touching the archive",
          "[adapters]") {
  archive_root root;
  auto source = archive_source::open(root.request());
  INFO((source ? "" : twin::describe(source.error())));
  REQUIRE(source);
  CHECK(source->topic() == "city/demo-replay/archive/replay");
  // The counter and the lamp; the alert is no twin entity.
  CHECK(source->selection().streams.size() == 2);
  CHECK(source->selection().num_foreign == 1);
  // The first hour: t0 (counter, lamp at +500 ms) and t0 + 1 s.
  auto first = source->next();
  REQUIRE(first);
  REQUIRE(first->size() == 2);
  CHECK(first->front().time == t0);
  CHECK(readings_in(*first) == 3);
  // Then the segment two days later, without reading the hours between.
  auto later = source->next();
  REQUIRE(later);
  REQUIRE(later->size() == 1);
  CHECK(later->front().time == t0 + 2 * day);
  auto done = source->next();
  REQUIRE(done);
  CHECK(done->empty());
  CHECK(source->totals().readings == 4);
  CHECK(source->totals().messages == 3);
  CHECK(source->totals().windows == 2);
  // Read-only: the server's write in progress is left alone.
  CHECK(fs::exists(root.tmp_file));
}

TEST_CASE("archive replay: the interval is half-open and may hold nothing",
          "[adapters]") {
  archive_root root;
  auto req = root.request();
  req.from = twin::format_iso_time(t0 + 500);
  req.to = twin::format_iso_time(t0 + 1000);
  auto source = archive_source::open(req);
  REQUIRE(source);
  auto only = source->next();
  REQUIRE(only);
  // The lamp at +500 ms; the counter at +1000 ms is `to`, left out.
  CHECK(readings_in(*only) == 1);
  req.from = twin::format_iso_time(t0 - 2 * day);
  req.to = twin::format_iso_time(t0 - day);
  source = archive_source::open(req);
  REQUIRE(source);
  auto nothing = source->next();
  REQUIRE(nothing);
  CHECK(nothing->empty());
  // Only the counters' type: one stream, the lamp's filtered out.
  req = root.request();
  req.types = {"TrafficCounter"};
  source = archive_source::open(req);
  REQUIRE(source);
  CHECK(source->selection().streams.size() == 1);
  CHECK(source->selection().num_filtered == 1);
}

TEST_CASE("archive replay: requests that could reach the live tenant or "
          "read nothing are refused",
          "[adapters]") {
  archive_root root;
  CHECK_THAT(refusal(root.request("demo")), Contains("into itself"));
  CHECK_THAT(refusal(root.request("")), Contains("--into TENANT is required"));
  CHECK_THAT(refusal(root.request("a/b")), Contains("not a topic level"));
  auto req = root.request();
  req.to = req.from;
  CHECK_THAT(refusal(req), Contains("is empty"));
  req = root.request();
  req.from = "last Friday";
  CHECK_THAT(refusal(req), Contains("not an ISO 8601 time"));
  req = root.request();
  req.tenant = "nobody";
  CHECK_THAT(refusal(req), Contains("tenants there: demo"));
  req = root.request();
  req.types = {"Spaceship"};
  CHECK_THAT(refusal(req), Contains("unknown entity type 'Spaceship'"));
  // A copy of the tenant under another folder name: its URNs still name
  // city `demo`, whose live twin listens on city/demo/...
  fs::copy(root.path / "demo", root.path / "copy", fs::copy_options::recursive);
  req = root.request("demo");
  req.tenant = "copy";
  CHECK_THAT(refusal(req), Contains("archived city's own"));
}
