// adapters/cli/rules_reloader.cpp
#include "adapters/cli/rules_reloader.hpp"

#include "actors/type_ids.hpp"
#include "adapters/rules/rule_file.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <caf/send.hpp>

#include <iostream>

namespace citytwin::cli {

namespace {

caf::expected<std::shared_ptr<const rules::bound_rules>>
read_and_bind(const std::string& path,
              const std::shared_ptr<const rules::city_index>& index) {
  auto parsed = rules::load_rule_file(path, index->city().name);
  if (!parsed)
    return parsed.error();
  auto bound = rules::bind(
    std::make_shared<const rules::rule_set>(std::move(*parsed)), index);
  if (!bound)
    return bound.error();
  return std::make_shared<const rules::bound_rules>(std::move(*bound));
}

} // namespace

caf::expected<rules_reloader>
rules_reloader::load(std::string path, std::shared_ptr<const twin::city> city) {
  rules_reloader result;
  result.path_ = std::move(path);
  result.city_ = std::move(city);
  result.index_ = std::make_shared<const rules::city_index>(*result.city_);
  result.last_stamp_ = result.stamp();
  auto bound = read_and_bind(result.path_, result.index_);
  if (!bound)
    return bound.error();
  result.bound_ = std::move(*bound);
  return result;
}

std::optional<std::filesystem::file_time_type> rules_reloader::stamp() const {
  std::error_code ec;
  auto t = std::filesystem::last_write_time(path_, ec);
  return ec ? std::nullopt : std::optional{t};
}

size_t rules_reloader::num_rules() const {
  return bound_ ? bound_->source->rules.size() : 0;
}

size_t rules_reloader::num_instances() const {
  return bound_ ? bound_->instances.size() : 0;
}

void rules_reloader::audit(twin::audit_kind what, std::string detail,
                           std::string why) {
  if (audit_)
    caf::anon_send(audit_, twin::audit_entry{0, twin::now_ms(), what,
                                             "file:" + path_, path_,
                                             std::move(detail),
                                             std::move(why)});
}

void rules_reloader::start(caf::actor_system& sys,
                           const actors::twin_handles& twin) {
  audit_ = twin.audit;
  running_ = actors::spawn_rules(sys, twin, city_->name, bound_);
  audit(twin::audit_kind::rules_loaded,
        std::to_string(num_rules()) + " rules, "
          + std::to_string(num_instances()) + " instances",
        "server start");
}

bool rules_reloader::poll(bool force) {
  auto now = stamp();
  if (!force && now == last_stamp_)
    return false;
  last_stamp_ = now;
  auto bound = read_and_bind(path_, index_);
  if (!bound) {
    auto text = twin::describe(bound.error());
    std::cerr << "citytwin: rules not reloaded, the old ones stay: " << text
              << '\n';
    audit(twin::audit_kind::rules_rejected, "reload refused", text);
    return false;
  }
  bound_ = std::move(*bound);
  actors::reload_rules(running_, bound_);
  std::cout << "citytwin: rules reloaded from " << path_ << ": "
            << num_rules() << " rules, " << num_instances() << " instances"
            << std::endl;
  audit(twin::audit_kind::rules_loaded,
        std::to_string(num_rules()) + " rules, "
          + std::to_string(num_instances()) + " instances",
        force ? "reload (SIGHUP)" : "reload (file changed)");
  return true;
}

void rules_reloader::stop(caf::actor_system& sys) {
  actors::stop_rules(sys, running_);
}

} // namespace citytwin::cli
