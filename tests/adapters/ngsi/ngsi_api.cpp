// tests/adapters/ngsi/ngsi_api.cpp
// ../shared/notes/data-and-clients.md section 4 (ETSI TP ids in the
// section names), against the real HTTP listener on loopback.
#include "ngsi_fixture.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

using namespace citytwin;
using namespace citytwin::test;
using nlohmann::json;

namespace {

const std::string building = "urn:ngsi-ld:Building:3f6a";

std::string building_body(const std::string& id, int level = 6) {
  return json{{"id", id},
              {"type", "Building"},
              {"airQualityLevel", {{"type", "Property"}, {"value", level}}},
              {"name", {{"type", "Property"}, {"value", "Town hall"}}}}
      .dump();
}

std::string problem_type(const ngsi::client_response& res) {
  auto j = json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.contains("type"))
    return "(no ProblemDetails)";
  auto type = j["type"].get<std::string>();
  return type.substr(type.rfind('/') + 1);
}

// Sends raw bytes and returns the raw answer (the server closes after it).
std::string raw_exchange(uint16_t port, const std::string& text) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket socket{ioc};
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(text));
  std::string result;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    auto n = socket.read_some(asio::buffer(buf), ec);
    result.append(buf, n);
    if (ec || result.find("\r\n\r\n") != std::string::npos)
      break;
  }
  return result;
}

} // namespace

TEST_CASE("NGSI-LD entities are created, retrieved, refused twice and "
          "deleted (ETSI 001, 002, 018)",
          "[broker][ngsi]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  SECTION("001_01_01 create, then retrieve the same entity") {
    auto res = f.call("POST", api + "/entities", {admin, json_type},
                      building_body(building));
    CHECK(res.status == 201);
    CHECK(res.body.empty());
    CHECK(res.header("location").find(building) != std::string::npos);
    res = f.call("GET", api + "/entities/" + building, {admin});
    REQUIRE(res.status == 200);
    auto j = f.json_of(res);
    CHECK(j["id"] == building);
    CHECK(j["type"] == "Building");
    CHECK(j["airQualityLevel"]["value"] == 6);
    SECTION("001_03 the same create again is AlreadyExists") {
      res = f.call("POST", api + "/entities", {admin, json_type},
                   building_body(building));
      CHECK(res.status == 409);
      CHECK(problem_type(res) == "AlreadyExists");
    }
    SECTION("002_01 delete, then the entity is gone") {
      res = f.call("DELETE", api + "/entities/" + building, {admin});
      CHECK(res.status == 204);
      CHECK(res.body.empty());
      CHECK(f.call("GET", api + "/entities/" + building, {admin}).status
            == 404);
    }
  }
  SECTION("002_03 deleting an unknown entity is ResourceNotFound") {
    auto res = f.call("DELETE", api + "/entities/urn:ngsi-ld:Building:none",
                      {admin});
    CHECK(res.status == 404);
    CHECK(problem_type(res) == "ResourceNotFound");
  }
  SECTION("018_02 an id that is not a URI is BadRequestData") {
    auto res = f.call("GET", api + "/entities/thisisaninvaliduri", {admin});
    CHECK(res.status == 400);
    CHECK(problem_type(res) == "BadRequestData");
  }
  SECTION("018_03_01 an unknown valid URN is ResourceNotFound") {
    auto res = f.call("GET", api + "/entities/urn:ngsi-ld:Building:unknown",
                      {admin});
    CHECK(res.status == 404);
    CHECK(problem_type(res) == "ResourceNotFound");
  }
}

TEST_CASE("NGSI-LD bodies with bad JSON, media types or @context are "
          "refused (ETSI 001_02, 001_06, 001_08, 001_09, 046, 048)",
          "[broker][ngsi]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  auto post = [&](headers h, const std::string& body) {
    h.push_back(admin);
    return f.call("POST", api + "/entities", h, body);
  };
  auto with_context = json::parse(building_body(building));
  with_context["@context"] = "https://example.org/ctx.jsonld";
  std::pair<std::string, std::string> link{
      "Link", "<https://example.org/ctx.jsonld>; "
              "rel=\"http://www.w3.org/ns/json-ld#context\"; "
              "type=\"application/ld+json\""};
  // 001_02_01 / 02
  CHECK(problem_type(post({json_type}, "{\"id\": ")) == "InvalidRequest");
  CHECK(post({json_type}, "").status == 400);
  // 001_06: application/json with @context in the body
  auto res = post({json_type}, with_context.dump());
  CHECK(res.status == 400);
  CHECK(problem_type(res) == "BadRequestData");
  // 001_08: application/ld+json without @context
  CHECK(post({ld_json_type}, building_body(building)).status == 400);
  // 001_09: application/ld+json and a JSON-LD Link header
  CHECK(post({ld_json_type, link}, with_context.dump()).status == 400);
  // ... while ld+json with @context, and json with a Link, are fine.
  CHECK(post({ld_json_type}, with_context.dump()).status == 201);
  CHECK(post({json_type, link}, building_body(building + "b")).status == 201);
  // 048_01: a non-JSON media type is 415 on every write
  headers xml = {{"Content-Type", "application/xml"}, admin};
  CHECK(f.call("POST", api + "/entities", xml, "<x/>").status == 415);
  CHECK(f.call("POST", api + "/subscriptions", xml, "<x/>").status == 415);
  CHECK(f.call("PATCH", api + "/entities/" + building + "/attrs", xml, "<x/>")
            .status
        == 415);
  // An entity without type, with a bad attribute, or a bad id.
  CHECK(post({json_type}, R"({"id":"urn:ngsi-ld:X:1"})").status == 400);
  CHECK(post({json_type},
             R"({"id":"urn:ngsi-ld:X:1","type":"X","a":{"type":"Nope"}})")
            .status
        == 400);
  CHECK(post({json_type}, R"({"id":"no uri","type":"X"})").status == 400);
  // 046_01: a chunked POST has no Content-Length: bare 411; GET is fine.
  auto answer = raw_exchange(f.port(),
                             "POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\n"
                             "Authorization: Bearer demo-admin-secret\r\n"
                             "Content-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n"
                             "2\r\n{}\r\n0\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 411", 0) == 0);
}

TEST_CASE("NGSI-LD attributes are appended, updated and partially updated "
          "(ETSI 010, 011, 012)",
          "[broker][ngsi]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 building_body(building))
              .status
          == 201);
  // 010_01 append a Property
  auto res = f.call("POST", api + "/entities/" + building + "/attrs",
                    {admin, json_type},
                    R"({"isParked":{"type":"Property","value":false}})");
  CHECK(res.status == 204);
  auto j = f.json_of(f.call("GET", api + "/entities/" + building, {admin}));
  CHECK(j["isParked"]["value"] == false);
  // noOverwrite keeps what is there and says so (207)
  res = f.call("POST",
               api + "/entities/" + building + "/attrs?options=noOverwrite",
               {admin, json_type}, R"({"isParked":{"value":true}})");
  CHECK(res.status == 207);
  // 011_03 PATCH attrs of an unknown entity
  res = f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:gone/attrs",
               {admin, json_type}, R"({"isParked":{"value":true}})");
  CHECK(res.status == 404);
  // 012_01 partial attribute update
  res = f.call("PATCH", api + "/entities/" + building + "/attrs/isParked",
               {admin, json_type}, R"({"value":true})");
  CHECK(res.status == 204);
  j = f.json_of(f.call("GET", api + "/entities/" + building, {admin}));
  CHECK(j["isParked"]["value"] == true);
  // an attribute that does not exist
  res = f.call("PATCH", api + "/entities/" + building + "/attrs/nothere",
               {admin, json_type}, R"({"value":1})");
  CHECK(res.status == 404);
  // merge-patch: a null deletes, a new one is added
  res = f.call("PATCH", api + "/entities/" + building, {admin, json_type},
               R"({"name":null,"height":{"type":"Property","value":31}})");
  CHECK(res.status == 204);
  j = f.json_of(f.call("GET", api + "/entities/" + building, {admin}));
  CHECK_FALSE(j.contains("name"));
  CHECK(j["height"]["value"] == 31);
  // delete one attribute
  CHECK(
      f.call("DELETE", api + "/entities/" + building + "/attrs/height", {admin})
          .status
      == 204);
}

TEST_CASE("NGSI-LD queries filter by type, id, q and count "
          "(ETSI 019_01_02, 019_03_05, 019_06, 019_07)",
          "[broker][ngsi]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  for (int i = 1; i <= 3; ++i)
    REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                   building_body("urn:ngsi-ld:Building:q" + std::to_string(i),
                                 i == 2 ? 6 : 3))
                .status
            == 201);
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:OffStreetParking:p1",
                     "type":"OffStreetParking",
                     "availableSpotNumber":{"type":"Property","value":12}})")
              .status
          == 201);
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:Vehicle:v1","type":"Vehicle"})")
              .status
          == 201);
  auto res
      = f.call("GET", api + "/entities?type=Vehicle,OffStreetParking", {admin});
  REQUIRE(res.status == 200);
  auto j = f.json_of(res);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["id"] == "urn:ngsi-ld:OffStreetParking:p1");
  CHECK(j[1]["id"] == "urn:ngsi-ld:Vehicle:v1");
  // 019_03_05: ids alone are not a query
  res = f.call("GET",
               api
                   + "/entities?id=urn:ngsi-ld:Building:q1,"
                     "urn:ngsi-ld:Building:q2",
               {admin});
  CHECK(res.status == 400);
  // 019_06: three ids, type and limit 2
  res = f.call("GET",
               api
                   + "/entities?id=urn:ngsi-ld:Building:q1,"
                     "urn:ngsi-ld:Building:q2,urn:ngsi-ld:Building:q3"
                     "&type=Building&limit=2",
               {admin});
  CHECK(f.json_of(res).size() == 2);
  // 019_07: count, and count with q
  res = f.call("GET", api + "/entities?type=Building&count=true", {admin});
  CHECK(res.header("ngsild-results-count") == "3");
  res = f.call("GET",
               api
                   + "/entities?type=Building&count=true"
                     "&q=airQualityLevel==6",
               {admin});
  CHECK(res.header("ngsild-results-count") == "1");
  CHECK(f.json_of(res)[0]["id"] == "urn:ngsi-ld:Building:q2");
  // keyValues, attrs projection, limit=0 rules, a bad q
  res = f.call("GET",
               api
                   + "/entities?type=Building&options=keyValues"
                     "&attrs=airQualityLevel&limit=1",
               {admin});
  j = f.json_of(res);
  CHECK(j[0]["airQualityLevel"] == 3);
  CHECK_FALSE(j[0].contains("name"));
  CHECK(f.call("GET", api + "/entities?type=Building&limit=0", {admin}).status
        == 400);
  CHECK(
      f.call("GET", api + "/entities?type=Building&limit=0&count=true", {admin})
          .status
      == 200);
  CHECK(f.call("GET", api + "/entities?type=Building&q=(a==1", {admin}).status
        == 400);
  // a geo-query
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:Building:geo","type":"Building",
                     "location":{"type":"GeoProperty","value":
                       {"type":"Point","coordinates":[10.2,56.15]}}})")
              .status
          == 201);
  res = f.call("GET",
               api
                   + "/entities?type=Building&georel=near;maxDistance==500"
                     "&geometry=Point&coordinates=%5B10.201,56.15%5D",
               {admin});
  REQUIRE(res.status == 200);
  CHECK(f.json_of(res).size() == 1);
  // An invalid query geometry is a 400 that names the problem.
  auto refused = [&](const std::string& geometry, const std::string& coords,
                     const std::string& why) {
    auto r = f.call("GET",
                    api + "/entities?type=Building&georel=intersects"
                          "&geometry="
                        + geometry + "&coordinates=" + coords,
                    {admin});
    CHECK(r.status == 400);
    CHECK_THAT(f.json_of(r)["detail"].get<std::string>(),
               Catch::Contains(why));
  };
  // A bow tie: its ring crosses itself.
  refused("Polygon", "%5B%5B%5B0,0%5D,%5B1,1%5D,%5B1,0%5D,%5B0,1%5D,%5B0,0%5D%5D%5D",
          "self-intersecting");
  refused("Point", "%5B10,91%5D", "latitude 91");
  refused("Point", "%5B10,NaN%5D", "coordinates");
}

TEST_CASE("NGSI-LD content negotiation answers JSON with a Link header, "
          "JSON-LD with @context, and 406 otherwise (ETSI 045, 049)",
          "[broker][ngsi]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 building_body(building))
              .status
          == 201);
  auto res = f.call("GET", api + "/entities/" + building,
                    {admin, {"Accept", "*/*"}});
  CHECK(res.status == 200);
  CHECK(res.header("content-type") == "application/json");
  CHECK_FALSE(res.header("link").empty());
  res = f.call("GET", api + "/entities/" + building,
               {admin, {"Accept", "application/ld+json"}});
  CHECK(res.header("content-type") == "application/ld+json");
  CHECK(f.json_of(res).contains("@context"));
  res = f.call("GET", api + "/entities/" + building,
               {admin, {"Accept", "application/geo+json"}});
  CHECK(f.json_of(res)["type"] == "Feature");
  for (const auto* path : {"/entities/", "/subscriptions/"}) {
    res = f.call("GET", api + path + building,
                 {admin, {"Accept", "application/xml"}});
    CHECK(res.status == 406);
  }
  // The tenant header comes back.
  res = f.call("GET", api + "/entities/" + building,
               {admin, {"NGSILD-Tenant", "demo"}});
  CHECK(res.header("ngsild-tenant") == "demo");
  res = f.call("GET", api + "/entities/" + building,
               {admin, {"NGSILD-Tenant", "atlantis"}});
  CHECK(res.status == 404);
  CHECK(problem_type(res) == "NonexistentTenant");
}

TEST_CASE("NGSI-LD batch create reports each entity (ETSI 003_02)",
          "[broker][ngsi]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 building_body(building))
              .status
          == 201);
  auto batch = json::array({json::parse(building_body("urn:ngsi-ld:B:n1")),
                            json::parse(building_body("urn:ngsi-ld:B:n2")),
                            json::parse(building_body(building))});
  auto res = f.call("POST", api + "/entityOperations/create",
                    {admin, json_type}, batch.dump());
  REQUIRE(res.status == 207);
  auto j = f.json_of(res);
  CHECK(j["success"].size() == 2);
  REQUIRE(j["errors"].size() == 1);
  CHECK(j["errors"][0]["entityId"] == building);
  CHECK(f.call("GET", api + "/entities/urn:ngsi-ld:B:n2", {admin}).status
        == 200);
  // upsert all, then delete all: 204 each
  CHECK(f.call("POST", api + "/entityOperations/upsert", {admin, json_type},
               batch.dump())
            .status
        == 204);
  CHECK(f.call("POST", api + "/entityOperations/delete", {admin, json_type},
               json::array({"urn:ngsi-ld:B:n1", "urn:ngsi-ld:B:n2", building})
                   .dump())
            .status
        == 204);
  // /types lists what is left
  res = f.call("GET", api + "/types", {admin});
  CHECK(f.json_of(res)["typeList"].empty());
}
