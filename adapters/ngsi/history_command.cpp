// adapters/ngsi/history_command.cpp: `citytwin history`.
#include "adapters/ngsi/history_command.hpp"

#include "adapters/ngsi/http_client.hpp"
#include "twin/civil_time.hpp"
#include "twin/error.hpp"
#include "twin/iso_time.hpp"
#include "twin/percent.hpp"
#include "twin/rules/duration.hpp"
#include "twin/wall_clock.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

namespace citytwin::ngsi {

namespace {

using json = nlohmann::json;

struct history_options {
  std::string entity;
  std::string from; ///< ISO 8601; default: 24 h before `to`
  std::string to;   ///< ISO 8601; default: now
  std::string every; ///< e.g. 15m; empty: raw readings
  std::string attrs;
  bool csv = false;
  std::string api = "http://127.0.0.1:8081";
  std::string token; ///< default: $CITYTWIN_TOKEN
  std::string tenant;
};

// One output row: a time (or a period) and the attributes' values.
struct row {
  std::string start;
  std::string end;
  std::map<std::string, std::string> cells; // column -> value
};

std::string number(const json& v) {
  if (!v.is_number())
    return v.dump();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v.get<double>());
  return buf;
}

int run(const history_options& opts) {
  auto fail = [](const std::string& why) {
    std::cerr << "history: " << why << '\n';
    return 2;
  };
  // http://host:port only: the API is reached on loopback or a LAN.
  std::string_view url = opts.api;
  if (url.substr(0, 7) != "http://")
    return fail("--api must be http://host:port");
  url.remove_prefix(7);
  while (!url.empty() && url.back() == '/')
    url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos)
    return fail("--api needs a port");
  std::string host{url.substr(0, colon)};
  int port = 0;
  try {
    port = std::stoi(std::string{url.substr(colon + 1)});
  } catch (...) {
  }
  if (port <= 0 || port > 65535)
    return fail("--api has a bad port");
  auto to = opts.to.empty() ? std::optional{twin::now_ms()}
                            : twin::parse_iso_time(opts.to);
  if (!to)
    return fail("--to is not an ISO 8601 time: " + opts.to);
  auto from = opts.from.empty() ? std::optional{*to - 86'400'000}
                                : twin::parse_iso_time(opts.from);
  if (!from)
    return fail("--from is not an ISO 8601 time: " + opts.from);
  if (*from >= *to)
    return fail("--from must be before --to");
  std::string target = "/ngsi-ld/v1/temporal/entities/"
                       + twin::percent_encode(opts.entity)
                       + "?timerel=between&timeAt="
                       + twin::percent_encode(twin::format_iso_time(*from))
                       + "&endTimeAt="
                       + twin::percent_encode(twin::format_iso_time(*to))
                       + "&options=temporalValues";
  bool aggregated = !opts.every.empty();
  if (aggregated) {
    auto every = rules::parse_duration(opts.every);
    if (!every || *every < 1000 || *every % 1000 != 0)
      return fail("--every must be whole seconds like 90s, 15m, 1h: "
                  + opts.every);
    target += "&aggrMethods=avg,min,max,totalCount&aggrPeriodDuration=PT"
              + std::to_string(*every / 1000) + "S";
  }
  if (!opts.attrs.empty())
    target += "&attrs=" + twin::percent_encode(opts.attrs);
  std::vector<std::pair<std::string, std::string>> headers{
    {"Accept", "application/json"}};
  auto token = opts.token;
  if (token.empty())
    if (const char* env = std::getenv("CITYTWIN_TOKEN"))
      token = env;
  if (!token.empty())
    headers.emplace_back("Authorization", "Bearer " + token);
  if (!opts.tenant.empty())
    headers.emplace_back("NGSILD-Tenant", opts.tenant);
  http_client client{host, static_cast<uint16_t>(port),
                     std::chrono::seconds{30}};
  auto res = client.request("GET", target, headers);
  if (!res)
    return fail("cannot reach " + opts.api + ": " + twin::describe(res.error()));
  json body = json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    auto detail = body.is_object() ? body.value("detail", res->body)
                                   : res->body;
    return fail("the server answered " + std::to_string(res->status) + ": "
                + detail);
  }
  if (!body.is_object())
    return fail("the server's answer is not a JSON object");
  // Columns: one per attribute (raw), or attribute.method (aggregated).
  std::vector<std::string> columns;
  std::map<std::string, row> rows; // by start time text (ISO sorts)
  for (const auto& [name, attr] : body.items()) {
    if (name == "id" || name == "type" || name == "@context"
        || !attr.is_object())
      continue;
    if (!aggregated) {
      columns.push_back(name);
      for (const auto& pair : attr.value("values", json::array()))
        if (pair.is_array() && pair.size() == 2) {
          auto& r = rows[pair[1].get<std::string>()];
          r.start = pair[1].get<std::string>();
          r.cells[name] = number(pair[0]);
        }
      continue;
    }
    for (const char* m : {"avg", "min", "max", "totalCount"}) {
      auto column = name + "." + m;
      columns.push_back(column);
      for (const auto& triple : attr.value(m, json::array()))
        if (triple.is_array() && triple.size() == 3) {
          auto& r = rows[triple[1].get<std::string>()];
          r.start = triple[1].get<std::string>();
          r.end = triple[2].get<std::string>();
          r.cells[column] = number(triple[0]);
        }
    }
  }
  auto sep = opts.csv ? "," : "  ";
  std::cout << (aggregated ? std::string{"start"} + sep + "end" : "time");
  for (const auto& c : columns)
    std::cout << sep << c;
  std::cout << '\n';
  for (const auto& [key, r] : rows) {
    std::cout << r.start;
    if (aggregated)
      std::cout << sep << r.end;
    for (const auto& c : columns) {
      auto i = r.cells.find(c);
      std::cout << sep << (i == r.cells.end() ? "" : i->second);
    }
    std::cout << '\n';
  }
  if (!opts.csv)
    std::cerr << "history: " << rows.size() << " rows of " << opts.entity
              << '\n';
  return 0;
}

} // namespace

void add_history_command(CLI::App& app) {
  auto opts = std::make_shared<history_options>();
  auto* cmd = app.add_subcommand(
    "history",
    "An entity's archived readings, from a running server's temporal API");
  cmd->add_option("entity", opts->entity, "Entity id (URN)")->required();
  cmd->add_option("--from", opts->from,
                  "Start, ISO 8601 (default: 24 h before --to)");
  cmd->add_option("--to", opts->to, "End, ISO 8601 (default: now)");
  cmd->add_option("--every", opts->every,
                  "Aggregate per period (15m, 1h, 90s): avg, min, max, count");
  cmd->add_option("--attrs", opts->attrs, "Only these attributes (a,b)");
  cmd->add_flag("--csv", opts->csv, "CSV instead of a table");
  cmd->add_option("--api", opts->api, "The server's NGSI-LD API")
    ->capture_default_str();
  cmd->add_option("--token", opts->token,
                  "Bearer token (default: $CITYTWIN_TOKEN)");
  cmd->add_option("--tenant", opts->tenant, "NGSILD-Tenant");
  cmd->callback([opts] {
    if (auto rc = run(*opts); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::ngsi
