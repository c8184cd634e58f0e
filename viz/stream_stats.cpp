// viz/stream_stats.cpp
#include "viz/stream_stats.hpp"

#include <utility>

namespace citytwin::viz {

nlohmann::json to_json(const stream_stats& s) {
  return {
      {"clients_opened", s.clients_opened},
      {"clients_open", s.clients_open},
      {"frames_sent", s.frames_sent},
      {"frames_encoded", s.frames_encoded},
      {"bytes_sent", s.bytes_sent},
      {"deltas_sent", s.deltas_sent},
      {"deltas_in", s.deltas_in},
      {"catch_up_frames", s.catch_up_frames},
      {"deltas_caught_up", s.deltas_caught_up},
      {"rejected_filters", s.rejected_filters},
      {"bad_messages", s.bad_messages},
      {"oversized", s.oversized},
      {"protocol_errors", s.protocol_errors},
      {"too_many_clients", s.too_many_clients},
      {"stalled", s.stalled},
      {"unknown_entities", s.unknown_entities},
      {"refused_unknown_token", s.refused_unknown_token},
      {"refused_expired_token", s.refused_expired_token},
      {"refused_tenant", s.refused_tenant},
      {"refused_no_access", s.refused_no_access},
      {"filter_changes", s.filter_changes},
      {"deferred_filters", s.deferred_filters},
  };
}

std::string render_prometheus(const stream_stats& s,
                              const http_server_stats& server) {
  std::string result;
  auto line = [&result](const std::string& name, uint64_t value) {
    result += name + ' ' + std::to_string(value) + '\n';
  };
  result += "# HELP citytwin_viewer_refusals_total Viewer port connections, "
            "messages and requests refused, by reason.\n"
            "# TYPE citytwin_viewer_refusals_total counter\n";
  const std::pair<const char*, uint64_t> refusals[] = {
      {"connections", server.refused_connections},
      {"accept_backoff", server.accept_backoffs},
      {"requests", server.refused_requests},
      {"viewers", s.too_many_clients},
      {"not_reading", s.stalled},
      {"oversized", s.oversized},
      {"protocol_error", s.protocol_errors},
      {"bad_filter", s.rejected_filters},
      {"bad_message", s.bad_messages},
      {"unknown_token", s.refused_unknown_token},
      {"expired_token", s.refused_expired_token},
      {"wrong_tenant", s.refused_tenant},
      {"no_access", s.refused_no_access},
      {"unauthorized", s.http_unauthorized},
      {"forbidden", s.http_forbidden},
  };
  for (const auto& [reason, value] : refusals)
    line(std::string{"citytwin_viewer_refusals_total{reason=\""} + reason
             + "\"}",
         value);
  result += "# TYPE citytwin_viewer_json_refusals_total counter\n";
  for (size_t r = 1; r < s.json_refusals.size(); ++r)
    line("citytwin_viewer_json_refusals_total{reason=\""
             + std::string{twin::to_string(static_cast<twin::json_refusal>(r))}
             + "\"}",
         s.json_refusals[r]);
  result += "# TYPE citytwin_viewer_clients gauge\n";
  line("citytwin_viewer_clients", s.clients_open);
  result += "# TYPE citytwin_viewer_connections gauge\n";
  line("citytwin_viewer_connections", server.open_connections);
  result += "# TYPE citytwin_viewer_pending_requests gauge\n";
  line("citytwin_viewer_pending_requests", server.pending_requests);
  result += "# TYPE citytwin_viewer_accept_errors_total counter\n";
  line("citytwin_viewer_accept_errors_total", server.accept_errors);
  result += "# TYPE citytwin_viewer_deferred_filters_total counter\n";
  line("citytwin_viewer_deferred_filters_total", s.deferred_filters);
  result += "# TYPE citytwin_viewer_bytes_sent_total counter\n";
  line("citytwin_viewer_bytes_sent_total", s.bytes_sent);
  return result;
}

} // namespace citytwin::viz
