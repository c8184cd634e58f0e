// adapters/mqtt/mosquitto_process.cpp
#include "adapters/mqtt/mosquitto_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace citytwin::mqtt {

namespace {

using namespace std::chrono_literals;

constexpr auto max_wait = 5s;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Asks the kernel for a free port. A small race remains until mosquitto
// binds it; fine on a test machine.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto addr = loopback(0);
  socklen_t len = sizeof(addr);
  uint16_t result = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    result = ntohs(addr.sin_port);
  ::close(fd);
  return result;
}

bool accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto addr = loopback(port);
  bool result = ::connect(fd, reinterpret_cast<sockaddr*>(&addr),
                          sizeof(addr))
                == 0;
  ::close(fd);
  return result;
}

} // namespace

std::string mosquitto_process::binary() {
  for (const char* path : {"/usr/sbin/mosquitto", "/usr/bin/mosquitto",
                           "/usr/local/sbin/mosquitto"})
    if (std::filesystem::exists(path))
      return path;
  return {};
}

mosquitto_process::mosquitto_process() {
  if (binary().empty())
    return;
  char tmpl[] = "/tmp/citytwin-mosquitto-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    return;
  dir_ = tmpl;
  port_ = free_port();
  std::ofstream conf{dir_ + "/mosquitto.conf"};
  conf << "listener " << port_ << " 127.0.0.1\n"
       << "allow_anonymous true\npersistence false\n"
       // The default (1000 QoS 1 messages queued per client) drops
       // messages when a replay at full speed outruns the subscriber.
       << "max_queued_messages 0\n"
       // Started as root, mosquitto drops to its own user and could not
       // write into our private directory; its log is not needed.
       << "log_dest none\n";
  conf.close();
  start();
}

mosquitto_process::~mosquitto_process() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool mosquitto_process::start() {
  if (pid_ > 0 || port_ == 0)
    return pid_ > 0;
  auto conf = dir_ + "/mosquitto.conf";
  auto exe = binary();
  pid_t child = ::fork();
  if (child == 0) {
    ::execl(exe.c_str(), exe.c_str(), "-c", conf.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (child < 0)
    return false;
  pid_ = child;
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (accepts(port_))
      return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0; // died at start (port taken?)
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  stop();
  return false;
}

void mosquitto_process::kill() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = 0;
}

void mosquitto_process::stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  pid_ = 0;
}

int mosquitto_process::publish(const std::string& args) const {
  auto cmd = "timeout 10 mosquitto_pub -h 127.0.0.1 -p " + std::to_string(port_)
             + " " + args;
  return std::system(cmd.c_str());
}

std::string shell_quote(const std::string& text) {
  std::string result = "'";
  for (char c : text) {
    if (c == '\'')
      result += "'\\''";
    else
      result += c;
  }
  result += "'";
  return result;
}

} // namespace citytwin::mqtt
