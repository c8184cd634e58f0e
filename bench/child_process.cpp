// bench/child_process.cpp
#include "bench/child_process.hpp"

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace citytwin::bench {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

child_process::child_process(const std::vector<std::string>& argv,
                             const std::string& log_path) {
  // Everything the child needs is built before fork: it only dups and
  // execs (the parent has threads).
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0)
    return;
  int log_fd = -1;
  if (!log_path.empty())
    log_fd = ::open(log_path.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  else if (::pipe2(out, O_CLOEXEC) != 0)
    return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    if (log_fd >= 0) {
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
    } else {
      ::dup2(out[1], 1);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  stdin_fd_ = in[1];
  if (log_fd >= 0)
    ::close(log_fd);
  if (out[1] >= 0)
    ::close(out[1]);
  stdout_fd_ = out[0];
}

child_process::~child_process() {
  stop();
}

bool child_process::alive() {
  if (pid_ <= 0 || reaped_)
    return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_)
    reaped_ = true;
  return !reaped_;
}

std::string child_process::how_ended() {
  if (alive())
    return "running";
  if (pid_ <= 0)
    return "not started";
  if (WIFSIGNALED(status_))
    return "signal " + std::to_string(WTERMSIG(status_));
  return "exit " + std::to_string(WEXITSTATUS(status_));
}

std::string child_process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (stdout_fd_ >= 0) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto result = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return result;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - clock_type::now())
                  .count();
    if (left <= 0)
      return {};
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0)
      continue;
    char buf[4096];
    auto n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      break;
    }
    buffer_.append(buf, static_cast<size_t>(n));
  }
  return {};
}

void child_process::close_stdin() {
  if (stdin_fd_ >= 0)
    ::close(stdin_fd_);
  stdin_fd_ = -1;
}

bool child_process::wait(std::chrono::milliseconds grace) {
  auto deadline = clock_type::now() + grace;
  while (alive() && clock_type::now() < deadline)
    std::this_thread::sleep_for(20ms);
  return !alive();
}

void child_process::stop(std::chrono::milliseconds grace) {
  close_stdin();
  if (alive()) {
    ::kill(pid_, SIGTERM);
    if (!wait(grace)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      reaped_ = true;
    }
  }
  if (stdout_fd_ >= 0)
    ::close(stdout_fd_);
  stdout_fd_ = -1;
}

} // namespace citytwin::bench
