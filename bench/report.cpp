// bench/report.cpp
#include "bench/report.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace citytwin::bench {

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  return buf;
}

std::string machine_description() {
  std::ifstream cpuinfo{"/proc/cpuinfo"};
  std::string line;
  std::string model = "unknown CPU";
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  auto pages = sysconf(_SC_PHYS_PAGES);
  auto page_size = sysconf(_SC_PAGESIZE);
  double gib = double(pages) * double(page_size) / (1024.0 * 1024 * 1024);
  std::ostringstream out;
  out << model << ", " << std::thread::hardware_concurrency() << " cores, "
      << static_cast<int>(gib + 0.5) << " GiB";
  return out.str();
}

std::string today() {
  auto now = std::chrono::system_clock::to_time_t(
    std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &utc);
  return buf;
}

void write_report(const std::string& path, const std::vector<row>& rows,
                  const std::vector<std::string>& notes) {
  std::ofstream out{path};
  auto date = today();
  auto machine = machine_description();
  out << "# citytwin benchmarks\n\n"
      << "Written by `make bench` (bench/main.cpp); do not edit by "
         "hand. Speed goals live here, never in timed tests. These machines "
         "are noisy: compare ratios measured in the same run.\n";
  std::string section;
  for (const auto& r : rows) {
    if (r.section != section) {
      section = r.section;
      out << "\n## " << section << "\n\n"
          << "| figure | goal | measured | date | machine |\n"
          << "|---|---|---|---|---|\n";
    }
    out << "| " << r.figure << " | " << r.goal << " | " << r.measured << " | "
        << date << " | " << machine << " |\n";
  }
  if (!notes.empty()) {
    out << "\n## Notes\n\n";
    for (const auto& n : notes)
      out << "- " << n << "\n";
  }
}

} // namespace citytwin::bench
