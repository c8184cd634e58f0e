// bench/soak_server.cpp
#include "bench/soak_server.hpp"

#include "adapters/ngsi/http_client.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace citytwin::bench {

using namespace std::chrono_literals;

// The demo access file's Prometheus scrape token (data/access/README.md).
constexpr const char* monitor_token = "demo-monitor-secret";

process_memory read_process_memory(int pid) {
  process_memory result;
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string key;
  double value = 0;
  std::string unit;
  while (in >> key) {
    if (key == "VmRSS:" && in >> value >> unit)
      result.rss_kib = value;
    else if (key == "VmHWM:" && in >> value >> unit)
      result.hwm_kib = value;
    else
      in.ignore(1 << 16, '\n');
  }
  return result;
}

uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  uint16_t result = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    result = ntohs(addr.sin_port);
  ::close(fd);
  return result;
}

double metrics_page::get(const std::string& name) const {
  auto i = series.find(name);
  return i == series.end() ? 0 : i->second;
}

double metrics_page::sum(const std::string& name) const {
  double result = 0;
  for (auto i = series.lower_bound(name);
       i != series.end() && i->first.compare(0, name.size(), name) == 0; ++i)
    if (i->first.size() == name.size() || i->first[name.size()] == '{')
      result += i->second;
  return result;
}

soak_server::soak_server(const settings& s) {
  viewer_port_ = free_loopback_port();
  api_port_ = free_loopback_port();
  // --no-feed: the synthetic feed's simulated clock runs ahead of the wall
  // clock, and its readings would make the MQTT ones look out of order.
  proc_ = std::make_unique<child_process>(
    std::vector<std::string>{
      s.exe, "serve", s.city, "--host", "127.0.0.1", "--port",
      std::to_string(viewer_port_), "--api-port", std::to_string(api_port_),
      "--access", s.access, "--no-feed", "--mqtt",
      "mqtt://127.0.0.1:" + std::to_string(s.mqtt_port), "--bindings",
      s.bindings, "--mqtt-qos", "0"},
    s.log);
}

bool soak_server::wait_ready(double seconds) {
  for (int i = 0; i < static_cast<int>(seconds * 10); ++i) {
    if (!alive())
      return false;
    if (healthy(500))
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

bool soak_server::healthy(int timeout_ms) const {
  ngsi::http_client client{"127.0.0.1", api_port_,
                           std::chrono::milliseconds{timeout_ms}};
  auto res = client.request("GET", "/health");
  return res && res->status == 200;
}

metrics_page soak_server::metrics() const {
  metrics_page result;
  // Long: a busy server is slow, and a missed page is a hole in the row.
  ngsi::http_client client{"127.0.0.1", viewer_port_, 15s};
  auto res = client.request(
    "GET", "/metrics",
    {{"Authorization", std::string{"Bearer "} + monitor_token}});
  if (!res || res->status != 200)
    return result;
  std::istringstream in{res->body};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    auto space = line.rfind(' ');
    if (space == std::string::npos)
      continue;
    result.series[line.substr(0, space)]
      = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return result;
}

bool soak_server::stop() {
  if (!proc_->alive())
    return false;
  proc_->close_stdin();
  ::kill(proc_->pid(), SIGTERM);
  if (proc_->wait(10s))
    return true;
  proc_->stop(0ms);
  return false;
}

} // namespace citytwin::bench
