// tests/adapters/ngsi/ngsi_hardening.cpp
// of the NGSI-LD port (issue 10), each reproduced over a real socket on
// 127.0.0.1 and refused with the right status while the server stays up.
#include "ngsi_fixture.hpp"

#include "actors/runtime.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "adapters/broker/webhook_client.hpp"
#include "twin/broker/broker_error.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <filesystem>

using namespace citytwin;
using namespace citytwin::test;
using nlohmann::json;

namespace {

std::string deep_array(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// A document of `depth` nested arrays under attribute `x`, 100k+ bytes:
// the body that overflowed the stack.
std::string deep_entity(const std::string& id, size_t depth) {
  return R"({"id":")" + id + R"(","type":"Building","x":)" + deep_array(depth)
         + "}";
}

std::string watch_nothing(const std::string& endpoint) {
  // A type no entity has: the subscription never fires, so a refusal
  // that failed would still send nothing anywhere.
  return json{{"type", "Subscription"},
              {"entities", {{{"type", "NoSuchTypeEver"}}}},
              {"notification", {{"endpoint", {{"uri", endpoint}}}}}}
      .dump();
}

// This process's resident memory, in KiB.
size_t rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoul(line.substr(6));
  return 0;
}

uint64_t refused(ngsi_fixture& f, const std::string& reason) {
  auto all = f.brk.refusals();
  auto i = all.find(reason);
  return i == all.end() ? 0 : i->second;
}

} // namespace

TEST_CASE("finding 1: deeply nested bodies are refused with 400, no crash",
          "[broker][ngsi][security]") {
  ngsi_fixture f; // 64 KiB body limit: 30k levels fit
  auto admin = bearer("demo-admin");
  auto deep = deep_entity("urn:ngsi-ld:Building:deep", 30'000);
  // Without credentials, with them, on every route that reads a body.
  CHECK(f.call("POST", api + "/entities", {json_type}, deep).status == 401);
  CHECK(f.call("POST", api + "/entities", {admin, json_type}, deep).status
        == 400);
  auto sub = R"({"type":"Subscription","entities":[{"type":"X"}],"q":)"
             + deep_array(30'000) + "}";
  CHECK(f.call("POST", api + "/subscriptions", {admin, json_type}, sub).status
        == 400);
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:Building:b1","type":"Building"})")
              .status
          == 201);
  CHECK(f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:b1/attrs",
               {admin, json_type}, R"({"x":)" + deep_array(30'000) + "}")
            .status
        == 400);
  CHECK(f.call("POST", api + "/entityOperations/upsert", {admin, json_type},
               "[" + deep_entity("urn:ngsi-ld:Building:b2", 30'000) + "]")
            .status
        == 400);
  auto res = f.call("POST", api + "/entities", {admin, json_type},
                    deep_entity("urn:ngsi-ld:Building:d", 40));
  CHECK(res.status == 400);
  CHECK(res.body.find("deeper than") != std::string::npos);
  CHECK(refused(f, "json_too_deep") >= 5);
  // Refused while parsing: a hundred more cost no memory to speak of.
  auto rss_before = rss_kib();
  for (int i = 0; i < 100; ++i)
    REQUIRE(f.call("POST", api + "/entities", {admin, json_type}, deep).status
            == 400);
  auto rss_after = rss_kib();
  CHECK(rss_after < rss_before + 20 * 1024);
  WARN("100 bodies nested 30,000 deep: RSS " << rss_before / 1024 << " -> "
                                             << rss_after / 1024 << " MiB");
  // Still serving.
  CHECK(f.call("GET", api + "/entities/urn:ngsi-ld:Building:b1", {admin})
            .status
        == 200);
}

TEST_CASE("finding 2: subscriptions are limited per principal and tenant",
          "[broker][ngsi][security]") {
  auto access = demo_access();
  access.limits.subscriptions_per_principal = 3;
  access.limits.subscriptions_per_tenant = 5;
  access.limits.outbound_subscriptions = 7;
  ngsi_fixture f{access};
  auto hook = watch_nothing("http://127.0.0.1:9/hook");
  auto post = [&](const std::string& who) {
    return f.call("POST", api + "/subscriptions", {bearer(who), json_type},
                  hook);
  };
  for (int i = 0; i < 3; ++i)
    REQUIRE(post("demo-operator").status == 201);
  auto over = post("demo-operator");
  CHECK(over.status == 429);
  CHECK(over.body.find("per principal") != std::string::npos);
  REQUIRE(post("demo-admin").status == 201);
  REQUIRE(post("demo-admin").status == 201);
  CHECK(post("demo-admin").status == 429); // the tenant's 5 are used
  CHECK(refused(f, "subscription_limit") == 2);
  // Another tenant has its own allowance, but the server's outbound
  // budget (7) is shared: 2 more, then 503.
  auto aarhus_hook = watch_nothing("http://93.184.216.34/hook");
  auto post_aarhus = [&] {
    return f.call("POST", api + "/subscriptions",
                  {bearer("aarhus-admin"), json_type}, aarhus_hook);
  };
  CHECK(post_aarhus().status == 201);
  CHECK(post_aarhus().status == 201);
  auto full = post_aarhus();
  CHECK(full.status == 503);
  CHECK(refused(f, "outbound_subscription_limit") == 1);
  // Deleting one frees its place.
  auto list = f.json_of(
      f.call("GET", api + "/subscriptions", {bearer("demo-operator")}));
  REQUIRE(list.size() == 3);
  auto id = list[0]["id"].get<std::string>();
  CHECK(f.call("DELETE", api + "/subscriptions/" + id,
               {bearer("demo-operator")})
            .status
        == 204);
  CHECK(post("demo-operator").status == 201);
}

TEST_CASE("finding 2: stopping the notifier is bounded with many busy "
          "subscriptions",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  // 100 subscriptions on a type that changes, all to a port that never
  // answers (the listener accepts, then holds): workers sit in timeouts.
  ngsi::listener_config hold;
  std::atomic<bool> stop_holding{false};
  ngsi::http_listener silent{
      hold, ngsi::answer_at_once([&](const ngsi::http_request&) {
        while (!stop_holding)
          std::this_thread::sleep_for(std::chrono::milliseconds{5});
        return ngsi::http_response{204, {}, {}};
      })};
  std::string error;
  REQUIRE(silent.start(error));
  auto uri = "http://127.0.0.1:" + std::to_string(silent.port()) + "/h";
  for (int i = 0; i < 100; ++i)
    REQUIRE(f.call("POST", api + "/subscriptions",
                   {bearer("demo-admin"), json_type},
                   json{{"type", "Subscription"},
                        {"entities", {{{"type", "Meter"}}}},
                        {"notification", {{"endpoint", {{"uri", uri}}}}}}
                       .dump())
                .status
            == 201);
  for (int i = 0; i < 20; ++i)
    f.call("POST", api + "/entities", {bearer("demo-admin"), json_type},
           json{{"id", "urn:ngsi-ld:Meter:m" + std::to_string(i)},
                {"type", "Meter"},
                {"v", {{"type", "Property"}, {"value", i}}}}
               .dump());
  auto start = std::chrono::steady_clock::now();
  f.brk.notifications().stop();
  auto took = std::chrono::steady_clock::now() - start;
  stop_holding = true;
  // The fixture's timeout is 1 s: one delivery in progress per worker.
  CHECK(took < std::chrono::seconds{5});
  silent.stop();
}

TEST_CASE("finding 3: connections beyond the limit get 503; out of "
          "descriptors, accepting backs off instead of spinning",
          "[broker][ngsi][security]") {
  ngsi::listener_config config;
  config.max_connections = 8;
  config.accept_backoff = std::chrono::milliseconds{100};
  ngsi::http_listener listener{
      config, ngsi::answer_at_once([](const ngsi::http_request&) {
        return ngsi::http_response{200, {}, "ok"};
      })};
  std::string error;
  REQUIRE(listener.start(error));
  auto port = listener.port();
  auto connect_one = [port] {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr),
                           sizeof(addr)) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  };
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i)
    idle.push_back(connect_one());
  REQUIRE(eventually([&] { return listener.stats().open_connections == 8; }));
  int extra = connect_one();
  REQUIRE(extra >= 0);
  std::string answer(256, '\0');
  auto n = recv(extra, answer.data(), answer.size(), 0);
  REQUIRE(n > 0);
  CHECK(answer.substr(0, 12) == "HTTP/1.1 503");
  CHECK(listener.stats().refused_connections == 1);
  close(extra);
  for (int fd : idle)
    close(fd);
  REQUIRE(eventually([&] { return listener.stats().open_connections == 0; }));

  // Out of descriptors: a child process holds many connections while this
  // process may open only a few more files.
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    for (int i = 0; i < 64; ++i)
      connect_one();
    char c = 1;
    (void) !write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  rlimit old{};
  getrlimit(RLIMIT_NOFILE, &old);
  int probe = dup(0);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(probe + 4);
  close(probe);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  REQUIRE(eventually([&] { return listener.stats().accept_backoffs > 0; }));
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  auto backoffs_before = listener.stats().accept_backoffs;
  std::this_thread::sleep_for(std::chrono::milliseconds{500});
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  auto cpu_us = [](const rusage& r) {
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1'000'000L
           + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
  };
  // A spinning accept loop fails thousands of times a second and burns a
  // core; backing off 100 ms fails about 5 times in 500 ms.
  CHECK(listener.stats().accept_backoffs - backoffs_before <= 20);
  CHECK(cpu_us(after) - cpu_us(before) < 200'000);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &old) == 0);
  // Recovered: the next client is served.
  ngsi::http_client client{"127.0.0.1", port};
  auto res = client.request("GET", "/");
  REQUIRE(res);
  CHECK(res->status == 200);
  listener.stop();
}

TEST_CASE("finding 5: endpoints are validated, private targets refused",
          "[broker][ngsi][security]") {
  using namespace citytwin::broker;
  // Syntax: control characters, user info, odd hosts and ports.
  for (auto bad : {"http://example.org/a\r\nX-Injected: 1",
                   "http://example.org/a b", "http://user@example.org/",
                   "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/",
                   "http://127.1/", "http://example.org:0/",
                   "http://example.org:99999/", "http://example.org:/",
                   "gopher://example.org/", "http://[::1/", "http://-a.org/",
                   "mqtt://example.org/a/#"})
    CHECK_FALSE(parse_endpoint(bad));
  auto ok = parse_endpoint("http://hooks.example.org:8080/n?x=1");
  REQUIRE(ok);
  CHECK(ok->host == "hooks.example.org");
  CHECK(ok->port == 8080);
  CHECK(ok->target == "/n?x=1");
  CHECK_FALSE(ok->literal);
  // Addresses: no allowance, only public ones pass.
  outbound_policy none;
  for (auto bad : {"http://169.254.169.254/latest/meta-data",
                   "http://127.0.0.1:22/", "http://0.0.0.0/", "http://10.1.2.3/",
                   "http://172.16.0.1/", "http://192.168.1.1/",
                   "http://100.64.0.1/", "http://[::1]/", "http://[fe80::1]/",
                   "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/",
                   "http://[::]/", "http://224.0.0.1/",
                   "http://255.255.255.255/"})
    CHECK_FALSE(none.check_endpoint(bad));
  CHECK(none.check_endpoint("http://93.184.216.34/hook"));
  CHECK(none.check_endpoint("http://[2a00:1450::1]/hook"));
  // An allowance opens a network and port range, never the own ports.
  auto net = parse_allowed_network("127.0.0.1/32:9000-9999");
  REQUIRE(net);
  outbound_policy some{{*net}, {9100}};
  CHECK(some.check_endpoint("http://127.0.0.1:9001/"));
  CHECK_FALSE(some.check_endpoint("http://127.0.0.1:22/"));
  CHECK_FALSE(some.check_endpoint("http://127.0.0.1:9100/"));
  CHECK_FALSE(some.check_endpoint("http://127.0.0.2:9001/"));
  CHECK_FALSE(parse_allowed_network("127.0.0.1/33"));
  CHECK_FALSE(parse_allowed_network("localhost"));
  CHECK(parse_allowed_network("[fd00::]/8:8000"));
}

TEST_CASE("finding 5: subscriptions to refused endpoints get 400 over HTTP",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  f.brk.set_own_ports({f.port()});
  auto post = [&](const std::string& who, const std::string& uri) {
    return f.call("POST", api + "/subscriptions", {bearer(who), json_type},
                  watch_nothing(uri));
  };
  auto own = "http://127.0.0.1:" + std::to_string(f.port()) + "/ngsi-ld/v1";
  // aarhus allows nothing private; demo allows 127.0.0.1 but not the
  // server's own port.
  for (const auto& uri :
       {std::string{"http://169.254.169.254/latest/meta-data"},
        std::string{"http://127.0.0.1:22/"}, std::string{"http://0.0.0.0/"},
        std::string{"http://2130706433/"}, std::string{"http://0x7f.1/"},
        std::string{"http://10.0.0.1:99999/"}, std::string{"http://10.0.0.1:0/"},
        std::string{"mqtt://127.0.0.1:1883/t"}})
    CHECK(post("aarhus-admin", uri).status == 400);
  CHECK(post("demo-admin", own).status == 400);
  CHECK(post("demo-admin", "http://127.0.0.1:9/a\r\nX-Evil: 1").status == 400);
  CHECK(post("demo-admin", "http://127.0.0.1:9/a%0D%0AX-Evil:%201").status
        == 201); // percent-encoded: a harmless path
  CHECK(post("demo-admin", "http://127.0.0.1:9/hook").status == 201);
  // PATCH goes through the same policy.
  auto list = f.json_of(
      f.call("GET", api + "/subscriptions", {bearer("demo-admin")}));
  REQUIRE_FALSE(list.empty());
  auto id = list[0]["id"].get<std::string>();
  CHECK(f.call("PATCH", api + "/subscriptions/" + id,
               {bearer("demo-admin"), json_type},
               R"({"notification":{"endpoint":{"uri":")" + own + R"("}}})")
            .status
        == 400);
  CHECK(refused(f, "endpoint_not_allowed") >= 10);
}

TEST_CASE("finding 5: a webhook that resolves to a refused address is never "
          "contacted and reads as failed",
          "[broker][ngsi][security]") {
  // The policy is checked again at delivery, on the resolved address: a
  // receiver on 127.0.0.1 that the policy does not allow gets nothing.
  std::atomic<int> contacted{0};
  ngsi::http_listener receiver{
      {}, ngsi::answer_at_once([&](const ngsi::http_request&) {
        ++contacted;
        return ngsi::http_response{204, {}, {}};
      })};
  std::string error;
  REQUIRE(receiver.start(error));
  auto policy = std::make_shared<const broker::outbound_policy>();
  auto budget = std::make_shared<broker::connection_budget>();
  broker::webhook_client client{{"127.0.0.1", receiver.port(), "/"},
                                policy,
                                budget};
  auto res = client.post("{}", std::chrono::milliseconds{500});
  REQUIRE_FALSE(res);
  CHECK(broker::detail_of(res.error()) == "webhook delivery failed");
  CHECK(contacted == 0);
  // Allowed, it is delivered, and the connection counts against the budget.
  auto net = broker::parse_allowed_network("127.0.0.1/32");
  REQUIRE(net);
  broker::webhook_client allowed{
      {"127.0.0.1", receiver.port(), "/"},
      std::make_shared<const broker::outbound_policy>(
          std::vector<broker::allowed_network>{*net},
          std::vector<uint16_t>{}),
      budget};
  auto ok = allowed.post("{}", std::chrono::milliseconds{2000});
  REQUIRE(ok);
  CHECK(*ok == 204);
  CHECK(contacted == 1);
  CHECK(budget->open == 1);
  receiver.stop();
}

TEST_CASE("finding 7: another tenant's entity and a missing one look the "
          "same",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  REQUIRE(f.call("POST", api + "/entities", {bearer("demo-admin"), json_type},
                 R"({"id":"urn:ngsi-ld:Building:secret","type":"Building"})")
              .status
          == 201);
  auto demo = std::pair<std::string, std::string>{"NGSILD-Tenant", "demo"};
  for (auto who : {std::string{"aarhus-admin"}, std::string{""}}) {
    headers h{demo};
    if (!who.empty())
      h.push_back(bearer(who));
    auto existing
        = f.call("GET", api + "/entities/urn:ngsi-ld:Building:secret", h);
    auto missing
        = f.call("GET", api + "/entities/urn:ngsi-ld:Building:secreT", h);
    CHECK(existing.status == 404);
    CHECK(missing.status == 404);
    auto strip = [](std::string body, const std::string& id) {
      auto at = body.find(id);
      return at == std::string::npos ? body : body.erase(at, id.size());
    };
    CHECK(strip(existing.body, "urn:ngsi-ld:Building:secret")
          == strip(missing.body, "urn:ngsi-ld:Building:secreT"));
    auto patch_existing
        = f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:secret/attrs",
                 h, R"({"a":1})");
    auto patch_missing
        = f.call("PATCH", api + "/entities/urn:ngsi-ld:Building:secreT/attrs",
                 h, R"({"a":1})");
    CHECK(patch_existing.status == patch_missing.status);
  }
  CHECK(refused(f, "hidden_entity") >= 2);
}

TEST_CASE("finding 8: anonymous NGSI-LD requests are rate limited per "
          "tenant and address",
          "[broker][ngsi][security]") {
  auto access = demo_access();
  access.limits.anonymous_requests_per_minute = 5;
  ngsi_fixture f{access};
  auto demo = std::pair<std::string, std::string>{"NGSILD-Tenant", "demo"};
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto res = f.call("GET", api + "/entities?type=StreetLight", {demo});
    ok += res.status == 200;
    if (res.status == 429) {
      ++limited;
      CHECK_FALSE(res.header("retry-after").empty());
    }
  }
  CHECK(ok == 5);
  CHECK(limited == 3);
  // Tokens are not limited by it.
  CHECK(f.call("GET", api + "/entities?type=StreetLight",
               {demo, bearer("demo-viewer")})
            .status
        == 200);
  CHECK(refused(f, "anonymous_rate_limit") == 3);
}

TEST_CASE("finding 9: bad bytes, geometry, duplicate keys and values get "
          "400; lower-case bearer works",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  // Invalid UTF-8 in an id, a subscription id and the tenant header.
  CHECK(f.call("GET", api + "/entities/urn:ngsi-ld:B:%FF%FE", {admin}).status
        == 400);
  CHECK(f.call("GET", api + "/subscriptions/urn:ngsi-ld:S:%C3%28", {admin})
            .status
        == 400);
  CHECK(f.call("GET", api + "/entities?type=Building",
               {admin, {"NGSILD-Tenant", "d\xff\xfemo"}})
            .status
        == 400);
  CHECK(f.call("POST", api + "/entities", {admin, json_type},
               "{\"id\":\"urn:ngsi-ld:B:\xff\",\"type\":\"B\"}")
            .status
        == 400);
  // Geometry is checked when written.
  for (auto location :
       {R"({"type":"Point","coordinates":[1e308,1e308]})",
        R"({"type":"Polygon","coordinates":[[[1,2]]]})",
        R"({"type":"Point","coordinates":[1,2,3,4,5]})",
        R"({"type":"LineString","coordinates":[[1,2]]})"}) {
    auto body = std::string{R"({"id":"urn:ngsi-ld:B:g","type":"B",)"}
                + R"("location":{"type":"GeoProperty","value":)" + location
                + "}}";
    CHECK(f.call("POST", api + "/entities", {admin, json_type}, body).status
          == 400);
  }
  CHECK(f.call("POST", api + "/entities", {admin, json_type},
               R"({"id":"urn:ngsi-ld:B:g","type":"B","location":)"
               R"({"type":"Point","coordinates":[4.35,50.85]}})")
            .status
        == 201);
  // Duplicate keys.
  auto dup = f.call("POST", api + "/entities", {admin, json_type},
                    R"({"id":"urn:ngsi-ld:B:d","type":"B","id":"x"})");
  CHECK(dup.status == 400);
  CHECK(dup.body.find("duplicate key") != std::string::npos);
  // RFC 7235: the scheme is case-insensitive.
  for (auto scheme : {"bearer ", "BEARER ", "Bearer  "})
    CHECK(f.call("GET", api + "/entities?type=B",
                 {{"Authorization", std::string{scheme} + "demo-admin-secret"}})
              .status
          == 200);
  CHECK(f.call("GET", api + "/entities?type=B",
               {{"Authorization", "Basic demo-admin-secret"}})
            .status
        == 401);
}

TEST_CASE("finding 9: twin quantities outside their range are refused "
          "before the twin sees them",
          "[broker][security]") {
  // No routers: a write that passed the checks would index an empty
  // vector, so reaching the twin would fail loudly.
  auto write = broker::make_live_writer({});
  auto lamp = "urn:ngsi-ld:StreetLight:demo:000003";
  for (double bad : {1e308, -1.0, 1.5}) {
    auto res = write(lamp, json{{"dimLevel", {{"type", "Property"},
                                              {"value", bad}}}});
    REQUIRE_FALSE(res);
    CHECK(broker::detail_of(res.error()).find("must lie in")
          != std::string::npos);
  }
}

TEST_CASE("regular expressions from clients are bounded in size, nesting "
          "and matching time",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                 R"({"id":"urn:ngsi-ld:B:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",)"
                 R"("type":"B"})")
              .status
          == 201);
  // Catastrophic backtracking for a backtracking matcher: answered fast.
  CHECK(f.call("GET", api + "/entities?idPattern=(a%7Ca)*b", {admin}).status
        == 200);
  CHECK(f.call("GET", api + "/entities?idPattern=" + std::string(40, '(') + "a"
                   + std::string(40, ')'),
               {admin})
            .status
        == 400);
  CHECK(f.call("GET", api + "/entities?idPattern=" + std::string(2000, 'a'),
               {admin})
            .status
        == 400);
  CHECK(f.call("POST", api + "/subscriptions", {admin, json_type},
               json{{"type", "Subscription"},
                    {"entities",
                     {{{"idPattern", std::string(40, '(') + std::string(40, ')')}}}},
                    {"notification",
                     {{"endpoint", {{"uri", "http://127.0.0.1:9/h"}}}}}}
                   .dump())
            .status
        == 400);
}

TEST_CASE("a webhook that fails for a while holds a bounded queue, then "
          "gets the latest state once it recovers",
          "[broker][ngsi][security]") {
  ngsi_fixture f; // cooldown 200 ms after a failed delivery
  std::atomic<bool> failing{true};
  std::mutex mtx;
  std::vector<json> got;
  ngsi::http_listener receiver{
      {}, ngsi::answer_at_once([&](const ngsi::http_request& req) {
        if (failing)
          return ngsi::http_response{500, {}, {}};
        std::lock_guard guard{mtx};
        got.push_back(json::parse(req.body, nullptr, false));
        return ngsi::http_response{204, {}, {}};
      })};
  std::string error;
  REQUIRE(receiver.start(error));
  auto admin = bearer("demo-admin");
  auto res = f.call(
      "POST", api + "/subscriptions", {admin, json_type},
      json{{"type", "Subscription"},
           {"entities", {{{"type", "Meter"}}}},
           {"notification",
            {{"endpoint",
              {{"uri", "http://127.0.0.1:" + std::to_string(receiver.port())
                           + "/n"}}}}},
           {"queue", {{"capacity", 10}}}}
          .dump());
  REQUIRE(res.status == 201);
  auto id = res.header("location").substr(res.header("location").rfind('/')
                                          + 1);
  constexpr int meters = 30;
  for (int i = 0; i < meters; ++i)
    REQUIRE(f.call("POST", api + "/entities", {admin, json_type},
                   json{{"id", "urn:ngsi-ld:Meter:f" + std::to_string(i)},
                        {"type", "Meter"},
                        {"v", {{"type", "Property"}, {"value", i}}}}
                       .dump())
                .status
            == 201);
  auto status = [&] {
    return f.json_of(f.call("GET", api + "/subscriptions/" + id, {admin}));
  };
  REQUIRE(eventually(
      [&] { return status()["notification"]["timesFailed"] >= 2; }));
  auto during = status();
  CHECK(during["notification"]["status"] == "failed");
  // Bounded: never more than the capacity waits, the rest is counted.
  auto q = during["queueStatus"];
  CHECK(q["pending"].get<int>() + q["inFlight"].get<int>() <= 10 + 10);
  CHECK(q["offered"] == meters);
  // The API answers meanwhile.
  CHECK(f.call("GET", api + "/entities?type=Meter&limit=1", {admin}).status
        == 200);
  auto recovered_at = std::chrono::steady_clock::now();
  failing = false;
  REQUIRE(eventually([&] {
    auto s = status();
    return s["notification"]["status"] == "ok"
           && s["queueStatus"]["pending"] == 0
           && s["queueStatus"]["inFlight"] == 0;
  }));
  auto recovery = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - recovered_at)
                      .count();
  auto after = status()["queueStatus"];
  // Every update was delivered, or dropped and counted: none vanished.
  CHECK(after["delivered"].get<int>() + after["dropped"].get<int>()
            + after["coalesced"].get<int>()
        == meters);
  std::lock_guard guard{mtx};
  CHECK_FALSE(got.empty());
  WARN("webhook failing then recovering: delivered "
       << after["delivered"] << ", dropped (counted) " << after["dropped"]
       << " of " << meters << "; queue drained " << recovery
       << " s after the receiver recovered");
  receiver.stop();
}

TEST_CASE("rate limits survive the clock jumping back and forth",
          "[broker][security]") {
  broker::rate_limiter limit{60}; // one a second, bursts of 60
  int retry = 0;
  double now = 1000;
  for (int i = 0; i < 60; ++i)
    REQUIRE(limit.allow("c", now, retry));
  CHECK_FALSE(limit.allow("c", now, retry));
  // Back an hour: no lock-out, no refill either.
  now -= 3600;
  CHECK_FALSE(limit.allow("c", now, retry));
  CHECK(retry <= 60);
  // The clock returns: one second later, one token.
  now += 3600 + 1;
  CHECK(limit.allow("c", now, retry));
  CHECK_FALSE(limit.allow("c", now, retry));
  // Forward a day: the burst refills, never beyond it.
  now += 86400;
  int served = 0;
  while (limit.allow("c", now, retry) && served < 1000)
    ++served;
  CHECK(served == 60);
}

TEST_CASE("finding 2: webhook subscriptions hold descriptors only within "
          "the kept-alive budget",
          "[broker][ngsi][security]") {
  auto count_fds = [] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator{"/proc/self/fd"})
      ++n;
    return n;
  };
  auto access = demo_access();
  access.limits.kept_alive_connections = 4;
  ngsi_fixture f{access};
  std::atomic<int> received{0};
  ngsi::http_listener receiver{
      {}, ngsi::answer_at_once([&](const ngsi::http_request&) {
        ++received;
        return ngsi::http_response{204, {}, {}};
      })};
  std::string error;
  REQUIRE(receiver.start(error));
  auto uri = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/n";
  // The test's own client connection opens on its first request.
  REQUIRE(f.call("GET", api + "/entities?type=Meter",
                 {bearer("demo-admin")})
              .status
          == 200);
  auto before = count_fds();
  constexpr int subscriptions = 40;
  for (int i = 0; i < subscriptions; ++i)
    REQUIRE(f.call("POST", api + "/subscriptions",
                   {bearer("demo-admin"), json_type},
                   json{{"type", "Subscription"},
                        {"entities", {{{"type", "Meter"}}}},
                        {"notification", {{"endpoint", {{"uri", uri}}}}}}
                       .dump())
                .status
            == 201);
  // Idle subscriptions hold nothing.
  CHECK(count_fds() <= before + 2);
  REQUIRE(f.call("POST", api + "/entities", {bearer("demo-admin"), json_type},
                 R"({"id":"urn:ngsi-ld:Meter:k","type":"Meter","v":1})")
              .status
          == 201);
  auto all_received = eventually([&] { return received == subscriptions; });
  if (!all_received) {
    auto list = f.json_of(
        f.call("GET", api + "/subscriptions", {bearer("demo-admin")}));
    for (const auto& s : list)
      UNSCOPED_INFO(s["notification"].dump() << s["queueStatus"].dump());
  }
  REQUIRE(all_received);
  CHECK(f.brk.notifications().num_open_connections() <= 4);
  // Each kept-alive webhook: a socket and its event loop's epoll, eventfd
  // and timerfd here, and the receiver's side of the socket; a few more
  // for connections still closing. Unbounded, 40 would hold 160.
  auto after = count_fds();
  CHECK(after <= before + 4 * 5 + 8);
  WARN("40 webhook subscriptions, budget 4: " << after - before
                                              << " more descriptors");
  receiver.stop();
}

TEST_CASE("fuzz findings: members of the wrong type and huge repetition "
          "counts are 400",
          "[broker][ngsi][security]") {
  ngsi_fixture f;
  auto admin = bearer("demo-admin");
  for (auto body :
       {R"({"type":"Subscription","id":["x"],"entities":[{"type":"T"}]})",
        R"({"type":1,"entities":[{"type":"T"}]})",
        R"({"type":"Subscription","entities":[{"type":["T"]}]})",
        R"({"type":"Subscription","entities":[{"type":"T"}],)"
        R"("notification":{"format":2,"endpoint":{"uri":"http://127.0.0.1:9/"}}})",
        R"({"type":"Subscription","entities":[{"type":"T"}],)"
        R"("notification":{"showChanges":"yes","endpoint":{"uri":"http://127.0.0.1:9/"}}})"})
    CHECK(f.call("POST", api + "/subscriptions", {admin, json_type}, body)
              .status
          == 400);
  // Patterns are quoted strings in q: name~="a{1000}".
  for (auto q : {"name~=%22a%7B8888888888888888888%7D%22",
                 "name~=%22a%7B1000%7D%22"})
    CHECK(f.call("GET", api + "/entities?type=B&q=" + std::string{q}, {admin})
              .status
          == 400);
  CHECK(f.call("GET", api + "/entities?type=B&q=name~=%22a%7B999%7D%22", {admin})
            .status
        == 200);
}

TEST_CASE("finding 2: a TENANT stops at once whatever its backlog",
          "[broker][security]") {
  caf::actor_system_config cfg;
  REQUIRE_FALSE(actors::configure(cfg, {"sharing", 1}));
  caf::actor_system sys{cfg};
  broker::notifier n;
  auto city = small_city();
  REQUIRE_FALSE(city.things.empty());
  twin::delta_batch batch;
  for (const auto& p : city.things)
    batch.push_back({twin::initial_state(p), 1});
  auto counters = std::make_shared<broker::tenant_counters>();
  auto tenant = broker::spawn_tenant(
      sys, std::make_unique<broker::tenant_space>("test", n), counters);
  // Far more than it handles in the time allowed below: overload leaves
  // minutes of deltas queued, and an exit queued behind them would wait.
  constexpr int batches = 20000;
  for (int i = 0; i < batches; ++i)
    caf::anon_send(tenant, batch);
  auto start = std::chrono::steady_clock::now();
  broker::stop_tenant(sys, tenant);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(tenant);
  CHECK(took < std::chrono::seconds{2});
  WARN("TENANT with " << batches << " batches of " << batch.size()
                      << " deltas queued stopped in "
                      << std::chrono::duration<double>(took).count() << " s");
  n.stop();
}
