// tests/viz/scenarios_api.cpp: POST /api/scenarios and its reports over a
// real socket on 127.0.0.1, with the scenario service of a demo-city twin.
#include "raw_socket.hpp"

#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include <caf/send.hpp>
#include "scenarios/scenario_service.hpp"
#include "tests/eventually.hpp"
#include "tests/test_data.hpp"
#include "tests/test_system.hpp"
#include "twin/city_file.hpp"
#include "viz/http_server.hpp"
#include "viz/scenarios_api.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace citytwin;
using nlohmann::json;

namespace {

struct what_if_server {
  test::test_system ts;
  twin::city city;
  actors::twin_handles twin;
  actors::scenario_service_actor service;
  viz::http_server server{nullptr};

  what_if_server() {
    auto c = twin::load_city(test::project_data_dir() + "/demo.city");
    REQUIRE(c);
    city = std::move(*c);
    auto h = actors::spawn_twin(*ts.sys, city, {2, 0});
    REQUIRE(h);
    twin = *h;
    service = scenarios::spawn_scenario_service(
      *ts.sys, twin.front, std::make_shared<const twin::city>(city));
    // Tokens as `serve --access` decides them: a planner, a viewer.
    auto access = [](const std::string& token) {
      viz::operations_decision d;
      if (token.empty())
        return d;
      if (token != "plan" && token != "view" && token != "op") {
        d.unknown_token = true;
        return d;
      }
      d.authenticated = true;
      d.may_read = true;
      d.may_plan = token != "view";
      d.may_issue = token == "op";
      d.who = token == "plan" ? "planner:p"
              : token == "op" ? "operator:o"
                              : "viewer:v";
      return d;
    };
    server.set_handler(viz::make_scenarios_api(
      *ts.sys, service, access,
      [](const viz::http_request&, viz::http_reply reply) {
        reply({404, "text/plain", "next"});
      }));
    std::string error;
    REQUIRE(server.start("127.0.0.1", 0, error));
  }

  ~what_if_server() {
    server.stop();
    caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
    actors::stop_twin(*ts.sys, twin);
  }

  test::http_result post(const std::string& body, const std::string& token) {
    return test::http_exchange(
      server.port(),
      "POST /api/scenarios HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (token.empty() ? std::string{}
                         : "Authorization: Bearer " + token + "\r\n")
        + "Content-Length: " + std::to_string(body.size())
        + "\r\nConnection: close\r\n\r\n" + body);
  }

  test::http_result get(const std::string& path, const std::string& token) {
    return test::http_fetch(server.port(), path,
                            "Authorization: Bearer " + token + "\r\n");
  }
};

const std::string scenario = R"(version: 1
name: api-run
city: demo
start: "2026-12-05T08:00"
horizon: 20min
background: {level: 0.5}
)";

} // namespace

TEST_CASE("what-if runs over HTTP: who may, bad input, the report",
          "[viz][scenarios_api]") {
  what_if_server s;
  CHECK(s.post(scenario, "").status == 401);
  CHECK(s.post(scenario, "stolen").status == 401);
  CHECK(s.post(scenario, "view").status == 403);
  auto bad = s.post("version: 1\nname: api-run\ncity: demo\nhorizon: -3h\n",
                    "plan");
  REQUIRE(bad.status == 400);
  auto problems = json::parse(bad.body)["problems"];
  REQUIRE(problems.size() >= 2); // no start, a negative horizon
  CHECK(problems[0].get<std::string>().rfind("scenario:", 0) == 0);
  CHECK(s.post(std::string((1 << 20) + 1, '#'), "plan").status == 413);
  CHECK(s.get("/api/scenarios/42", "view").status == 404);
  CHECK(s.get("/api/scenarios/x1", "view").status == 404);
  auto ok = s.post(scenario, "plan");
  REQUIRE(ok.status == 202);
  auto id = json::parse(ok.body)["id"].get<uint64_t>();
  json report;
  REQUIRE(test::eventually(
    [&] {
      auto r = s.get("/api/scenarios/" + std::to_string(id), "view");
      if (r.status != 200)
        return false;
      report = json::parse(r.body);
      return report["status"] == "done" || report["status"] == "failed";
    },
    std::chrono::seconds(120)));
  REQUIRE(report["status"] == "done");
  CHECK(report["submittedBy"] == "planner:p");
  CHECK(report["fork"]["entities"].get<uint64_t>() > 0);
  CHECK(report["results"]["groups"][0]["name"] == "background");
  // Issuing needs an operator, and ALERTS to issue with (none here).
  auto issue = [&](const std::string& token) {
    return test::http_exchange(
             s.server.port(),
             "POST /api/scenarios/" + std::to_string(id)
               + "/issue HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                 "Bearer "
               + token + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      .status;
  };
  CHECK(issue("view") == 403);
  CHECK(issue("plan") == 403);
  CHECK(issue("op") == 409);
  // Running it again with actions in effect needs a planner, a body in
  // bounds, and an action that changes traffic (this quiet run has none).
  auto apply = [&](uint64_t run, const std::string& token,
                   const std::string& body) {
    return test::http_exchange(
      s.server.port(),
      "POST /api/scenarios/" + std::to_string(run)
        + "/apply HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + token + "\r\nContent-Length: " + std::to_string(body.size())
        + "\r\nConnection: close\r\n\r\n" + body);
  };
  CHECK(apply(id, "view", "").status == 403);
  CHECK(apply(id, "plan", "{\"actions\": [1,").status == 400);
  CHECK(apply(id, "plan", "{\"action\": [1]}").status == 400);
  CHECK(apply(id, "plan", "{\"actions\": [-1]}").status == 400);
  CHECK(apply(id, "plan", "{\"actions\": [[[[1]]]]}").status == 400);
  CHECK(apply(id, "plan", "{\"actions\": [" + std::string(20000, '1') + "]}")
          .status
        == 400);
  CHECK(apply(id + 5, "plan", "").status == 404);
  auto nothing = apply(id, "plan", "{}");
  CHECK(nothing.status == 400);
  CHECK(nothing.body.find("changes traffic") != std::string::npos);
  CHECK(apply(id, "plan", "{\"actions\": [0]}").status == 400);
  auto list = json::parse(s.get("/api/scenarios", "view").body);
  REQUIRE(list["runs"].size() == 1);
  CHECK_FALSE(list["runs"][0].contains("results"));
  CHECK(list["counters"]["refusedInvalid"] == 1);
  CHECK(list["counters"]["done"] == 1);
}
