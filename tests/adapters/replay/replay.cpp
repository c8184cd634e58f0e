// tests/adapters/replay/replay.cpp
// small inline files and on the real recordings (skipped when absent).
#include "adapters/replay/csv_events.hpp"
#include "adapters/replay/dataset.hpp"
#include "adapters/replay/player.hpp"

#include "skip.hpp"
#include "test_data.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

using namespace citytwin;
using namespace citytwin::replay;

namespace {

namespace fs = std::filesystem;

caf::expected<dataset> parse(const std::string& text) {
  std::istringstream in{text};
  return read_dataset(in, "inline.conf");
}

const std::string small_description = "files = d/*.csv\n"
                                      "time = ts\n"
                                      "zone = +02:00\n"
                                      "sensor_column = id\n"
                                      "topic = city/t/k/{sensor}\n"
                                      "base_name = urn:dev:k:{sensor}:\n"
                                      "field = free_spaces - cap-used\n"
                                      "field = temperature Cel temp\n";

// A scratch directory removed at the end of the test.
struct scratch_dir {
  fs::path path = fs::temp_directory_path()
                  / ("citytwin-replay-" + std::to_string(::getpid()));
  scratch_dir() {
    fs::create_directories(path / "d");
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream{path / name} << text;
  }
};

} // namespace

TEST_CASE("dataset descriptions are parsed and checked", "[adapters]") {
  auto ds = parse(small_description);
  REQUIRE(ds);
  CHECK_FALSE(ds->zone.has_dst());
  CHECK(ds->zone.standard_offset() == 2 * 3600);
  REQUIRE(ds->fields.size() == 2);
  CHECK(ds->fields[0].unit.empty());
  REQUIRE(ds->fields[0].terms.size() == 2);
  CHECK(ds->fields[0].terms[1] == std::pair<int, std::string>{-1, "used"});
  CHECK(expand(ds->topic, "P1") == "city/t/k/P1");
  auto bad = parse("files = x\nzone = CEST\nfield = a b\nwhat = ever\n");
  REQUIRE_FALSE(bad);
  auto text = twin::describe(bad.error());
  for (auto needle : {":2: zone", ":3: field", ":4: unknown key", "no 'time'",
                      "sensor_column", "'topic'"})
    CHECK(text.find(needle) != std::string::npos);
}

TEST_CASE("CSV cells split with quotes and CRLF", "[adapters]") {
  CHECK(split_csv("a,b,,c\r", ',') == std::vector<std::string>{"a", "b", "",
                                                                "c"});
  CHECK(split_csv(R"(x,"Aarhus, C","say ""hi""")", ',')
        == std::vector<std::string>{"x", "Aarhus, C", R"(say "hi")"});
  CHECK(split_csv("1;2;", ';') == std::vector<std::string>{"1", "2", ""});
}

TEST_CASE("CSV rows become time-ordered SenML events", "[adapters]") {
  scratch_dir dir;
  // Two files, out of order between them; CRLF; a repeated header; an
  // empty cell; a row without values; a bad time; a short row.
  dir.write("d/a.csv", "id,ts,cap,used,temp\r\n"
                       "P1,2014-08-01T10:00:00,100,40,12.5\r\n"
                       "P1,2014-08-01T10:10:00,100,130,\r\n"
                       "id,ts,cap,used,temp\r\n"
                       "P1,2014-08-01T10:20:00,,,\r\n"
                       "P1,yesterday,100,1,1\r\n"
                       "P1,2014-08-01T10:30:00\r\n");
  dir.write("d/b.csv", "id,ts,cap,used,temp\n"
                       "P2,2014-08-01T10:05:00,50,x,3\n"
                       "P2,2014-08-01T10:00:00,50,10,4\n");
  auto ds = parse(small_description);
  REQUIRE(ds);
  load_report report;
  auto events = load_events(*ds, dir.path.string(), report);
  REQUIRE(events);
  CHECK(report.files == 2);
  CHECK(report.rows == 7);
  CHECK(report.repeated_headers == 1);
  CHECK(report.bad_time == 1);
  CHECK(report.bad_columns == 1);
  CHECK(report.empty_rows == 1);
  // temp of row 2; cap and temp of row 3 (which is then skipped).
  CHECK(report.empty_fields == 3);
  CHECK(report.bad_numbers == 1);  // used = x
  REQUIRE(events->size() == 4);
  // 10:00 P1 (file a first), 10:00 P2, 10:05 P2, 10:10 P1; +02:00 zone.
  CHECK((*events)[0].topic == "city/t/k/P1");
  CHECK((*events)[1].topic == "city/t/k/P2");
  CHECK((*events)[0].time == 1'406'880'000'000);
  CHECK((*events)[0].payload
        == R"([{"bn":"urn:dev:k:P1:","bt":1406880000,"n":"free_spaces",)"
           R"("v":60},{"n":"temperature","u":"Cel","v":12.5}])");
  // 100 - 130: negative free spaces are published as recorded.
  CHECK((*events)[3].payload
        == R"([{"bn":"urn:dev:k:P1:","bt":1406880600,"n":"free_spaces",)"
           R"("v":-30}])");
  CHECK((*events)[2].payload.find("free_spaces") == std::string::npos);
}

TEST_CASE("CSV local times follow the dataset's daylight saving rule",
          "[adapters]") {
  scratch_dir dir;
  // Around the end of Danish summer time, 2014-10-26 03:00 local: 02:28
  // is read as its first (summer time) occurrence, 03:28 is winter time.
  dir.write("d/a.csv", "id,ts,cap,used,temp\n"
                       "P1,2014-10-26 01:58:00,10,1,\n"
                       "P1,2014-10-26 02:28:00,10,2,\n"
                       "P1,2014-10-26 03:28:00,10,3,\n"
                       "P1,2014-10-26T04:00:00Z,10,4,\n");
  auto text = small_description;
  text.replace(text.find("+02:00"), 6, "CET-1CEST,M3.5.0,M10.5.0/3");
  auto ds = parse(text);
  REQUIRE(ds);
  CHECK(ds->zone.has_dst());
  load_report report;
  auto events = load_events(*ds, dir.path.string(), report);
  REQUIRE(events);
  REQUIRE(events->size() == 4);
  // 01:58 and 02:28 at +02:00, 03:28 at +01:00, the last as written.
  CHECK((*events)[0].time == 1'414'281'480'000); // 2014-10-25T23:58Z
  CHECK((*events)[1].time == 1'414'283'280'000); // 2014-10-26T00:28Z
  CHECK((*events)[2].time == 1'414'290'480'000); // 2014-10-26T02:28Z
  CHECK((*events)[3].time == 1'414'296'000'000); // 2014-10-26T04:00Z
  CHECK((*events)[2].payload.find("\"bt\":1414290480,") != std::string::npos);
}

TEST_CASE("replay speeds parse", "[adapters]") {
  CHECK(parse_speed("300x") == 300.0);
  CHECK(parse_speed("60") == 60.0);
  CHECK(parse_speed("max") == 0.0);
  CHECK_FALSE(parse_speed("0x"));
  CHECK_FALSE(parse_speed("fast"));
}

TEST_CASE("the recorded datasets load with their quirks", "[adapters]") {
  auto data_dir = test::shared_data_dir() + "/streams";
  test::require_path(data_dir, test::shared_data_hint);
  auto load = [&](const std::string& name, load_report& report) {
    auto ds = load_dataset(test::project_data_dir() + "/datasets/" + name
                           + ".conf");
    REQUIRE(ds);
    auto events = load_events(*ds, data_dir, report);
    REQUIRE(events);
    CHECK(std::is_sorted(events->begin(), events->end(),
                         [](const event& a, const event& b) {
                           return a.time < b.time;
                         }));
    for (const auto& e : *events)
      REQUIRE(e.topic.find('\r') == std::string::npos);
    return std::move(*events);
  };
  SECTION("traffic: CRLF, duplicate timestamps") {
    load_report report;
    auto events = load("aarhus-traffic", report);
    CHECK(report.files == 12);
    CHECK(report.rows == 192'331); // as documented in the dataset README
    CHECK(events.size() == report.rows);
    // Sensor 158475 reports 2014-08-18T01:10 (23:10Z the day before) in
    // three identical rows; the dataset README says "twice".
    constexpr twin::time_ms twice = 1'408'317'000'000;
    auto n = std::count_if(events.begin(), events.end(), [&](const event& e) {
      return e.time == twice && e.topic == "city/aarhus/traffic/158475";
    });
    CHECK(n == 3);
  }
  SECTION("weather: empty cells") {
    load_report report;
    auto events = load("aarhus-weather", report);
    CHECK(report.rows == 4'357);
    CHECK(report.empty_rows == 1); // ",,,2014-08-27T05:00:00"
    CHECK(report.empty_fields > 0);
    CHECK(events.size() == 4'356);
  }
  SECTION("parking: negative free spaces are kept") {
    load_report report;
    auto events = load("aarhus-parking", report);
    CHECK(events.size() == 55'264);
    auto negative = std::count_if(events.begin(), events.end(),
                                  [](const event& e) {
                                    return e.payload.find("\"v\":-")
                                           != std::string::npos;
                                  });
    // vehiclecount > totalspaces: 3,888 + 630 + 1 + 1 rows (README).
    CHECK(negative == 4'520);
    // Summer time ends 2014-10-26 03:00 local. NORREPORT's rows at 01:58
    // (+02:00) and 03:28 (+01:00) are 2.5 hours apart, not 1.5.
    auto rows_at = [&](const std::string& bt) {
      return std::count_if(events.begin(), events.end(), [&](const event& e) {
        return e.topic == "city/aarhus/parking/NORREPORT"
               && e.payload.find("\"bt\":" + bt + ",") != std::string::npos;
      });
    };
    // 2014-10-26T01:58:41.665+02:00 and 2014-10-26T03:28:41.678+01:00.
    CHECK(rows_at("1414281521.665") == 1);
    CHECK(rows_at("1414290521.678") == 1);
  }
  SECTION("luftdaten: one file per sensor and day, ';'") {
    load_report report;
    auto events = load("aberdeen-pm", report);
    CHECK(report.files == 161);
    CHECK(report.rows == 90'649);
    std::set<std::string> sensors;
    for (const auto& e : events)
      sensors.insert(e.topic);
    CHECK(sensors.size() == 23);
  }
}
