// scenarios/sumo_process.cpp
#include "scenarios/sumo_process.hpp"

#include "twin/error.hpp"
#include "twin/import/xml_reader.hpp"

#include <charconv>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace citytwin::scenarios {

double cpu_seconds_of(const rusage& r) {
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec
         + r.ru_stime.tv_usec / 1e6;
}

caf::expected<double> run_sumo(const std::string& binary,
                               const std::vector<std::string>& args,
                               const std::string& log_hint) {
  std::vector<std::string> all{binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  // SUMO wants SUMO_HOME for XML validation; pass it without changing ours.
  std::vector<std::string> env_store{"SUMO_HOME=/usr/share/sumo"};
  for (char** e = environ; *e; ++e)
    if (std::string_view{*e}.substr(0, 10) != "SUMO_HOME=")
      env_store.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_store)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  pid_t pid = 0;
  auto rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(),
                        envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return caf::make_error(twin::errc::io_failure, "cannot start " + binary);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status)
      || WEXITSTATUS(status) != 0)
    return caf::make_error(twin::errc::io_failure,
                           "sumo failed; see " + log_hint);
  return cpu_seconds_of(usage);
}

caf::error read_tripinfo(
  const std::string& path,
  const std::function<void(std::string_view, double)>& f) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(twin::errc::io_failure, "cannot open " + path);
  twin::import::xml_callbacks cb;
  cb.on_start = [&](const twin::import::xml_element& e) {
    if (e.name() != "tripinfo")
      return;
    auto d = e.attribute_or("duration", "0");
    double value = 0;
    std::from_chars(d.data(), d.data() + d.size(), value);
    f(e.attribute_or("id", ""), value);
  };
  return twin::import::read_xml(in, path, cb);
}

} // namespace citytwin::scenarios
