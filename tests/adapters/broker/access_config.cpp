// tests/adapters/broker/access_config.cpp
#include "adapters/broker/access_config.hpp"
#include "adapters/broker/secret_hash.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace citytwin;
using broker::parse_access_config;
using broker::sha256;
using broker::to_hex;

namespace {

// Two SHA-256 values that are well-formed but belong to no documented
// secret; tests look for them in messages.
const std::string hash_a = to_hex(sha256("test-secret-a"));
const std::string hash_b = to_hex(sha256("test-secret-b"));

// The rendered error of parsing `yaml` as "t.yaml"; empty when it loads.
std::string problems(const std::string& yaml) {
  auto result = parse_access_config(yaml, "t.yaml");
  if (result)
    return {};
  CHECK(static_cast<twin::errc>(result.error().code())
        == twin::errc::invalid_config);
  return twin::describe(result.error());
}

// A valid file with one tenant, one token and one key; `extra` goes at the
// end of the tenant list (line 6) when it starts with "  -".
std::string base(const std::string& tenants_extra = "",
                 const std::string& tokens = "", const std::string& keys = "") {
  return "version: 1\n"                                 // 1
         "tenants:\n"                                   // 2
         "  - name: city\n"                             // 3
         "    sharing:\n"                               // 4
         "      - { type: StreetLight, level: open }\n" // 5
         + tenants_extra                                // 6...
         + "tokens:\n  - { name: t1, tenant: city, role: admin, sha256: "
         + hash_a + " }\n" + tokens + "api_keys:\n"
         + "  - { name: k1, tenant: city, quota_per_day: 5, sha256: " + hash_b
         + " }\n" + keys;
}

// data/, set by CMake (the same macro as test_data.hpp's, without
// pulling in the city model).
const std::string data_dir = CITYTWIN_PROJECT_DATA;

std::string demo_path() {
  return data_dir + "/access/demo.yaml";
}

} // namespace

TEST_CASE("SHA-256 matches the FIPS 180-2 vectors", "[adapters]") {
  CHECK(to_hex(sha256(""))
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc"))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(
      to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // twin's constant for "no credential" is the same value.
  CHECK(sha256("") == twin::empty_secret_sha256);
}

TEST_CASE("hex and new secrets", "[adapters]") {
  auto abc = sha256("abc");
  CHECK(broker::parse_sha256_hex(to_hex(abc)) == abc);
  // Upper case is accepted; 63 or 65 digits and non-hex digits are not.
  std::string upper = to_hex(abc);
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(broker::parse_sha256_hex(upper) == abc);
  CHECK_FALSE(broker::parse_sha256_hex(to_hex(abc).substr(1)));
  CHECK_FALSE(broker::parse_sha256_hex(to_hex(abc) + "0"));
  CHECK_FALSE(broker::parse_sha256_hex("g" + to_hex(abc).substr(1)));
  CHECK(broker::from_hex("00ff41")
        == std::string{"\0\xff"
                       "A",
                       3});
  CHECK_FALSE(broker::from_hex("abc"));
  // 32 random bytes are 43 unpadded base64url characters.
  auto s1 = broker::random_secret();
  auto s2 = broker::random_secret();
  CHECK(s1.size() == 43);
  CHECK(s1 != s2);
  CHECK(s1.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789-_")
        == std::string::npos);
}

TEST_CASE("the demo access file loads and grants what it says", "[adapters]") {
  auto cfg = broker::load_access_config(demo_path());
  REQUIRE(cfg);
  CHECK(cfg->open_data_rate_per_minute == 600);
  REQUIRE(cfg->tenants.size() == 2);
  CHECK(cfg->tenants[0].name == "demo");
  // The city path is resolved against data/access/.
  CHECK(std::filesystem::equivalent(cfg->tenants[0].city,
                                    data_dir + "/demo.city"));
  CHECK(std::filesystem::equivalent(cfg->tenants[1].city,
                                    data_dir + "/aarhus.city"));
  CHECK(cfg->tokens.size() == 10);
  REQUIRE(cfg->api_keys.size() == 1);
  CHECK(cfg->api_keys[0].quota_per_day == 10000);
  // Every documented demo secret logs in as its token, 2025-01-01.
  constexpr twin::time_ms now = 1'735'689'600'000;
  auto who = [&](const std::string& name) {
    auto r = twin::authenticate_token(*cfg, sha256(name + "-secret"), now);
    REQUIRE(std::holds_alternative<twin::principal>(r));
    return std::get<twin::principal>(r);
  };
  std::vector<std::pair<std::string, twin::role>> roles = {
      {"demo-admin", twin::role::admin},
      {"demo-operator", twin::role::operator_},
      {"demo-planner", twin::role::planner},
      {"demo-emergency", twin::role::emergency},
      {"demo-viewer", twin::role::viewer},
      {"demo-app", twin::role::app},
      {"demo-monitor", twin::role::monitor},
      {"aarhus-admin", twin::role::admin},
      {"parkfinder", twin::role::app},
  };
  for (const auto& [name, r] : roles) {
    INFO(name);
    CHECK(who(name).name == name);
    CHECK(who(name).r == r);
  }
  CHECK(std::get<twin::auth_failure>(
            twin::authenticate_token(*cfg, sha256("demo-expired-secret"), now))
        == twin::auth_failure::expired);
  auto key = twin::authenticate_api_key(*cfg, sha256("acme-mobility-secret"));
  REQUIRE(std::holds_alternative<twin::principal>(key));
  auto acme = std::get<twin::principal>(key);
  // The sharing rules of the README, one level at a time.
  auto anon = twin::anonymous_principal();
  auto aarhus = who("aarhus-admin");
  auto app = who("parkfinder");
  CHECK(twin::may_read(*cfg, anon, "demo", "StreetLight"));
  CHECK_FALSE(twin::may_read(*cfg, anon, "demo", "ParkingSensor"));
  CHECK(twin::may_read(*cfg, aarhus, "demo", "ParkingSensor"));
  CHECK_FALSE(twin::may_read(*cfg, aarhus, "demo", "TrafficCounter"));
  CHECK(twin::may_read(*cfg, app, "demo", "TrafficCounter"));
  CHECK_FALSE(twin::may_read(*cfg, aarhus, "demo", "AirQualitySensor"));
  CHECK(twin::may_read(*cfg, acme, "demo", "AirQualitySensor"));
  CHECK_FALSE(twin::may_read(*cfg, acme, "demo", "RoadSegment"));
  CHECK_FALSE(twin::may_read(*cfg, aarhus, "demo", "RoadSegment"));
  CHECK(twin::may_read(*cfg, who("demo-viewer"), "demo", "RoadSegment"));
  CHECK_FALSE(twin::may_read(*cfg, who("demo-admin"), "aarhus", "Camera"));
}

TEST_CASE("the base file of these tests is valid", "[adapters]") {
  CHECK(problems(base()).empty());
}

TEST_CASE("limits and notification allowances are read from the tenants "
          "file",
          "[adapters]") {
  auto cfg = broker::parse_access_config(
      "version: 1\nlimits: { subscriptions_per_principal: 7, "
      "anonymous_requests_per_minute: 30 }\ntenants:\n  - { name: a, "
      "notify_allow: [127.0.0.1/32, \"10.0.0.0/8:8000-8999\"] }\n",
      "t.yaml");
  REQUIRE(cfg);
  CHECK(cfg->limits.subscriptions_per_principal == 7);
  CHECK(cfg->limits.anonymous_requests_per_minute == 30);
  CHECK(cfg->limits.subscriptions_per_tenant
        == twin::service_limits{}.subscriptions_per_tenant);
  CHECK(cfg->tenants[0].notify_allow
        == std::vector<std::string>{"127.0.0.1/32", "10.0.0.0/8:8000-8999"});
}

TEST_CASE("every problem is reported with its line", "[adapters]") {
  // {file text, expected line of the message}
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"version: 2\ntenants: [ { name: a } ]\n",
       "t.yaml:1: unsupported version '2', expected 1"},
      {"tenants: [ { name: a } ]\n", "t.yaml:1: file: missing key 'version'"},
      {"version: 1\ntenants: [ { name: a } ]\nsecrets: 1\n",
       "t.yaml:3: file: unknown key 'secrets'"},
      {"version: 1\ntenants: []\n", "t.yaml:2: no tenants"},
      {"version: 1\ntenants: [ { name: a }\n",
       "end of sequence flow not found"},
      {"version: 1\nopen_data: { requests_per_minute: 0 }\ntenants: [{name: "
       "a}]\n",
       "t.yaml:2: open_data: 'requests_per_minute' must be a whole number"},
      {base("  - { name: Bad }\n"), "t.yaml:6: tenant #2: name 'Bad' must"},
      {base("  - { name: city }\n"),
       "t.yaml:6: tenant 'city': name already used on line 3"},
      {base("  - { name: x, cty: a }\n"), "t.yaml:6: tenant 'x': unknown key"},
      {base("  - { name: x, notify_allow: [127.0.0.1/40] }\n"),
       "t.yaml:6: tenant 'x' notify_allow: IPv4 prefix must be 0..32"},
      {base("  - { name: x, notify_allow: [localhost] }\n"),
       "tenant 'x' notify_allow: not an IP address"},
      {base("  - { name: x, notify_allow: [10.0.0.0/8:9-1] }\n"),
       "tenant 'x' notify_allow: ports must be"},
      {"version: 1\nlimits: { subscriptions_per_tenant: 0 }\ntenants: "
       "[{name: a}]\n",
       "t.yaml:2: limits: 'subscriptions_per_tenant' must be a whole number"},
      {"version: 1\nlimits: { sockets: 3 }\ntenants: [{name: a}]\n",
       "t.yaml:2: limits: unknown key 'sockets'"},
      {base("  - { name: x, sharing: [ { type: \"Bad Type\", level: open } "
            "] }\n"),
       "t.yaml:6: tenant 'x' sharing: invalid entity type (value not shown)"},
      {base("  - { name: x, sharing: [ { type: Camera, level: opn } ] }\n"),
       "t.yaml:6: tenant 'x' sharing of Camera: unknown level 'opn'"},
      {base("  - { name: x, sharing: [ { type: Camera, level: open, with: "
            "[city] } ] }\n"),
       "sharing of Camera: 'with' is only for level shared"},
      {base("  - { name: x, sharing: [ { type: Camera, level: shared } ] }\n"),
       "sharing of Camera: level shared needs 'with'"},
      {base("  - { name: x, sharing: [ { type: Camera, level: shared, with: "
            "[nobody] } ] }\n"),
       "shared with unknown tenant 'nobody'"},
      {base("  - { name: x, sharing: [ { type: Camera, level: shared, with: "
            "['app:ghost'] } ] }\n"),
       "shared with unknown token 'ghost'"},
      {base("  - { name: x, sharing: [ { type: Camera, level: shared, with: "
            "['app:t1'] } ] }\n"),
       "token 't1' has role admin, not app"},
      {base("  - { name: x, sharing: [ { type: '*', level: open }, { type: "
            "'*', level: private } ] }\n"),
       "sharing of *: a second rule for the same type"},
      {base("", "  - { name: t2, tenant: nowhere, role: admin, sha256: "
                    + to_hex(sha256("x")) + " }\n"),
       "token 't2': unknown tenant 'nowhere'"},
      {base("", "  - { name: t2, tenant: city, role: boss, sha256: "
                    + to_hex(sha256("x")) + " }\n"),
       "token 't2': unknown role 'boss'"},
      {base("", "  - { name: t1, tenant: city, role: admin, sha256: "
                    + to_hex(sha256("x")) + " }\n"),
       "token 't1': name already used on line 7"},
      {base("", "  - { name: t2, tenant: city, role: app, sha256: "
                    + to_hex(sha256("x")) + ", expires: 2030-01-01T00:00:00 "
                    + "}\n"),
       "token 't2': expires must be an ISO 8601 time with zone"},
      {base("", "  - { name: t2, tenant: city, role: app, sha256: "
                    + to_hex(sha256("x")) + ", expires: someday }\n"),
       "token 't2': expires must be"},
      {base("", "  - { name: t2, tenant: city, role: app }\n"),
       "t.yaml:8: token 't2': missing key 'sha256'"},
      {base("", "",
            "  - { name: k2, tenant: city, quota_per_day: 0, sha256: "
                + to_hex(sha256("x")) + " }\n"),
       "t.yaml:10: api key 'k2': 'quota_per_day' must be a whole number"},
      {base("", "",
            "  - { name: k2, tenant: nowhere, quota_per_day: 1, "
            "sha256: "
                + to_hex(sha256("x")) + " }\n"),
       "api key 'k2': unknown tenant 'nowhere'"},
      {base("", "",
            "  - { name: k1, tenant: city, quota_per_day: 1, sha256: "
                + to_hex(sha256("x")) + " }\n"),
       "api key 'k1': name already used"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    auto message = problems(text);
    CHECK_THAT(message, Catch::Contains(expected));
    CHECK_THAT(message, Catch::StartsWith("invalid_config: 1 problem(s)"));
  }
}

TEST_CASE("all problems come in one message, without secrets", "[adapters]") {
  // Four problems: a reused hash (a token's hash on a second token and on
  // a key), a malformed hash, and a secret pasted as a role.
  auto text = base(
      "",
      "  - { name: t2, tenant: city, role: app, sha256: " + hash_a + " }\n"
          + "  - { name: t3, tenant: city, role: app, sha256: "
          + hash_a.substr(1) + " }\n"
          + "  - { name: t4, tenant: city, role: " + broker::random_secret()
          + ", sha256: " + to_hex(sha256("y")) + " }\n",
      "  - { name: k2, tenant: city, quota_per_day: 1, sha256: " + hash_a
          + " }\n");
  auto message = problems(text);
  CHECK_THAT(message, Catch::StartsWith("invalid_config: 4 problem(s)"));
  CHECK_THAT(message, Catch::Contains("t.yaml:8: token 't2': same secret as "
                                      "token 't1'"));
  CHECK_THAT(message, Catch::Contains("t.yaml:9: token 't3': sha256 must be "
                                      "64 hex digits"));
  CHECK_THAT(message, Catch::Contains("t.yaml:10: token 't4': unknown role "
                                      "(value not shown)"));
  CHECK_THAT(message, Catch::Contains("t.yaml:13: api key 'k2': same secret "
                                      "as token 't1'"));
  // No hash, or any 16-digit piece of one, ever reaches the message.
  for (const auto& h : {hash_a, hash_b, to_hex(sha256("y"))})
    for (size_t i = 0; i + 16 <= h.size(); i += 16)
      CHECK_THAT(message, !Catch::Contains(h.substr(i, 16)));
  // A hash of the empty secret would never authenticate.
  auto empty = base("", "  - { name: t2, tenant: city, role: app, sha256: "
                            + to_hex(sha256("")) + " }\n");
  CHECK_THAT(problems(empty),
             Catch::Contains("token 't2': same secret as an empty secret"));
}

TEST_CASE("files that cannot be read or point nowhere", "[adapters]") {
  auto missing = broker::load_access_config("/nonexistent/access.yaml");
  REQUIRE_FALSE(missing);
  CHECK(static_cast<twin::errc>(missing.error().code())
        == twin::errc::io_failure);
  // A relative city path is resolved next to the file and must exist.
  auto dir = std::filesystem::temp_directory_path();
  auto path = (dir / "citytwin-access-test.yaml").string();
  {
    std::ofstream out{path};
    out << "version: 1\ntenants:\n"
           "  - { name: a, city: no-such.city, rules: no-such.yaml }\n"
           "  - { name: b, rules: no-such.yaml }\n";
  }
  auto bad = broker::load_access_config(path);
  std::filesystem::remove(path);
  REQUIRE_FALSE(bad);
  auto text = twin::describe(bad.error());
  CHECK_THAT(text, Catch::Contains(path
                                   + ":3: tenant 'a': city file "
                                     "'no-such.city' not found"));
  CHECK_THAT(text, Catch::Contains(path
                                   + ":3: tenant 'a': rule file "
                                     "'no-such.yaml' not found"));
  CHECK_THAT(text, Catch::Contains(path
                                   + ":4: tenant 'b': 'rules' needs the "
                                     "tenant's 'city'"));
  // parse_access_config does not touch the file system.
  CHECK(
      problems("version: 1\ntenants: [ { name: a, city: x.city } ]\n").empty());
}
