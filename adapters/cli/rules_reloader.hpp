// adapters/cli/rules_reloader.hpp
#pragma once

// `citytwin serve --rules FILE`: reads the tenant's rule file, binds it to
// the city, and watches it. An edited file (or SIGHUP) is read again; if
// it is valid the RULES actors swap to it by message and keep what they
// learned, otherwise every problem is printed, the old rules stay, and
// the refusal is audited. Runs on serve's main thread, never in an actor.

#include "actors/spawn_rules.hpp"
#include "twin/rules/city_index.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace citytwin::cli {

class rules_reloader {
public:
  /// Reads and binds `path` for `city`; errors carry every problem.
  static caf::expected<rules_reloader>
  load(std::string path, std::shared_ptr<const twin::city> city);

  /// Spawns the RULES and ALERTS actors over `twin` and audits the load.
  void start(caf::actor_system& sys, const actors::twin_handles& twin);

  /// Reloads if the file changed since the last look (or `force`);
  /// prints what happened. Returns true if the rules were replaced.
  bool poll(bool force = false);

  const actors::running_rules& running() const {
    return running_;
  }

  size_t num_rules() const;
  size_t num_instances() const;

  void stop(caf::actor_system& sys);

private:
  rules_reloader() = default;
  std::optional<std::filesystem::file_time_type> stamp() const;
  void audit(twin::audit_kind what, std::string detail, std::string why);

  std::string path_;
  std::shared_ptr<const twin::city> city_;
  std::shared_ptr<const rules::city_index> index_;
  std::shared_ptr<const rules::bound_rules> bound_;
  std::optional<std::filesystem::file_time_type> last_stamp_;
  actors::audit_actor audit_;
  actors::running_rules running_;
};

} // namespace citytwin::cli
