// bench/soak_report.hpp
#pragma once

#include <string>
#include <vector>

namespace citytwin::bench {

/// Five seconds of the run: the resolution of the recovery time and the
/// plot.
struct soak_window {
  double t_s = 0; ///< end of the window, seconds since the driver started
  std::string phase;
  double rss_mib = 0;
  double api_p99_ms = -1;  ///< -1: no sample in the window
  double view_p99_ms = -1; ///< ingest -> viewer
};

/// One minute of the run: the rows of samples.csv and the report's table.
struct soak_minute {
  int minute = 0;
  std::string phase;
  double from_s = 0; ///< the minute's bounds, seconds since the start
  double to_s = 0;
  bool have_metrics = false; ///< /metrics answered (within 15 s)
  double rss_mib = 0;
  double hwm_mib = 0;
  size_t api_n = 0;
  size_t api_failed = 0;
  double api_p50_ms = 0;
  double api_p99_ms = 0;
  size_t view_n = 0;
  size_t view_lost = 0;
  double view_p50_ms = 0;
  double view_p99_ms = 0;
  double ingest_msgs_s = 0;    ///< MQTT messages the server received
  double applied_s = 0;        ///< readings applied by entities
  double rejected = 0;         ///< ingest refusals, all reasons
  double viewers = 0;          ///< connected at the end of the minute
  double viewer_refusals = 0;  ///< all reasons
  double api_refusals = 0;     ///< connection refusals
  double notifications = 0;    ///< webhook deliveries
  double notify_failures = 0;  ///< failed deliveries
  double updates_dropped = 0;  ///< subscription updates dropped
  bool alive = true;
};

/// The summary figures, computed by the driver.
struct soak_summary {
  std::string mode; ///< "soak" or "overload"
  std::string settings; ///< capacities, rates, viewers, subscriptions
  double rss_start_mib = 0;
  double rss_peak_mib = 0; ///< VmHWM at the end
  double rss_end_mib = 0;
  double rss_steady_mib = 0;       ///< overload: median of steady windows
  double rss_overload_peak_mib = 0; ///< overload: max window from overload on
  double api_recovery_s = -1;  ///< overload: -1 = not recovered
  double view_recovery_s = -1;
  double api_steady_p99_ms = 0;
  double view_steady_p99_ms = 0;
  double api_overload_p99_ms = 0;
  double view_overload_p99_ms = 0;
  size_t errors = 0;  ///< probe failures + lost probes + load errors
  size_t crashes = 0; ///< 0 or 1: the server exited during the run
  bool healthy_at_end = false;
  std::vector<std::string> notes;
};

/// samples.csv: one line per minute.
void write_samples_csv(const std::string& path,
                       const std::vector<soak_minute>& minutes);

/// windows.csv: one line per 5 s window.
void write_windows_csv(const std::string& path,
                       const std::vector<soak_window>& windows);

/// report.md: the summary, then the table per minute.
void write_soak_report(const std::string& path, const soak_summary& summary,
                       const std::vector<soak_minute>& minutes);

/// soak.svg: RSS (top) and p99 latencies (bottom) over time, phases
/// shaded; plain SVG written by hand, no plotting dependency.
void write_soak_svg(const std::string& path,
                    const std::vector<soak_window>& windows);

} // namespace citytwin::bench
