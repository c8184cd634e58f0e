// bench/subscriber_process.cpp
#include "bench/subscriber_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;

constexpr auto max_wait = 5s;

std::string binary() {
  for (const char* path : {"/usr/bin/mosquitto_sub",
                           "/usr/local/bin/mosquitto_sub"})
    if (std::filesystem::exists(path))
      return path;
  return {};
}

} // namespace

subscriber_process::subscriber_process(
  uint16_t port, const std::vector<std::string>& filters, int qos) {
  auto exe = binary();
  if (exe.empty())
    return;
  // Arguments are built before fork: the child only calls exec.
  std::vector<std::string> args{exe, "-h", "127.0.0.1", "-p",
                                std::to_string(port), "-q",
                                std::to_string(qos)};
  for (const auto& f : filters) {
    args.push_back("-t");
    args.push_back(f);
  }
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0)
    return;
  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  if (child < 0) {
    ::close(fds[0]);
    return;
  }
  pid_ = child;
  fd_ = fds[0];
  reset_clock(clock_type::now());
  reader_ = std::thread{[this] { read_output(); }};
}

subscriber_process::~subscriber_process() {
  stop();
}

void subscriber_process::reset_clock(clock_type::time_point start) {
  lines_ = 0;
  last_ = start.time_since_epoch().count();
}

void subscriber_process::read_output() {
  std::array<char, 1 << 16> buf{};
  bool line_start = true;
  char first = 0;
  for (;;) {
    auto n = ::read(fd_, buf.data(), buf.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // EOF: the child is gone
    const char* p = buf.data();
    const char* end = p + n;
    size_t packs = 0;
    while (p < end) {
      if (line_start) {
        first = *p;
        line_start = false;
      }
      const auto* nl = static_cast<const char*>(
        std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (nl == nullptr)
        break;
      if (first == '[')
        ++packs;
      else if (first == 'p')
        ++probes_;
      line_start = true;
      p = nl + 1;
    }
    if (packs > 0) {
      lines_ += packs;
      last_ = clock_type::now().time_since_epoch().count();
    }
  }
}

void subscriber_process::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    auto deadline = clock_type::now() + max_wait;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (clock_type::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = 0;
  }
  // The child's end of the pipe is closed now: the reader sees EOF.
  if (reader_.joinable())
    reader_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

} // namespace citytwin::bench
