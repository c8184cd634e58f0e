// tests/twin/access.cpp
#include "twin/access.hpp"

#include <catch2/catch.hpp>

#include <tuple>

using namespace citytwin::twin;

namespace {

using kind = principal::kind;

// A stand-in hash: twin never computes SHA-256, it only compares.
std::array<uint8_t, 32> fake_hash(uint8_t seed) {
  std::array<uint8_t, 32> result{};
  for (size_t i = 0; i < result.size(); ++i)
    result[i] = static_cast<uint8_t>(seed + i * 7);
  return result;
}

// Tenant `owner` publishes one type per level; `guest` and `third` are
// other cities. Only `third`'s app token `third-app` is named in a share.
access_config make_config() {
  access_config result;
  result.tenants.push_back(tenant_config{
      "owner",
      "",
      {
          {"StreetLight", sharing_level::open_data, {}, "CC-BY-4.0"},
          {"ParkingSensor",
           sharing_level::shared,
           {"guest", "app:third-app"},
           ""},
          {"AirQualitySensor", sharing_level::commercial, {}, "paid"},
          {"*", sharing_level::private_data, {}, ""},
      }});
  result.tenants.push_back(tenant_config{"guest", "", {}});
  result.tenants.push_back(tenant_config{"third", "", {}});
  result.tokens.push_back(
      {"owner-admin", "owner", role::admin, fake_hash(1), std::nullopt});
  result.tokens.push_back(
      {"owner-viewer", "owner", role::viewer, fake_hash(2), time_ms{1000}});
  result.api_keys.push_back({"owner-key", "owner", 100, fake_hash(3)});
  return result;
}

principal token(std::string name, std::string tenant, role r) {
  return principal{kind::token, std::move(name), std::move(tenant), r};
}

principal api_key(std::string name, std::string tenant) {
  return principal{kind::api_key, std::move(name), std::move(tenant),
                   role::app};
}

} // namespace

TEST_CASE("the permission table", "[twin]") {
  constexpr auto r = action::read;
  constexpr auto w = action::write;
  constexpr auto s = action::subscribe;
  constexpr auto m = action::manage;
  // {role, read, write, subscribe, manage}, as documented in access.hpp.
  const std::vector<std::tuple<role, bool, bool, bool, bool>> table = {
      {role::admin, true, true, true, true},
      {role::operator_, true, true, true, false},
      {role::planner, true, false, true, false},
      {role::emergency, true, false, true, false},
      {role::viewer, true, false, false, false},
      {role::app, true, false, true, false},
      // A scrape token reads counters on the viewer port, no tenant data.
      {role::monitor, false, false, false, false},
  };
  for (const auto& [who, read, write, subscribe, manage] : table) {
    INFO(to_string(who));
    CHECK(permits(who, r) == read);
    CHECK(permits(who, w) == write);
    CHECK(permits(who, s) == subscribe);
    CHECK(permits(who, m) == manage);
  }
  // Appended as value 7; its config name round-trips.
  CHECK(static_cast<int>(role::monitor) == 7);
  CHECK(to_string(role::monitor) == "monitor");
  CHECK(parse_role("monitor") == role::monitor);
}

TEST_CASE("roles and levels have config names", "[twin]") {
  for (auto name :
       {"admin", "operator", "planner", "emergency", "viewer", "app"}) {
    auto r = parse_role(name);
    REQUIRE(r);
    CHECK(to_string(*r) == name);
  }
  CHECK(parse_role("operator") == role::operator_);
  // The C++ spelling and other cases are not config names.
  CHECK_FALSE(parse_role("operator_"));
  CHECK_FALSE(parse_role("Admin"));
  CHECK_FALSE(parse_role(""));
  CHECK(parse_sharing_level("open") == sharing_level::open_data);
  CHECK(parse_sharing_level("private") == sharing_level::private_data);
  CHECK(parse_sharing_level("shared") == sharing_level::shared);
  CHECK(parse_sharing_level("commercial") == sharing_level::commercial);
  CHECK_FALSE(parse_sharing_level("open_data"));
  CHECK(to_string(sharing_level::open_data) == "open");
  CHECK(to_string(auth_failure::expired) == "expired");
}

TEST_CASE("the most specific sharing rule wins", "[twin]") {
  tenant_config t{"t", "", {}};
  // No rule at all: private.
  CHECK(level_of(t, "StreetLight") == sharing_level::private_data);
  t.sharing.push_back({"*", sharing_level::open_data, {}, ""});
  CHECK(level_of(t, "StreetLight") == sharing_level::open_data);
  // An exact rule beats the wildcard even when it comes after it.
  t.sharing.push_back({"StreetLight", sharing_level::commercial, {}, ""});
  CHECK(level_of(t, "StreetLight") == sharing_level::commercial);
  CHECK(level_of(t, "Camera") == sharing_level::open_data);
  // Types compare exactly: no case folding, no prefixes.
  CHECK(level_of(t, "streetlight") == sharing_level::open_data);
  CHECK(level_of(make_config().tenants[0], "Camera")
        == sharing_level::private_data);
}

TEST_CASE("who may read what, for every principal kind and level", "[twin]") {
  auto cfg = make_config();
  // Columns: open (StreetLight), shared (ParkingSensor), commercial
  // (AirQualitySensor), private (Camera, through "*").
  const std::vector<std::string_view> types
      = {"StreetLight", "ParkingSensor", "AirQualitySensor", "Camera"};
  const std::vector<std::pair<principal, std::array<bool, 4>>> cases = {
      // The own tenant sees everything, whatever the level.
      {token("owner-viewer", "owner", role::viewer), {true, true, true, true}},
      // Anonymous callers see published data only.
      {anonymous_principal(), {true, false, false, false}},
      // `guest` is named in the share; commercial and private stay closed.
      {token("g", "guest", role::viewer), {true, true, false, false}},
      {token("g", "guest", role::admin), {true, true, false, false}},
      // `third` is not named, but its app token is.
      {token("t", "third", role::admin), {true, false, false, false}},
      {token("third-app", "third", role::app), {true, true, false, false}},
      // The name alone is not enough: the token must have role app.
      {token("third-app", "third", role::viewer), {true, false, false, false}},
      // An API key buys its tenant's commercial data, nothing private.
      {api_key("owner-key", "owner"), {true, false, true, false}},
      {api_key("guest-key", "guest"), {true, false, false, false}},
  };
  for (const auto& [who, expected] : cases) {
    for (size_t i = 0; i < types.size(); ++i) {
      INFO(who.name << "@" << who.tenant << " reads " << types[i]);
      CHECK(may_read(cfg, who, "owner", types[i]) == expected[i]);
    }
  }
  // An unknown tenant has no data to read, not even for its namesake.
  CHECK_FALSE(may_read(cfg, token("x", "nowhere", role::admin), "nowhere",
                       "StreetLight"));
  CHECK_FALSE(may_read(cfg, anonymous_principal(), "", "StreetLight"));
}

TEST_CASE("only the own tenant's writers may write", "[twin]") {
  auto cfg = make_config();
  CHECK(may_write(cfg, token("a", "owner", role::admin), "owner", "Camera"));
  CHECK(may_write(cfg, token("o", "owner", role::operator_), "owner",
                  "StreetLight"));
  for (auto r : {role::planner, role::emergency, role::viewer, role::app})
    CHECK_FALSE(may_write(cfg, token("x", "owner", r), "owner", "Camera"));
  // Shared data is readable by guest, never writable.
  CHECK_FALSE(may_write(cfg, token("g", "guest", role::admin), "owner",
                        "ParkingSensor"));
  CHECK_FALSE(may_write(cfg, anonymous_principal(), "owner", "StreetLight"));
  CHECK_FALSE(
      may_write(cfg, api_key("owner-key", "owner"), "owner", "StreetLight"));
  CHECK_FALSE(
      may_write(cfg, token("a", "nowhere", role::admin), "nowhere", "Camera"));
}

TEST_CASE("subscribing needs the role and the right to read", "[twin]") {
  auto cfg = make_config();
  // Anonymous callers never subscribe, not even to open data.
  CHECK_FALSE(
      may_subscribe(cfg, anonymous_principal(), "owner", "StreetLight"));
  // A viewer reads but does not subscribe, even in its own tenant.
  CHECK_FALSE(
      may_subscribe(cfg, token("v", "owner", role::viewer), "owner", "Camera"));
  CHECK(may_subscribe(cfg, token("p", "owner", role::planner), "owner",
                      "Camera"));
  CHECK(may_subscribe(cfg, token("third-app", "third", role::app), "owner",
                      "ParkingSensor"));
  CHECK_FALSE(may_subscribe(cfg, token("third-app", "third", role::app),
                            "owner", "Camera"));
  CHECK(may_subscribe(cfg, api_key("owner-key", "owner"), "owner",
                      "AirQualitySensor"));
  CHECK_FALSE(
      may_subscribe(cfg, api_key("owner-key", "owner"), "owner", "Camera"));
}

TEST_CASE("tokens authenticate by hash, and expire", "[twin]") {
  auto cfg = make_config();
  auto ok = authenticate_token(cfg, fake_hash(1), 5000);
  REQUIRE(std::holds_alternative<principal>(ok));
  CHECK(std::get<principal>(ok).name == "owner-admin");
  CHECK(std::get<principal>(ok).tenant == "owner");
  CHECK(std::get<principal>(ok).r == role::admin);
  CHECK(std::get<principal>(ok).k == kind::token);
  // owner-viewer expires at 1000 ms: valid before, refused at and after.
  CHECK(std::holds_alternative<principal>(
      authenticate_token(cfg, fake_hash(2), 999)));
  CHECK(std::get<auth_failure>(authenticate_token(cfg, fake_hash(2), 1000))
        == auth_failure::expired);
  CHECK(std::get<auth_failure>(authenticate_token(cfg, fake_hash(2), 1001))
        == auth_failure::expired);
  CHECK(std::get<auth_failure>(authenticate_token(cfg, fake_hash(9), 0))
        == auth_failure::unknown);
  // An API key's secret is not a token, and the reverse.
  CHECK(std::get<auth_failure>(authenticate_token(cfg, fake_hash(3), 0))
        == auth_failure::unknown);
  CHECK(std::get<auth_failure>(authenticate_api_key(cfg, fake_hash(1)))
        == auth_failure::unknown);
  // No credential at all arrives as the hash of the empty secret.
  CHECK(std::get<auth_failure>(authenticate_token(cfg, empty_secret_sha256, 0))
        == auth_failure::missing);
  CHECK(std::get<auth_failure>(authenticate_api_key(cfg, empty_secret_sha256))
        == auth_failure::missing);
  auto key = authenticate_api_key(cfg, fake_hash(3));
  REQUIRE(std::holds_alternative<principal>(key));
  CHECK(std::get<principal>(key).k == kind::api_key);
  CHECK(std::get<principal>(key).tenant == "owner");
  CHECK(std::get<principal>(key).r == role::app);
}

TEST_CASE("constant-time comparison is still a comparison", "[twin]") {
  auto x = fake_hash(42);
  CHECK(constant_time_equal(x, x));
  CHECK(constant_time_equal(x, fake_hash(42)));
  // A difference in any single byte, and in any single bit, is seen.
  for (size_t i = 0; i < x.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto y = x;
      y[i] = static_cast<uint8_t>(y[i] ^ (1u << bit));
      CHECK_FALSE(constant_time_equal(x, y));
    }
  }
  CHECK_FALSE(constant_time_equal(std::array<uint8_t, 32>{}, x));
  CHECK(constant_time_equal(std::array<uint8_t, 32>{},
                            std::array<uint8_t, 32>{}));
}
