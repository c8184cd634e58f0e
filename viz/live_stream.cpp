// viz/live_stream.cpp
#include "viz/live_stream.hpp"

#include "actors/type_ids.hpp"
#include "twin/bearer.hpp"
#include "twin/entity_id.hpp"
#include "twin/error.hpp"

#include <caf/scoped_actor.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace citytwin::viz {

namespace {

constexpr auto subscribe_timeout = std::chrono::seconds(10);
constexpr std::string_view ws_path = "/ws";
constexpr std::string_view entities_prefix = "/api/entities/";

// The page's files are flat names in the web folder: no folders, no dot
// files, so no request can walk out of it.
bool safe_name(std::string_view name) {
  if (name.empty() || name.front() == '.')
    return false;
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.'
        && ch != '-' && ch != '_')
      return false;
  return true;
}

std::string content_type(std::string_view name) {
  auto ends = [name](std::string_view suffix) {
    return name.size() >= suffix.size()
           && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  if (ends(".png"))
    return "image/png";
  if (ends(".map") || ends(".json"))
    return "application/json";
  return "application/octet-stream";
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

http_response problem(int status, const std::string& title,
                      const std::string& detail) {
  // Details may quote the query, which need not be UTF-8.
  return {status, "application/json",
          nlohmann::json{{"title", title}, {"detail", detail}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

// With access rules, `/api/entities/<urn>` answers only what the stream
// would carry for the same `token` and `tenant` query parameters; nullopt
// lets the request through to the API.
std::optional<http_response> refuse_entity(const stream_access& access,
                                           const http_request& req) {
  auto query = parse_stream_filter(req.query);
  if (!query)
    return problem(400, "BadRequestData", twin::describe(query.error()));
  auto decision = access(query->token.value_or(std::string{}),
                         query->tenant.value_or(std::string{}));
  if (const auto* refusal = std::get_if<stream_refusal>(&decision)) {
    auto bad_token = refusal->reason == refusal_reason::unknown_token
                     || refusal->reason == refusal_reason::expired_token;
    return bad_token ? problem(401, "Unauthorized", refusal->message)
                     : problem(403, "Forbidden", refusal->message);
  }
  std::string_view urn = req.path;
  urn.remove_prefix(entities_prefix.size());
  // `/api/entities/<urn>/history` is the same entity's archive.
  constexpr std::string_view history_suffix = "/history";
  if (urn.size() > history_suffix.size()
      && urn.substr(urn.size() - history_suffix.size()) == history_suffix)
    urn.remove_suffix(history_suffix.size());
  auto id = twin::parse_urn(urn);
  if (!id)
    return std::nullopt; // the API explains malformed ids
  const auto& grant = std::get<stream_grant>(decision);
  if ((grant.kinds & kind_bit(id->id.kind)) == 0)
    return problem(403, "Forbidden",
                   "may not read " + std::string{twin::ngsi_type(id->id.kind)});
  return std::nullopt;
}

// The kinds an anonymous viewer may read: all of them without access rules.
uint32_t open_kinds(const stream_access& access) {
  if (!access)
    return all_kinds_mask();
  auto decision = access({}, {});
  const auto* grant = std::get_if<stream_grant>(&decision);
  return grant != nullptr ? grant->kinds : 0;
}

// The caller's token: `Authorization: Bearer` first, else `?token=`.
bool monitoring_route(const std::string& path) {
  return path == "/metrics" || path == "/api/status" || path == "/api/stream";
}

// After viewers that were sent many bytes have left, asks glibc to give
// free heap pages back: frames above its (adaptive) mmap threshold come
// from the heap and would otherwise stay in the process (issue 10).
void trim_after_release(uint64_t released, uint64_t& trimmed_at) {
  if (released - trimmed_at < viewer_limits::trim_after_bytes)
    return;
  trimmed_at = released;
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

} // namespace

live_stream::live_stream(http_server& server, const twin::city& c,
                         live_stream_config config)
  : server_(server),
    config_(std::move(config)),
    inbox_(std::make_shared<delta_inbox>()) {
  stream_transport& transport = *this; // a private base, reachable here
  hub_ = std::make_unique<stream_hub>(std::make_shared<city_layout>(c),
                                      transport, config_.stream);
  twin::for_each_initial_state(
    c, [this](const twin::entity_state& s) { hub_->seed(s); });
  auto* hub = hub_.get();
  auto inbox = inbox_;
  // A flush that left work (snapshots, catch-ups) goes on in a new task
  // behind whatever else is queued on the server's thread, so new deltas,
  // HTTP and other sockets interleave with it. One such task at a time.
  auto go_on = std::make_shared<std::function<void()>>();
  auto posted = std::make_shared<bool>(false);
  *go_on = [&server, hub, posted, weak = std::weak_ptr{go_on}] {
    if (!hub->backlog() || *posted)
      return;
    *posted = true;
    server.post([hub, posted, weak] {
      *posted = false;
      hub->flush();
      if (auto next = weak.lock())
        (*next)();
    });
  };
  waker_ = std::make_shared<stream_waker>([&server, hub, inbox, go_on] {
    server.post([hub, inbox, go_on] {
      hub->apply(inbox->take_all());
      (*go_on)();
    });
  });
  ws_handler ws;
  ws.accepts = [](const std::string& path) { return path == ws_path; };
  ws.on_open = [hub, go_on](connection_id id, const std::string&,
                            const std::string& query) {
    hub->open(id, query);
    (*go_on)();
  };
  ws.on_message = [hub, go_on](connection_id id, const std::string& payload,
                               bool binary) {
    hub->message(id, payload, binary);
    (*go_on)();
  };
  ws.on_close = [hub](connection_id id, uint16_t code) {
    hub->closed(id, code);
  };
  ws.on_protocol_error = [hub] { hub->protocol_error(); };
  server_.set_ws_handler(std::move(ws));
  server_.set_max_message_size(config_.stream.max_message_bytes);
  server_.set_max_http_body_size(viewer_limits::max_http_body_bytes);
  server_.set_limits(config_.max_connections, config_.accept_backoff);
  server_.set_max_pending_requests(config_.max_pending_requests);
  auto flush = [hub, go_on, trimmed_at = uint64_t{0}]() mutable {
    hub->flush();
    (*go_on)();
    trim_after_release(hub->stats().bytes_released, trimmed_at);
  };
  server_.every(config_.flush_period, std::move(flush));
}

live_stream::~live_stream() {
  stop();
}

caf::error live_stream::subscribe(caf::actor_system& sys,
                                  const actors::twin_handles& twin) {
  twin_ = twin.front;
  bridge_ = sys.spawn(stream_bridge, inbox_, waker_);
  caf::scoped_actor self{sys};
  caf::error result;
  self
    ->request(twin_, subscribe_timeout, caf::subscribe_atom_v, bridge_,
              actors::subscription_filter{})
    .receive([](caf::ok_atom) {},
             [&result](const caf::error& err) { result = err; });
  return result;
}

void live_stream::stop() {
  waker_->detach();
  if (twin_ && bridge_)
    caf::anon_send(twin_, caf::unsubscribe_atom_v, bridge_);
  if (bridge_)
    caf::anon_send_exit(bridge_, caf::exit_reason::user_shutdown);
  bridge_ = nullptr;
  twin_ = nullptr;
}

async_http_handler live_stream::wrap(http_handler api) const {
  return wrap(to_async(std::move(api)));
}

async_http_handler live_stream::wrap(async_http_handler api) const {
  auto* hub = hub_.get();
  const auto* server = &server_;
  auto dir = config_.web_dir;
  auto access = config_.stream.access;
  auto monitor = config_.monitor;
  return [hub, server, dir, access, monitor,
          api = std::move(api)](const http_request& req, http_reply reply) {
    if (monitor && monitoring_route(req.path)) {
      auto decision = monitor(request_token(req));
      if (decision.view == monitor_view::unknown_token) {
        hub->count_http_refusal(401);
        return reply(problem(401, "Unauthorized", "token refused"));
      }
      if (decision.view != monitor_view::full) {
        // Anonymous callers see what the open-data stream shows.
        if (req.path == "/api/status") {
          auto open = req;
          open.open_kinds = open_kinds(access);
          return api(open, reply);
        }
        auto status = decision.authenticated ? 403 : 401;
        hub->count_http_refusal(status);
        return reply(problem(
          status, status == 401 ? "Unauthorized" : "Forbidden",
          req.path + " needs a token with role monitor (or "
                     "admin of this city): Authorization: Bearer <token>"));
      }
    }
    // Every 401 and 403 of the port's other routes (entities, operations,
    // audit) is counted with the monitoring routes' own.
    auto counted = reply.map([hub](http_response& res) {
      if (res.status == 401 || res.status == 403)
        hub->count_http_refusal(res.status);
    });
    if (req.method == "GET" && req.path == "/api/stream")
      return reply(http_response{200, "application/json",
                                 to_json(hub->stats()).dump()});
    if (req.path == "/metrics") {
      // Runs on the server's thread, which owns the hub, when the API
      // answers.
      auto append_viewer = [hub, server](http_response& res) {
        if (res.status == 200)
          res.body += render_prometheus(hub->stats(), server->stats());
      };
      return api(req, counted.map(append_viewer));
    }
    if (access && req.path.rfind(entities_prefix, 0) == 0)
      if (auto refused = refuse_entity(access, req))
        return counted(std::move(*refused));
    if (req.method != "GET" || dir.empty())
      return api(req, counted);
    auto name = req.path == "/" ? std::string{"index.html"}
                                : req.path.substr(1);
    if (!safe_name(name))
      return api(req, counted);
    auto body = read_file(dir + "/" + name);
    if (!body)
      return api(req, counted);
    reply(http_response{200, content_type(name), std::move(*body)});
  };
}

bool live_stream::send(connection_id id, const std::string& payload,
                       bool binary) {
  return server_.send(id, payload, binary);
}

bool live_stream::send_shared(
  connection_id id, const std::shared_ptr<const std::string>& payload,
  bool binary) {
  return server_.send_shared(id, payload, binary);
}

size_t live_stream::buffered(connection_id id) const {
  return server_.buffered(id);
}

void live_stream::close(connection_id id, uint16_t code,
                        const std::string& reason) {
  server_.close(id, code, reason);
}

} // namespace citytwin::viz
