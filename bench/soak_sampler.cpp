// bench/soak_sampler.cpp
#include "bench/soak_sampler.hpp"

#include <algorithm>

namespace citytwin::bench {

namespace {

constexpr double mib = 1024; // the /proc figures are KiB

size_t failed(const std::vector<latency_sample>& xs) {
  return static_cast<size_t>(std::count_if(
    xs.begin(), xs.end(), [](const auto& s) { return !s.ok; }));
}

} // namespace

soak_sampler::soak_sampler(soak_server& server,
                           std::chrono::steady_clock::time_point epoch,
                           const api_probe& api, const viewer_probe& view)
    : server_(server), epoch_(epoch), api_(api), view_(view) {
  last_window_ = now_s();
  last_minute_ = last_window_;
  last_metrics_ = server_.metrics();
}

double soak_sampler::now_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now()
                                       - epoch_)
    .count();
}

void soak_sampler::tick(const std::string& phase) {
  auto now = now_s();
  soak_window w;
  w.t_s = now;
  w.phase = phase;
  w.rss_mib = read_process_memory(server_.pid()).rss_kib / mib;
  windows_.push_back(w);
  last_window_ = now;
  if (now - last_minute_ >= 60 - window_s / 2) {
    minutes_.push_back(minute_row(phase, last_minute_, now));
    last_minute_ = now;
  }
}

soak_minute soak_sampler::minute_row(const std::string& phase, double from,
                                     double to) {
  soak_minute m;
  m.minute = static_cast<int>(minutes_.size()) + 1;
  m.phase = phase;
  m.from_s = from;
  m.to_s = to;
  auto mem = read_process_memory(server_.pid());
  m.rss_mib = mem.rss_kib / mib;
  m.hwm_mib = mem.hwm_kib / mib;
  auto api = api_.log().between(from, to);
  m.api_n = api.size();
  m.api_failed = failed(api);
  m.api_p50_ms = quantile_ms(api, 0.5);
  m.api_p99_ms = quantile_ms(api, 0.99);
  auto view = view_.log().between(from, to);
  m.view_n = view.size();
  m.view_lost = failed(view);
  m.view_p50_ms = quantile_ms(view, 0.5);
  m.view_p99_ms = quantile_ms(view, 0.99);
  m.alive = server_.alive();
  auto cur = m.alive ? server_.metrics() : metrics_page{};
  m.have_metrics = !cur.series.empty() && !last_metrics_.series.empty();
  if (m.have_metrics) {
    auto delta = [&](const std::string& name) {
      return cur.sum(name) - last_metrics_.sum(name);
    };
    auto secs = to - from;
    m.ingest_msgs_s = delta("citytwin_ingest_messages_total") / secs;
    m.applied_s = delta("citytwin_readings_applied_total") / secs;
    m.rejected = delta("citytwin_ingest_rejected_total");
    m.viewers = cur.sum("citytwin_viewer_clients");
    m.viewer_refusals = delta("citytwin_viewer_refusals_total");
    m.api_refusals = delta("citytwin_api_connection_refusals_total");
    m.notifications = delta("citytwin_broker_notifications_total");
    m.notify_failures = delta("citytwin_broker_notification_failures_total");
    m.updates_dropped = cur.get("citytwin_broker_updates_total{outcome=\"dropped\"}")
                        - last_metrics_.get(
                          "citytwin_broker_updates_total{outcome=\"dropped\"}");
  }
  if (!cur.series.empty())
    last_metrics_ = std::move(cur);
  return m;
}

void soak_sampler::finalize() {
  auto p99 = [](const std::vector<latency_sample>& xs) {
    return xs.empty() ? -1.0 : quantile_ms(xs, 0.99);
  };
  double from = windows_.empty() ? 0 : windows_.front().t_s - window_s;
  for (auto& w : windows_) {
    w.api_p99_ms = p99(api_.log().between(from, w.t_s));
    w.view_p99_ms = p99(view_.log().between(from, w.t_s));
    from = w.t_s;
  }
  for (auto& m : minutes_) {
    auto api = api_.log().between(m.from_s, m.to_s);
    m.api_n = api.size();
    m.api_failed = failed(api);
    m.api_p50_ms = quantile_ms(api, 0.5);
    m.api_p99_ms = quantile_ms(api, 0.99);
    auto view = view_.log().between(m.from_s, m.to_s);
    m.view_n = view.size();
    m.view_lost = failed(view);
    m.view_p50_ms = quantile_ms(view, 0.5);
    m.view_p99_ms = quantile_ms(view, 0.99);
  }
}

size_t soak_sampler::probe_failures() const {
  return failed(api_.log().between(0, 1e12))
         + failed(view_.log().between(0, 1e12));
}

} // namespace citytwin::bench
