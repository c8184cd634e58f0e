// tests/adapters/archive/export.cpp: a tenant's ownership of its data
// (issue 13): export as CSV, GeoJSON and HDF5 files, erase, the lock that
// keeps an erase away from a running server, and the audit log.
#include "adapters/archive/archive_view.hpp"
#include "adapters/archive/audit_trail.hpp"
#include "adapters/archive/csv_export.hpp"
#include "adapters/archive/erase_command.hpp"
#include "adapters/archive/export_command.hpp"
#include "adapters/archive/geojson_export.hpp"
#include "adapters/archive/tenant_archive.hpp"

#include "twin/city_file.hpp"
#include "twin/entity_id.hpp"
#include "twin/error.hpp"
#include "scratch_folder.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace citytwin;
using namespace citytwin::archive;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;

// Two intersections, a two-way street (the second direction with a bend),
// two traffic counters: 6 entities.
constexpr const char* city_text = R"(citytwin-city 1
city name=test lon=10.0 lat=56.0 utc_offset_min=0
intersection 0 lon=10.0 lat=56.0
intersection 1 lon=10.001 lat=56.0
road_segment 0 from=0 to=1 length=62.3 name=Main%20St
road_segment 1 from=1 to=0 length=62.3 shape=10.0005,56.0001
traffic_counter 1 segment=0 lon=10.0003 lat=56.0
traffic_counter 2 segment=1 lon=10.0004 lat=56.0
)";

// 2023-11-14T22:13:20.000Z
constexpr twin::time_ms t0 = 1'700'000'000'000;

twin::reading flow(uint32_t counter, twin::time_ms t, double value) {
  return {{twin::entity_kind::traffic_counter, counter}, t, value,
          twin::quantity::vehicle_flow};
}

twin::reading speed(uint32_t counter, twin::time_ms t, double value) {
  return {{twin::entity_kind::traffic_counter, counter}, t, value,
          twin::quantity::mean_speed};
}

archive_options options_for(const fs::path& root) {
  archive_options result;
  result.root = root;
  result.tenant = "test";
  result.city = "test";
  return result;
}

// What a server leaves: two segments, then readings only in the journal
// (it stopped before the next segment), one of which gives a time already
// in a segment a new value.
void write_archive(const fs::path& root) {
  auto a = tenant_archive::open(options_for(root));
  REQUIRE(a);
  auto keep = keep_in(*a);
  auto publish = [&] {
    for (;;) {
      auto n = (*a)->catch_up(1'000'000);
      REQUIRE(n);
      if (*n == 0)
        break;
    }
    REQUIRE_FALSE((*a)->publish(std::chrono::steady_clock::now()));
  };
  REQUIRE_FALSE(keep({flow(1, t0, 10), flow(1, t0 + 1000, 11),
                      flow(1, t0 + 2000, 12.5), flow(2, t0, 7)}));
  publish();
  REQUIRE_FALSE(keep({flow(1, t0 + 3000, 13)}));
  publish();
  REQUIRE_FALSE(keep({flow(1, t0 + 2000, 99), flow(1, t0 + 4000, 14),
                      speed(2, t0 + 500, 42.25)}));
}

fs::path write_city(const fs::path& folder) {
  auto result = folder / "test.city";
  std::ofstream{result} << city_text;
  return result;
}

std::string read_text(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::vector<nlohmann::json> audit_lines(const fs::path& root) {
  std::vector<nlohmann::json> result;
  std::ifstream in{root / "audit.log"};
  for (std::string line; std::getline(in, line);)
    result.push_back(nlohmann::json::parse(line));
  return result;
}

// Every file of a folder with its size and modification time: what "the
// archive is unchanged" means.
std::map<std::string, std::pair<uintmax_t, fs::file_time_type>>
listing(const fs::path& folder) {
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> result;
  for (const auto& e : fs::recursive_directory_iterator{folder})
    if (e.is_regular_file())
      result[e.path().string()] = {e.file_size(), e.last_write_time()};
  return result;
}

const std::string c1 = "urn:ngsi-ld:TrafficCounter:test:000001";
const std::string c2 = "urn:ngsi-ld:TrafficCounter:test:000002";

} // namespace

TEST_CASE("a CSV export holds every sample of every stream including the "
          "journal's",
          "[archive][export]") {
  test::scratch_folder dir{"export", "csv"};
  write_archive(dir.path);
  auto before = listing(dir.path / "test");
  auto view = archive_view::open(dir.path, "test", "test");
  REQUIRE(view);
  // Counter 1's flow, counter 2's flow (segments) and speed (journal only).
  REQUIRE(view->streams().size() == 3);
  CHECK(view->journal_samples() == 3);
  // Counter 1's flow starts in both segments: read in three pieces.
  CHECK(view->pieces({c1, "intensity"}, 0, t0 + 10'000).size() == 4);
  auto out = dir.path / "all.csv";
  auto report = write_csv(*view, out);
  REQUIRE(report);
  // Stream order is byte order: counter 1, then counter 2's
  // averageVehicleSpeed before its intensity. The journal's 99 replaces
  // the segment's 12.5 at 22:13:22.
  CHECK(read_text(out)
        == "entity,attribute,time,value,unit\n"
           + c1 + ",intensity,2023-11-14T22:13:20.000Z,10,1/h\n"
           + c1 + ",intensity,2023-11-14T22:13:21.000Z,11,1/h\n"
           + c1 + ",intensity,2023-11-14T22:13:22.000Z,99,1/h\n"
           + c1 + ",intensity,2023-11-14T22:13:23.000Z,13,1/h\n"
           + c1 + ",intensity,2023-11-14T22:13:24.000Z,14,1/h\n"
           + c2 + ",averageVehicleSpeed,2023-11-14T22:13:20.500Z,42.25,km/h\n"
           + c2 + ",intensity,2023-11-14T22:13:20.000Z,7,1/h\n");
  CHECK(report->samples == 7);
  CHECK(report->items == 3);
  CHECK(report->bytes == fs::file_size(out));
  CHECK_FALSE(fs::exists(dir.path / "all.csv.tmp"));
  // [22:13:21, 22:13:23.500): three of counter 1's, nothing of counter 2.
  auto part = dir.path / "part.csv";
  report = write_csv(*view, part, t0 + 1000, t0 + 3500);
  REQUIRE(report);
  CHECK(report->samples == 3);
  CHECK(report->items == 1);
  CHECK(read_text(part)
        == "entity,attribute,time,value,unit\n"
           + c1 + ",intensity,2023-11-14T22:13:21.000Z,11,1/h\n"
           + c1 + ",intensity,2023-11-14T22:13:22.000Z,99,1/h\n"
           + c1 + ",intensity,2023-11-14T22:13:23.000Z,13,1/h\n");
  CHECK(listing(dir.path / "test") == before);
}

TEST_CASE("a GeoJSON export lists every entity of the city with its newest "
          "values and the entities created beyond it",
          "[archive][export]") {
  test::scratch_folder dir{"export", "geojson"};
  write_archive(dir.path);
  auto c = twin::load_city(write_city(dir.path).string());
  REQUIRE(c);
  auto latest = read_latest_state(dir.path / "test");
  REQUIRE(latest);
  // Counter 1's flow, counter 2's flow and speed.
  REQUIRE(latest->size() == 3);
  auto out = dir.path / "city.geojson";
  // Beyond the city file: a sensor the unknown-id policy created and an
  // entity created through the API.
  std::vector<created_binding> created{
    {"lot-x:", {twin::entity_kind::parking_sensor, 7}}};
  std::vector<nlohmann::json> api{
    {{"id", "urn:ngsi-ld:Bench:test:b1"},
     {"type", "Bench"},
     {"seats", {{"type", "Property"}, {"value", 4}}},
     {"location",
      {{"type", "GeoProperty"},
       {"value", {{"type", "Point"}, {"coordinates", {10.5, 56.1}}}}}}}};
  auto report = write_geojson(*c, *latest, created, api, out);
  REQUIRE(report);
  CHECK(report->items == 8);
  CHECK(report->samples == 3);
  auto doc = nlohmann::json::parse(read_text(out));
  CHECK(doc["type"] == "FeatureCollection");
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& f : doc["features"])
    by_id[f["id"].get<std::string>()] = f;
  REQUIRE(by_id.size() == 8);
  const auto& lot = by_id.at("urn:ngsi-ld:ParkingSensor:test:000007");
  CHECK(lot["geometry"].is_null());
  CHECK(lot["properties"]["type"] == "ParkingSensor");
  CHECK(lot["properties"]["external"] == "lot-x:");
  const auto& bench = by_id.at("urn:ngsi-ld:Bench:test:b1");
  CHECK(bench["geometry"]["type"] == "Point");
  CHECK(bench["geometry"]["coordinates"][1] == 56.1);
  CHECK(bench["properties"]["type"] == "Bench");
  CHECK(bench["properties"]["seats"] == 4);
  const auto& street = by_id.at("urn:ngsi-ld:RoadSegment:test:000000");
  CHECK(street["geometry"]["type"] == "LineString");
  CHECK(street["geometry"]["coordinates"].size() == 2);
  CHECK(street["properties"]["type"] == "RoadSegment");
  CHECK(street["properties"]["name"] == "Main St");
  // From intersection 1 through its bend to intersection 0.
  const auto& back = by_id.at("urn:ngsi-ld:RoadSegment:test:000001");
  CHECK(back["geometry"]["coordinates"].size() == 3);
  CHECK_FALSE(back["properties"].contains("name"));
  const auto& crossing = by_id.at("urn:ngsi-ld:Intersection:test:000001");
  CHECK(crossing["geometry"]["type"] == "Point");
  CHECK(crossing["geometry"]["coordinates"][0] == 10.001);
  // The journal's 14 at 22:13:24 is newer than any segment's.
  const auto& first = by_id.at(c1)["properties"];
  CHECK(first["type"] == "TrafficCounter");
  CHECK(first["intensity"]["value"] == 14);
  CHECK(first["intensity"]["observedAt"] == "2023-11-14T22:13:24.000Z");
  CHECK(first["intensity"]["unit"] == "1/h");
  const auto& second = by_id.at(c2)["properties"];
  CHECK(second["intensity"]["value"] == 7);
  CHECK(second["averageVehicleSpeed"]["value"] == 42.25);
  CHECK(second["averageVehicleSpeed"]["observedAt"]
        == "2023-11-14T22:13:20.500Z");
}

TEST_CASE("export refuses what it must not do and audits every run",
          "[archive][export]") {
  test::scratch_folder dir{"export", "command"};
  write_archive(dir.path);
  auto city = write_city(dir.path);
  auto before = listing(dir.path / "test");
  export_options opts;
  opts.archive_root = dir.path;
  opts.tenant = "test";
  opts.city_file = city;
  opts.format = "xml";
  opts.output = dir.path / "out.xml";
  CHECK(run_export(opts) == 2);
  opts.format = "csv";
  opts.output = dir.path / "out.csv";
  CHECK(run_export(opts) == 0);
  // Never over an existing file.
  CHECK(run_export(opts) == 2);
  opts.format = "hdf5";
  opts.output = dir.path / "out.tar";
  CHECK(run_export(opts) == 0);
  // The HDF5 files as they are, in a snapshot.
  CHECK(read_text(opts.output).substr(0, 31)
        == "citytwin-snapshot/manifest.json");
  opts.format = "geojson";
  opts.output = dir.path / "out.geojson";
  opts.from = "2023-11-14T22:13:21Z";
  CHECK(run_export(opts) == 2); // --from is for CSV
  opts.from.clear();
  CHECK(run_export(opts) == 0);
  CHECK(listing(dir.path / "test") == before);
  auto lines = audit_lines(dir.path);
  REQUIRE(lines.size() == 6);
  for (const auto& line : lines) {
    CHECK(line["action"] == "export");
    CHECK(line["tenant"] == "test");
    CHECK(line["time"].get<std::string>().size() == 24);
    CHECK_FALSE(line["by"].get<std::string>().empty());
  }
  CHECK_THAT(lines[0]["result"].get<std::string>(),
             Contains("refused") && Contains("xml"));
  CHECK(lines[1]["result"] == "ok");
  CHECK(lines[1]["format"] == "csv");
  CHECK(lines[1]["samples"] == 7);
  CHECK(lines[1]["bytes"] == fs::file_size(dir.path / "out.csv"));
  CHECK_THAT(lines[2]["result"].get<std::string>(),
             Contains("refused") && Contains("exists"));
  CHECK(lines[3]["result"] == "ok");
  CHECK(lines[3]["format"] == "hdf5");
  CHECK_THAT(lines[4]["result"].get<std::string>(), Contains("refused"));
  CHECK(lines[5]["result"] == "ok");
  CHECK(lines[5]["samples"] == 3);
}

TEST_CASE("erase refuses without confirmation and under a server and "
          "deletes the whole tenant otherwise",
          "[archive][export]") {
  test::scratch_folder dir{"export", "erase"};
  write_archive(dir.path);
  auto folder = dir.path / "test";
  erase_options opts{dir.path, "test", ""};
  CHECK(run_erase(opts) == 2);
  opts.confirm = "tset";
  CHECK(run_erase(opts) == 2);
  CHECK(fs::exists(folder / "latest.bin"));
  opts.confirm = "test";
  {
    // A server holds the tenant: erase refuses, and so does a second
    // server.
    auto a = tenant_archive::open(options_for(dir.path));
    REQUIRE(a);
    CHECK(run_erase(opts) == 2);
    CHECK(fs::exists(folder / "latest.bin"));
    auto second = tenant_archive::open(options_for(dir.path));
    REQUIRE_FALSE(second);
    CHECK(second.error() == twin::errc::in_use);
    CHECK_THAT(twin::describe(second.error()), Contains(".lock"));
  }
  auto bytes = uintmax_t{0};
  for (const auto& [name, entry] : listing(folder))
    bytes += entry.first;
  CHECK(run_erase(opts) == 0);
  CHECK_FALSE(fs::exists(folder));
  // Nothing hidden is left behind; the audit log survives the tenant.
  for (const auto& e : fs::directory_iterator{dir.path})
    CHECK(e.path().filename().string().rfind(".erasing", 0) != 0);
  auto lines = audit_lines(dir.path);
  REQUIRE(lines.size() == 4);
  for (const auto& line : lines) {
    CHECK(line["action"] == "erase");
    CHECK(line["tenant"] == "test");
  }
  CHECK_THAT(lines[0]["result"].get<std::string>(),
             Contains("refused") && Contains("--confirm test"));
  CHECK_THAT(lines[1]["result"].get<std::string>(), Contains("refused"));
  CHECK_THAT(lines[2]["result"].get<std::string>(),
             Contains("refused: in_use"));
  CHECK(lines[3]["result"] == "ok");
  CHECK(lines[3]["bytes"] == bytes);
  // No tenant left to erase: refused, and audited.
  CHECK(run_erase(opts) == 2);
  CHECK(audit_lines(dir.path).size() == 5);
  // A server may start the tenant afresh.
  auto fresh = tenant_archive::open(options_for(dir.path));
  REQUIRE(fresh);
  auto latest = (*fresh)->latest_state();
  REQUIRE(latest);
  CHECK(latest->empty());
}

TEST_CASE("export and erase: tenant names never name a hidden folder",
          "[archive][export]") {
  CHECK(valid_tenant_name("demo"));
  CHECK(valid_tenant_name("city-2.b_c"));
  CHECK_FALSE(valid_tenant_name(""));
  CHECK_FALSE(valid_tenant_name("."));
  CHECK_FALSE(valid_tenant_name(".."));
  CHECK_FALSE(valid_tenant_name(".erasing-demo-x"));
  CHECK_FALSE(valid_tenant_name("a/b"));
  CHECK_FALSE(valid_tenant_name(std::string(65, 'a')));
}

TEST_CASE("export and erase: an audit line is one bounded JSON line",
          "[archive][export]") {
  audit_record x;
  x.action = "export";
  x.tenant = "demo";
  x.output = std::string(10'000, 'o') + "\xff";
  x.result = "refused: \"quoted\"\nnewline";
  auto line = audit_line(x);
  CHECK(line.size() < 2048);
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  auto doc = nlohmann::json::parse(line);
  CHECK(doc["result"] == "refused: \"quoted\"\nnewline");
  CHECK(doc["output"].get<std::string>().size() <= 256);
  CHECK_FALSE(doc.contains("input"));
}
