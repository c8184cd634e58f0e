// adapters/archive/audit_trail.cpp
#include "adapters/archive/audit_trail.hpp"

#include "adapters/archive/file_io.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>

namespace citytwin::archive {

namespace {

// Each text field is cut to this many bytes, so that a line stays far
// below a page and one write(2) appends it whole.
constexpr size_t max_field_bytes = 256;

std::string bounded(const std::string& text) {
  if (text.size() <= max_field_bytes)
    return text;
  // A cut UTF-8 sequence is replaced by U+FFFD when the line is dumped.
  return text.substr(0, max_field_bytes - 3) + "...";
}

} // namespace

std::string audit_user() {
  for (const char* name : {"SUDO_USER", "USER"})
    if (const char* value = std::getenv(name); value != nullptr && *value)
      return value;
  return std::to_string(::getuid());
}

std::string audit_line(const audit_record& x) {
  // ordered_json: the fields in the order written, for people reading it.
  nlohmann::ordered_json line{
      {"time", twin::iso_now()},     {"action", bounded(x.action)},
      {"tenant", bounded(x.tenant)}, {"format", bounded(x.format)},
      {"output", bounded(x.output)}, {"by", bounded(audit_user())},
      {"result", bounded(x.result)}, {"bytes", x.bytes},
      {"samples", x.samples},
  };
  if (!x.input.empty())
    line["input"] = bounded(x.input);
  // Paths need not be UTF-8; replacing bad bytes keeps the line JSON.
  return line.dump(-1, ' ', false,
                   nlohmann::ordered_json::error_handler_t::replace)
         + '\n';
}

caf::error append_audit(const std::filesystem::path& root,
                        const audit_record& x) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    return caf::make_error(twin::errc::io_failure,
                           "no archive folder " + root.string()
                               + " to keep audit.log in");
  auto path = root / "audit.log";
  bool created = !std::filesystem::exists(path, ec);
  int fd
      = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return file_error(errno, path, "open");
  auto err = write_all(fd, path, audit_line(x));
  if (!err && ::fsync(fd) != 0)
    err = file_error(errno, path, "fsync");
  ::close(fd);
  if (!err && created)
    sync_folder(root);
  return err;
}

std::string audit_result(const caf::error& err) {
  if (!err)
    return "ok";
  auto refused = err == twin::errc::invalid_config
                 || err == twin::errc::invalid_city
                 || err == twin::errc::in_use;
  return (refused ? "refused: " : "failed: ") + twin::describe(err);
}

int finish_audited(std::string_view command, const std::filesystem::path& root,
                   audit_record& x, const caf::error& err) {
  x.result = audit_result(err);
  if (err)
    std::cerr << command << ": " << x.result << '\n';
  if (auto log_err = append_audit(root, x)) {
    std::cerr << command
              << ": not in the audit log: " << twin::describe(log_err) << '\n';
    return err ? 2 : 1;
  }
  return err ? 2 : 0;
}

} // namespace citytwin::archive
