// adapters/ngsi/running_broker.cpp
#include "adapters/ngsi/running_broker.hpp"

#include "actors/spawn_rules.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/access_config.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/broker/space_restore.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "adapters/ngsi/ngsi_api.hpp"
#include "adapters/rules/rule_file.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"
#include "twin/rules/city_index.hpp"

#include <caf/scoped_actor.hpp>

#include <iostream>

namespace citytwin::ngsi {

struct running_broker::impl {
  std::unique_ptr<broker::broker> brk;
  std::unique_ptr<ngsi_api> api;
  std::unique_ptr<http_listener> listener;
  std::vector<uint16_t> own_ports; // never a notification's target
  actors::twin_actor twin;
  caf::actor_system* sys = nullptr;
  // The twins of the other tenants that name a city file: each tenant's
  // entities live in its own twin, followed by its own TENANT.
  struct hosted {
    std::string tenant;
    std::unique_ptr<twin::city> city;
    actors::twin_handles handles;
    actors::running_rules rules; // from the tenant's `rules:`, if any
  };
  std::vector<hosted> others;
};

namespace {

// Spawns the twin of every tenant with a city file other than the served
// one and seeds the tenant's space with its entities (before the TENANTs
// start; `join_other_cities` subscribes them afterwards).
caf::error host_other_cities(running_broker::impl& p,
                             const twin::access_config& access,
                             const std::string& served,
                             const actors::twin_handles& model) {
  for (const auto& t : access.tenants) {
    if (t.city.empty() || t.name == served)
      continue;
    auto c = twin::load_city(t.city);
    if (!c)
      return c.error();
    if (c->name != t.name)
      return caf::make_error(twin::errc::invalid_config,
                             "tenant '" + t.name + "' names city file '"
                                 + t.city + "' of city '" + c->name
                                 + "': a tenant's city must carry its name");
    running_broker::impl::hosted h;
    h.city = std::make_unique<twin::city>(std::move(*c));
    auto handles
        = actors::spawn_twin(*p.sys, *h.city, {model.routers.size(), 0});
    if (!handles)
      return handles.error();
    h.handles = std::move(*handles);
    h.tenant = t.name;
    broker::seed_live_entities(*p.brk->seeding(t.name), *h.city);
    std::cout << "citytwin: tenant '" << t.name << "' live with "
              << h.city->num_entities() << " entities of its own city\n";
    // Kept before the rules are bound: a rule file with problems stops the
    // server, and the twin just spawned must be stopped with the others.
    p.others.push_back(std::move(h));
    if (!t.rules.empty()) {
      auto& hosted = p.others.back();
      auto parsed = rules::load_rule_file(t.rules, hosted.city->name);
      if (!parsed)
        return parsed.error();
      auto bound = rules::bind(
        std::make_shared<const rules::rule_set>(std::move(*parsed)),
        std::make_shared<const rules::city_index>(*hosted.city));
      if (!bound)
        return bound.error();
      auto instances = bound->instances.size();
      hosted.rules = actors::spawn_rules(
        *p.sys, hosted.handles, t.name,
        std::make_shared<const rules::bound_rules>(std::move(*bound)));
      std::cout << "citytwin: tenant '" << t.name << "' runs "
                << instances << " rule instances from " << t.rules << "\n";
    }
  }
  return {};
}

} // namespace

void add_broker_options(CLI::App& cmd, broker_options& opts) {
  cmd.add_option("--access", opts.access_file,
                 "Tenants, tokens and sharing rules (YAML, "
                 "data/access/README.md); enables the NGSI-LD API")
      ->check(CLI::ExistingFile);
  cmd.add_option("--api-port", opts.port,
                 "Port of the NGSI-LD API (0: any free port)")
      ->capture_default_str();
  cmd.add_option("--api-threads", opts.threads,
                 "I/O threads of the NGSI-LD API")
      ->check(CLI::Range(size_t{1}, size_t{64}))
      ->capture_default_str();
}

caf::expected<std::shared_ptr<const twin::access_config>>
load_tenants(const broker_options& opts, const std::string& city) {
  if (opts.access_file.empty())
    return std::shared_ptr<const twin::access_config>{};
  auto access = broker::load_access_config(opts.access_file);
  if (!access)
    return access.error();
  if (!twin::find_tenant(*access, city))
    return caf::make_error(twin::errc::invalid_config,
                           "the tenants file has no tenant '" + city
                               + "' for the served city");
  return std::make_shared<const twin::access_config>(std::move(*access));
}

std::unique_ptr<broker::broker>
running_broker::seed(std::shared_ptr<const twin::access_config> access,
                     const twin::city& c) {
  if (!access)
    return nullptr;
  auto result = std::make_unique<broker::broker>(*access);
  broker::seed_live_entities(*result->seeding(c.name), c);
  return result;
}

caf::expected<std::unique_ptr<running_broker>>
running_broker::start(std::unique_ptr<broker::broker> seeded,
                      const broker_options& opts, const std::string& host,
                      caf::actor_system& sys, const actors::twin_handles& twin,
                      const twin::city& c) {
  if (!seeded)
    return std::unique_ptr<running_broker>{};
  auto p = std::make_unique<impl>();
  p->brk = std::move(seeded);
  const auto* access = &p->brk->access();
  p->twin = twin.front;
  p->sys = &sys;
  auto fail
      = [&p](caf::error err) -> caf::expected<std::unique_ptr<running_broker>> {
    running_broker stopper{std::move(p)};
    stopper.stop();
    return err;
  };
  if (auto err = host_other_cities(*p, p->brk->access(), c.name, twin))
    return fail(std::move(err));
  // What the API wrote before a restart, back before any request comes.
  if (!opts.state_dir.empty()) {
    auto kept = broker::keep_spaces(
      *p->brk, opts.state_dir, opts.state_sync,
      [](const std::string& line) { std::cerr << "citytwin: " << line << '\n'; });
    if (!kept)
      return fail(kept.error());
    std::cout << "citytwin: API state restored: " << kept->entities
              << " entities, " << kept->subscriptions << " subscriptions ("
              << kept->dropped << " left out)\n";
  }
  // From here on each tenant's state belongs to its TENANT actor.
  p->brk->start_tenants(sys);
  if (auto err = broker::attach_twin(sys, twin, p->brk->tenant(c.name), c.name,
                                     archive::keep_in(p->brk->archive(c.name))))
    return fail(std::move(err));
  for (const auto& h : p->others) {
    if (auto err = broker::attach_twin(
          sys, h.handles, p->brk->tenant(h.tenant), h.tenant,
          archive::keep_in(p->brk->archive(h.tenant))))
      return fail(std::move(err));
    // The tenant's rules' alerts and derived values become its entities.
    if (h.rules.alerts)
      caf::anon_send(h.rules.alerts, caf::subscribe_atom_v,
                     caf::actor_cast<actors::alert_listener_actor>(
                       p->brk->tenant(h.tenant)));
  }
  p->api = std::make_unique<ngsi_api>(*p->brk);
  listener_config config;
  config.host = host;
  config.port = opts.port;
  config.threads = opts.threads;
  config.max_connections = access->limits.api_connections;
  auto* api = p->api.get();
  p->listener = std::make_unique<http_listener>(
      config,
      [api](http_request req, reply_fn reply) {
        api->handle(std::move(req), std::move(reply));
      },
      api->websocket());
  std::string error;
  if (!p->listener->start(error))
    return fail(
        caf::make_error(twin::errc::io_failure, "NGSI-LD API: " + error));
  p->own_ports.push_back(p->listener->port());
  p->brk->set_own_ports(p->own_ports);
  return std::unique_ptr<running_broker>{new running_broker(std::move(p))};
}

running_broker::running_broker(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

running_broker::~running_broker() {
  stop();
}

actors::tenant_actor running_broker::tenant(const std::string& name) const {
  return impl_->brk->tenant(name);
}

uint16_t running_broker::port() const {
  return impl_->listener ? impl_->listener->port() : 0;
}

void running_broker::protect_port(uint16_t port) {
  impl_->own_ports.push_back(port);
  impl_->brk->set_own_ports(impl_->own_ports);
}

std::string running_broker::metrics() const {
  if (!impl_->api)
    return {};
  auto result = impl_->api->render_prometheus();
  if (impl_->listener) {
    auto s = impl_->listener->stats();
    result += "# TYPE citytwin_api_connections gauge\n"
              "citytwin_api_connections "
              + std::to_string(s.open_connections)
              + "\n# TYPE citytwin_api_connection_refusals_total counter\n"
                "citytwin_api_connection_refusals_total{reason=\"limit\"} "
              + std::to_string(s.refused_connections)
              + "\ncitytwin_api_connection_refusals_total"
                "{reason=\"no_descriptors\"} "
              + std::to_string(s.accept_backoffs) + "\n";
  }
  return result;
}

void running_broker::stop() {
  if (!impl_)
    return;
  if (impl_->listener)
    impl_->listener->stop();
  // Before the TENANTs: a worker ends the delivery it is in (one timeout
  // at most) and queued notifications are dropped, whatever the load.
  if (impl_->brk)
    impl_->brk->notifications().stop();
  if (!impl_->sys)
    return;
  std::vector<actors::twin_actor> twins{impl_->twin};
  for (const auto& h : impl_->others)
    twins.push_back(h.handles.front);
  for (auto& h : impl_->others)
    if (h.rules.alerts)
      actors::stop_rules(*impl_->sys, h.rules);
  if (impl_->brk)
    impl_->brk->stop_tenants(twins);
  for (auto& h : impl_->others)
    actors::stop_twin(*impl_->sys, h.handles);
  impl_->others.clear();
}

} // namespace citytwin::ngsi
