// bench/soak_report.cpp
#include "bench/soak_report.hpp"

#include "bench/report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>

namespace citytwin::bench {

namespace {

std::string fmt(double x, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// A counter of a minute whose /metrics page did not answer.
std::string counter(const soak_minute& m, double x) {
  return m.have_metrics ? fmt(x, 0) : "n/a";
}

std::string recovery(double s) {
  if (s < -1.5)
    return "undefined (probes lost already in the steady phase)";
  return s < 0 ? "not recovered" : fmt(s, 0) + " s";
}

} // namespace

void write_samples_csv(const std::string& path,
                       const std::vector<soak_minute>& minutes) {
  std::ofstream out{path};
  out << "minute,phase,rss_mib,hwm_mib,api_n,api_failed,api_p50_ms,"
         "api_p99_ms,view_n,view_lost,view_p50_ms,view_p99_ms,"
         "ingest_msgs_s,applied_readings_s,ingest_rejected,viewers,"
         "viewer_refusals,api_refusals,notifications,notify_failures,"
         "updates_dropped,alive\n";
  for (const auto& m : minutes)
    out << m.minute << ',' << m.phase << ',' << fmt(m.rss_mib) << ','
        << fmt(m.hwm_mib) << ',' << m.api_n << ',' << m.api_failed << ','
        << fmt(m.api_p50_ms, 2) << ',' << fmt(m.api_p99_ms, 2) << ','
        << m.view_n << ',' << m.view_lost << ',' << fmt(m.view_p50_ms, 2)
        << ',' << fmt(m.view_p99_ms, 2) << ',' << counter(m, m.ingest_msgs_s)
        << ',' << counter(m, m.applied_s) << ',' << counter(m, m.rejected)
        << ',' << counter(m, m.viewers) << ','
        << counter(m, m.viewer_refusals) << ',' << counter(m, m.api_refusals)
        << ',' << counter(m, m.notifications) << ','
        << counter(m, m.notify_failures) << ','
        << counter(m, m.updates_dropped)
        << ',' << (m.alive ? 1 : 0) << '\n';
}

void write_windows_csv(const std::string& path,
                       const std::vector<soak_window>& windows) {
  std::ofstream out{path};
  // -1: no probe sample in the window.
  out << "t_s,phase,rss_mib,api_p99_ms,view_p99_ms\n";
  for (const auto& w : windows)
    out << fmt(w.t_s, 0) << ',' << w.phase << ',' << fmt(w.rss_mib) << ','
        << fmt(w.api_p99_ms, 2) << ',' << fmt(w.view_p99_ms, 2) << '\n';
}

void write_soak_report(const std::string& path, const soak_summary& s,
                       const std::vector<soak_minute>& minutes) {
  std::ofstream out{path};
  out << "# citytwin soak (" << s.mode << "), " << today() << "\n\n"
      << "Machine: " << machine_description() << ". " << s.settings
      << "\n\n## Summary\n\n| figure | measured |\n|---|---|\n"
      << "| server RSS start / peak (VmHWM) / end | " << fmt(s.rss_start_mib)
      << " / " << fmt(s.rss_peak_mib) << " / " << fmt(s.rss_end_mib)
      << " MiB |\n";
  std::vector<double> api;
  std::vector<double> view;
  for (const auto& m : minutes) {
    if (m.api_n > 0)
      api.push_back(m.api_p99_ms);
    if (m.view_n > 0)
      view.push_back(m.view_p99_ms);
  }
  auto mmm = [](std::vector<double> xs) {
    if (xs.empty())
      return std::string{"no samples"};
    std::sort(xs.begin(), xs.end());
    return fmt(xs.front(), 2) + " / " + fmt(xs[xs.size() / 2], 2) + " / "
           + fmt(xs.back(), 2) + " ms";
  };
  out << "| API read p99 per minute, min / median / max | " << mmm(api)
      << " |\n| ingest -> viewer p99 per minute, min / median / max | "
      << mmm(view) << " |\n| errors (probe failures, lost probes, load "
      << "errors) | " << s.errors << " |\n| crashes | " << s.crashes
      << " |\n| /health at the end | " << (s.healthy_at_end ? "200" : "no")
      << " |\n";
  if (s.mode == "overload") {
    auto ratio = s.rss_steady_mib > 0
                   ? s.rss_overload_peak_mib / s.rss_steady_mib
                   : 0;
    out << "| RSS steady (median) / peak from overload on | "
        << fmt(s.rss_steady_mib) << " / " << fmt(s.rss_overload_peak_mib)
        << " MiB, ratio " << fmt(ratio, 2) << " (goal <= 1.5: "
        << (ratio <= 1.5 ? "met" : "missed") << ") |\n"
        << "| API p99 steady / overload | " << fmt(s.api_steady_p99_ms, 2)
        << " / " << fmt(s.api_overload_p99_ms, 2) << " ms |\n"
        << "| ingest -> viewer p99 steady / overload | "
        << fmt(s.view_steady_p99_ms, 2) << " / "
        << fmt(s.view_overload_p99_ms, 2) << " ms |\n"
        << "| back to steady p99 after overload (API / viewer; goal 30 s) | "
        << recovery(s.api_recovery_s) << " / " << recovery(s.view_recovery_s)
        << " |\n";
  }
  out << "\n## Per minute\n\n| min | phase | RSS MiB | HWM MiB | API n | "
         "API fail | API p50 | API p99 | view n | view lost | view p50 | "
         "view p99 | ingest msg/s | applied/s | rejected | viewers | "
         "viewer refusals | notifications | notify fail | alive |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
         "---|---|---|---|\n";
  for (const auto& m : minutes)
    out << "| " << m.minute << " | " << m.phase << " | " << fmt(m.rss_mib)
        << " | " << fmt(m.hwm_mib) << " | " << m.api_n << " | "
        << m.api_failed << " | " << fmt(m.api_p50_ms, 2) << " | "
        << fmt(m.api_p99_ms, 2) << " | " << m.view_n << " | " << m.view_lost
        << " | " << fmt(m.view_p50_ms, 2) << " | " << fmt(m.view_p99_ms, 2)
        << " | " << counter(m, m.ingest_msgs_s) << " | "
        << counter(m, m.applied_s) << " | " << counter(m, m.rejected) << " | "
        << counter(m, m.viewers) << " | " << counter(m, m.viewer_refusals)
        << " | " << counter(m, m.notifications) << " | "
        << counter(m, m.notify_failures) << " | "
        << (m.alive ? "yes" : "NO") << " |\n";
  out << "\nLatencies in ms. Plot: soak.svg; 5-second windows: windows.csv.\n";
  if (!s.notes.empty()) {
    out << "\n## Notes\n\n";
    for (const auto& n : s.notes)
      out << "- " << n << "\n";
  }
}

void write_soak_svg(const std::string& path,
                    const std::vector<soak_window>& windows) {
  constexpr double w = 900, h = 520, left = 70, right = 20, panel = 200;
  constexpr double top1 = 40, top2 = 290;
  std::ofstream out{path};
  out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w
      << "' height='" << h << "' font-family='sans-serif' font-size='12'>\n"
      << "<rect width='100%' height='100%' fill='white'/>\n";
  if (windows.empty()) {
    out << "</svg>\n";
    return;
  }
  auto t_max = std::max(1.0, windows.back().t_s);
  auto x = [&](double t) { return left + (w - left - right) * t / t_max; };
  // Phases as shaded bands behind both panels.
  const char* shades[] = {"#f4f4f4", "#fde2e2", "#e2f0fd", "#eef8e6"};
  size_t shade = 0;
  for (size_t i = 0, start = 0; i <= windows.size(); ++i) {
    if (i < windows.size() && windows[i].phase == windows[start].phase)
      continue;
    auto t0 = start == 0 ? 0 : windows[start - 1].t_s;
    auto t1 = windows[i - 1].t_s;
    const char* fill = shades[shade++ % 4];
    for (double top : {top1, top2})
      out << "<rect x='" << x(t0) << "' y='" << top << "' width='"
          << x(t1) - x(t0) << "' height='" << panel << "' fill='" << fill
          << "'/>\n";
    out << "<text x='" << x(t0) + 4 << "' y='" << top1 + 14 << "'>"
        << windows[start].phase << "</text>\n";
    start = i;
  }
  auto plot = [&](double top, const std::string& title,
                  const std::vector<std::pair<std::string,
                                              std::function<double(
                                                const soak_window&)>>>& lines) {
    double y_max = 1;
    for (const auto& [color, get] : lines)
      for (const auto& win : windows)
        y_max = std::max(y_max, get(win));
    y_max *= 1.1;
    auto y = [&](double v) { return top + panel - panel * v / y_max; };
    out << "<text x='" << left << "' y='" << top - 8 << "'>" << title
        << "</text>\n<rect x='" << left << "' y='" << top << "' width='"
        << w - left - right << "' height='" << panel
        << "' fill='none' stroke='black'/>\n";
    for (int k = 0; k <= 4; ++k) {
      auto v = y_max * k / 4;
      out << "<text x='" << left - 6 << "' y='" << y(v) + 4
          << "' text-anchor='end'>" << fmt(v, v < 10 ? 1 : 0) << "</text>\n";
    }
    // A window without samples (-1) breaks the line.
    for (const auto& [color, get] : lines) {
      out << "<polyline fill='none' stroke='" << color << "' points='";
      for (const auto& win : windows) {
        if (get(win) < 0)
          out << "'/>\n<polyline fill='none' stroke='" << color
              << "' points='";
        else
          out << fmt(x(win.t_s)) << ',' << fmt(y(get(win))) << ' ';
      }
      out << "'/>\n";
    }
  };
  plot(top1, "server RSS (MiB), 5 s samples",
       {{"#1f5fbf", [](const soak_window& s) { return s.rss_mib; }}});
  plot(top2,
       "p99 latency per 5 s (ms): API read (orange), ingest -> viewer "
       "(green)",
       {{"#e07b00", [](const soak_window& s) { return s.api_p99_ms; }},
        {"#2a9d3a", [](const soak_window& s) { return s.view_p99_ms; }}});
  for (int k = 0; k <= 5; ++k) {
    auto t = t_max * k / 5;
    out << "<text x='" << x(t) << "' y='" << top2 + panel + 16
        << "' text-anchor='middle'>" << fmt(t / 60, 1) << " min</text>\n";
  }
  out << "</svg>\n";
}

} // namespace citytwin::bench
