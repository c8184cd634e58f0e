// adapters/cli/data_broker.cpp
#include "adapters/cli/data_broker.hpp"

#include "actors/type_ids.hpp"
#include "adapters/broker/access_config.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "adapters/ngsi/ngsi_api.hpp"
#include "twin/error.hpp"

#include <caf/scoped_actor.hpp>

namespace citytwin::cli {

struct running_broker::impl {
  std::unique_ptr<broker::broker> brk;
  std::unique_ptr<ngsi::ngsi_api> api;
  std::unique_ptr<ngsi::http_listener> listener;
  actors::subscriber_actor mirror;
  actors::twin_actor twin;
  caf::actor_system* sys = nullptr;
};

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

caf::expected<std::unique_ptr<running_broker>>
running_broker::start(const broker_options& opts, const std::string& host,
                      caf::actor_system& sys,
                      const actors::twin_handles& twin, const twin::city& c) {
  if (opts.access_file.empty())
    return std::unique_ptr<running_broker>{};
  auto access = broker::load_access_config(opts.access_file);
  if (!access)
    return access.error();
  if (!twin::find_tenant(*access, c.name))
    return caf::make_error(twin::errc::invalid_config,
                           "the tenants file has no tenant '" + c.name
                             + "' for the served city");
  auto p = std::make_unique<impl>();
  p->brk = std::make_unique<broker::broker>(std::move(*access));
  auto mirror = broker::attach_twin(sys, twin, *p->brk->tenant(c.name), c);
  if (!mirror)
    return mirror.error();
  p->mirror = *mirror;
  p->twin = twin.front;
  p->sys = &sys;
  p->api = std::make_unique<ngsi::ngsi_api>(*p->brk);
  ngsi::listener_config config;
  config.host = host;
  config.port = opts.port;
  config.threads = opts.threads;
  auto* api = p->api.get();
  p->listener = std::make_unique<ngsi::http_listener>(
    config, [api](const ngsi::http_request& req) { return api->handle(req); },
    api->websocket());
  std::string error;
  if (!p->listener->start(error)) {
    running_broker stopper{std::move(p)};
    stopper.stop();
    return caf::make_error(twin::errc::io_failure, "NGSI-LD API: " + error);
  }
  return std::unique_ptr<running_broker>{new running_broker(std::move(p))};
}

running_broker::running_broker(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

running_broker::~running_broker() {
  stop();
}

uint16_t running_broker::port() const {
  return impl_->listener ? impl_->listener->port() : 0;
}

std::string running_broker::metrics() const {
  return impl_->api ? impl_->api->render_prometheus() : std::string{};
}

void running_broker::stop() {
  if (!impl_)
    return;
  if (impl_->listener)
    impl_->listener->stop();
  if (impl_->mirror) {
    caf::anon_send(impl_->twin, caf::unsubscribe_atom_v, impl_->mirror);
    caf::anon_send_exit(impl_->mirror, caf::exit_reason::user_shutdown);
    // The MIRROR points into the broker: wait until it is gone.
    caf::scoped_actor self{*impl_->sys};
    self->wait_for(impl_->mirror);
    impl_->mirror = nullptr;
  }
}

} // namespace citytwin::cli
