// viz/watch_command.cpp: `citytwin watch`, the live stream on a terminal.
#include "viz/watch_command.hpp"

#include <CLI/CLI.hpp>

#include "twin/json_reader.hpp"
#include "viz/stream_filter.hpp"
#include "viz/ws_client.hpp"

#include "citytwin.pb.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace citytwin::viz {

namespace {

struct watch_options {
  std::string url;
  bool json = false;
  std::vector<std::string> kinds;
  std::string bbox;
  std::string token;  ///< secret for servers run with --access
  std::string tenant; ///< whose data; empty: the token's tenant
  size_t count = 0;   ///< stop after this many state frames; 0 = never
  double timeout_s = 0;
};

std::string stream_url(const watch_options& opts) {
  auto result = opts.url;
  if (result.find('/', std::string{"ws://"}.size()) == std::string::npos)
    result += "/ws";
  std::string query = opts.json ? "format=json" : "format=proto";
  if (!opts.kinds.empty()) {
    query += "&kinds=";
    for (size_t i = 0; i < opts.kinds.size(); ++i)
      query += (i > 0 ? "," : "") + opts.kinds[i];
  }
  if (!opts.bbox.empty())
    query += "&bbox=" + opts.bbox;
  // Browsers cannot set headers on a WebSocket, so the stream takes its
  // credentials from the query; this client does the same.
  if (!opts.token.empty())
    query += "&token=" + viz::url_encode(opts.token);
  if (!opts.tenant.empty())
    query += "&tenant=" + viz::url_encode(opts.tenant);
  return result + (result.find('?') == std::string::npos ? "?" : "&") + query;
}

// One line per control frame: the layout is summarised, not dumped.
void print_control(const std::string& text) {
  // The server may be anyone's: read its frames within the usual bounds.
  auto read = twin::read_json(text);
  auto& j = read.value;
  if (!read || !j.is_object()) {
    std::cout << "# " << text << '\n';
    return;
  }
  auto type = j.value("type", std::string{});
  if (type == "layout") {
    std::cout << "# layout city=" << j.value("city", std::string{})
              << " segments=" << j["segments"].size()
              << " intersections=" << j["intersections"].size()
              << " things=" << j["things"].size() << '\n';
    return;
  }
  std::cout << "# " << text << '\n';
}

// One line per delta: `<urn> t=<ms> name=value ...`.
bool print_deltas(const std::string& bytes) {
  wire::DeltaBatch batch;
  if (!batch.ParseFromString(bytes)) {
    std::cerr << "watch: undecodable binary frame of " << bytes.size()
              << " bytes\n";
    return false;
  }
  for (const auto& d : batch.deltas()) {
    std::cout << d.state().id() << " t=" << d.state().updated_ms();
    for (const auto& a : d.state().attributes())
      std::cout << ' ' << a.name() << '=' << a.value();
    std::cout << '\n';
  }
  return true;
}

int watch(const watch_options& opts) {
  size_t frames = 0;
  bool ok = true;
  auto receive = [&](const std::string& payload, bool binary) {
    bool state_frame = binary;
    if (opts.json) {
      std::cout << payload << '\n';
      state_frame = payload.rfind("{\"deltas\"", 0) == 0
                    || payload.find("\"type\":\"deltas\"") != std::string::npos;
    } else if (binary) {
      ok = print_deltas(payload) && ok;
    } else {
      print_control(payload);
    }
    std::cout.flush();
    return !(state_frame && opts.count > 0 && ++frames >= opts.count);
  };
  auto timeout
      = std::chrono::milliseconds{static_cast<long>(opts.timeout_s * 1000)};
  auto outcome = viz::run_ws_client(stream_url(opts), receive, timeout);
  if (!outcome.error.empty()) {
    std::cerr << "watch: " << outcome.error << '\n';
    return 1;
  }
  if (outcome.close_code != 0 && outcome.close_code != 1000) {
    std::cerr << "watch: server closed the stream with " << outcome.close_code
              << ": " << outcome.close_reason << '\n';
    return 1;
  }
  return ok ? 0 : 1;
}

} // namespace

void add_watch_command(CLI::App& app) {
  auto opts = std::make_shared<watch_options>();
  auto* cmd = app.add_subcommand(
      "watch", "Print the live stream of a served twin, one line per change");
  cmd->add_option("url", opts->url, "ws://HOST:PORT of `citytwin serve`")
      ->required()
      ->check([](const std::string& url) {
        return url.rfind("ws://", 0) == 0 ? std::string{}
                                          : std::string{"URL must start ws://"};
      });
  cmd->add_flag("--json", opts->json,
                "Ask for JSON frames and print them as they come");
  cmd->add_option("--kinds", opts->kinds,
                  "Only these kinds (street_lamp, road_segment, ...)")
      ->delimiter(',');
  cmd->add_option("--bbox", opts->bbox,
                  "Only entities in minLon,minLat,maxLon,maxLat");
  cmd->add_option("--token", opts->token,
                  "Secret of a token, for servers run with --access (also "
                  "from CITYTWIN_TOKEN, which keeps it out of `ps`)")
      ->envname("CITYTWIN_TOKEN");
  cmd->add_option("--tenant", opts->tenant,
                  "Tenant whose data to watch (default: the token's own)");
  cmd->add_option("--count", opts->count,
                  "Stop after this many state frames (0: never)")
      ->capture_default_str();
  cmd->add_option("--timeout", opts->timeout_s,
                  "Stop after this many seconds (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([opts] {
    if (auto rc = watch(*opts); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::viz
