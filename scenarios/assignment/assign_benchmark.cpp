// scenarios/assignment/assign_benchmark.cpp
#include "scenarios/assignment/assign_benchmark.hpp"

#include "scenarios/assignment/bush_solver.hpp"
#include "scenarios/assignment/tntp_reader.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>

namespace citytwin::scenarios::assignment {

namespace {

namespace fs = std::filesystem;

/// Chicago Sketch README weights: 0.02 min/cent and 0.04 min/mile.
constexpr cost_weights chicago_weights{0.02, 0.04};

/// Budget per solve, so that a regression cannot hang a benchmark run.
constexpr double max_seconds = 120;

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
  char buffer[200];
  std::snprintf(buffer, sizeof buffer, pattern, a, b, c);
  return buffer;
}

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

/// Peak resident set size in MiB from /proc/self/status (Linux only).
std::optional<double> peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kib = 0;
      status >> kib;
      return kib / 1024;
    }
    status.ignore(1 << 12, '\n');
  }
  return std::nullopt;
}

struct tntp_case {
  fs::path net;
  fs::path trips;
};

std::optional<tntp_case> locate(const std::string& data_dir,
                                const std::string& dir,
                                const std::string& stem) {
  for (auto base : {fs::path(data_dir) / "tntp", fs::path(data_dir)}) {
    tntp_case files{base / dir / (stem + "_net.tntp"),
                    base / dir / (stem + "_trips.tntp")};
    if (fs::exists(files.net) && fs::exists(files.trips))
      return files;
  }
  return std::nullopt;
}

std::optional<bush_solver> load(const tntp_case& files, cost_weights weights) {
  auto net = read_network(files.net);
  if (!net)
    return std::nullopt;
  auto trips = read_trips(files.trips, net.value().num_zones());
  if (!trips)
    return std::nullopt;
  auto solver = bush_solver::create(std::move(net).value(),
                                    std::move(trips).value(), weights);
  if (!solver)
    return std::nullopt;
  return std::move(solver).value();
}

/// Wall and CPU seconds and iterations at which a gap was first reached.
struct crossing {
  double wall = -1;
  double cpu = -1;
  int iteration = 0;
};

/// Solves to the smallest of `gaps`, recording when each one is crossed.
std::vector<crossing> solve_recording(bush_solver& solver,
                                      const std::vector<double>& gaps) {
  std::vector<crossing> result(gaps.size());
  solve_options options;
  options.target_gap = gaps.back();
  options.max_seconds = max_seconds;
  double cpu_start = cpu_seconds();
  solver.solve(options, [&](const iteration_report& report) {
    for (std::size_t g = 0; g < gaps.size(); ++g)
      if (result[g].wall < 0 && report.measures.relative_gap <= gaps[g])
        result[g] = {report.elapsed_seconds, cpu_seconds() - cpu_start,
                     report.iteration};
  });
  return result;
}

std::string describe(const crossing& c) {
  if (c.wall < 0)
    return "not reached within " + format("%.0f s", max_seconds);
  return format("%.3f s wall, %.3f s CPU, ", c.wall, c.cpu)
         + std::to_string(c.iteration) + " iterations";
}

/// The type-1 link with the largest flow: a busy non-connector link.
link_id busiest_type_one_link(const bush_solver& solver) {
  link_id result = -1;
  for (link_id l = 0; l < solver.net().num_links(); ++l)
    if (solver.net().at(l).link_type == 1
        && (result < 0
            || solver.flows()[static_cast<std::size_t>(l)]
                 > solver.flows()[static_cast<std::size_t>(result)]))
      result = l;
  return result;
}

void chicago_rows(const std::string& data_dir,
                  std::vector<benchmark_row>& rows) {
  auto files = locate(data_dir, "ChicagoSketch", "ChicagoSketch");
  auto solver = files ? load(*files, chicago_weights) : std::nullopt;
  if (!solver) {
    rows.push_back({"ChicagoSketch", "-", "skipped: files missing or bad"});
    return;
  }
  auto crossings = solve_recording(*solver, {1e-4, 1e-8});
  rows.push_back({"ChicagoSketch time to gap 1e-4 (tf 0.02, df 0.04)",
                  "tap-b ~0.4 s", describe(crossings[0])});
  rows.push_back({"ChicagoSketch time to gap 1e-8 (tf 0.02, df 0.04)",
                  "a few seconds (tap-b 0.9 s)", describe(crossings[1])});
  // What-if: close the busiest type-1 link, re-equilibrate from the
  // previous solution, and compare with solving the closed network afresh.
  auto closed = busiest_type_one_link(*solver);
  if (!solver->close_link(closed).empty()) {
    rows.push_back({"ChicagoSketch closure", "-", "link cannot be closed"});
    return;
  }
  auto warm = solve_recording(*solver, {1e-8});
  auto cold_solver = load(*files, chicago_weights);
  cold_solver->close_link(closed);
  auto cold = solve_recording(*cold_solver, {1e-8});
  const auto& l = solver->net().at(closed);
  rows.push_back({"ChicagoSketch warm start after closing link ("
                    + std::to_string(l.from + 1) + ","
                    + std::to_string(l.to + 1) + "), to gap 1e-8",
                  "fewer iterations and less time than cold start",
                  "warm " + describe(warm[0]) + "; cold " + describe(cold[0])});
}

void berlin_rows(const std::string& data_dir,
                 std::vector<benchmark_row>& rows) {
  auto files = locate(data_dir, "Berlin-Center", "berlin-center");
  auto solver = files ? load(*files, {}) : std::nullopt;
  if (!solver) {
    rows.push_back({"Berlin-Center", "-", "skipped: files missing or bad"});
    return;
  }
  auto crossings = solve_recording(*solver, {1e-4});
  rows.push_back({"Berlin-Center time to gap 1e-4", "<= 10 s",
                  describe(crossings[0])});
  auto peak = peak_rss_mib();
  rows.push_back({"Berlin-Center peak memory (VmHWM, whole process)",
                  "report",
                  (peak ? format("%.0f MiB", *peak) : std::string("n/a"))
                    + format(", of which bushes %.0f MiB (%.1f M bush links)",
                             static_cast<double>(solver->bush_memory_bytes())
                               / (1024.0 * 1024.0),
                             static_cast<double>(solver->total_bush_links())
                               / 1e6)});
}

} // namespace

std::vector<benchmark_row>
run_assignment_benchmarks(const std::string& data_dir) {
  std::vector<benchmark_row> rows;
  chicago_rows(data_dir, rows);
  berlin_rows(data_dir, rows);
  return rows;
}

} // namespace citytwin::scenarios::assignment
