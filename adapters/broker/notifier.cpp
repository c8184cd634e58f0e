// adapters/broker/notifier.cpp
#include "adapters/broker/notifier.hpp"

#include "adapters/broker/webhook_client.hpp"
#include "adapters/mqtt/broker_url.hpp"
#include "adapters/mqtt/publisher.hpp"

#include <caf/sec.hpp>

#include <algorithm>

namespace citytwin::broker {

namespace {

using clock_type = std::chrono::steady_clock;

// Most MQTT messages a subscription may have on the wire unacknowledged;
// beyond it the broker is slower than the stream and updates wait in
// (and are coalesced by) the subscription's queue instead.
constexpr uint64_t max_mqtt_backlog = 1000;

// How long the dispatcher sleeps when updates wait for a busy transport.
constexpr auto retry_poll = std::chrono::milliseconds{1};

json with_changes(json rendered, const json& previous) {
  for (auto& [name, attr] : rendered.items()) {
    if (!attr.is_object() || !previous.contains(name))
      continue;
    const auto& before = previous[name];
    if (!before.is_object())
      continue;
    if (attr.value("type", "") == "Relationship") {
      if (before.value("object", json{}) != attr.value("object", json{}))
        attr["previousObject"] = before.value("object", json{});
    } else if (before.value("value", json{}) != attr.value("value", json{})) {
      attr["previousValue"] = before.value("value", json{});
    }
  }
  return rendered;
}

} // namespace

class delivery {
public:
  explicit delivery(subscription s)
      : queue(s.policy, s.capacity),
        sub(std::make_shared<const subscription>(std::move(s))) {
  }

  notification_queue queue;
  mutable std::mutex mtx;
  std::shared_ptr<const subscription> sub;
  delivery_status status;
  bool in_flight = false;
  bool removed = false;
  clock_type::time_point next_allowed{};
  std::shared_ptr<push_sink> sink;
  std::unique_ptr<webhook_client> webhook;
  std::unique_ptr<mqtt::publisher> mqtt;
  std::string mqtt_topic;
  uint64_t mqtt_published = 0;
};

std::string render_notification(const subscription& sub,
                                const std::vector<queued_update>& batch,
                                uint64_t seq) {
  json data = json::array();
  for (const auto& u : batch) {
    if (u.deleted) {
      data.push_back({{"id", u.entity_id},
                      {"type", (*u.entity)["type"]},
                      {"deletedAt", iso_now()}});
      continue;
    }
    auto rendered
        = render_entity(*u.entity, sub.notify_attrs, sub.format, sub.sys_attrs);
    if (sub.show_changes && u.previous
        && sub.format == entity_format::normalized)
      rendered = with_changes(std::move(rendered), *u.previous);
    data.push_back(std::move(rendered));
  }
  json body = {{"id", "urn:ngsi-ld:Notification:" + std::to_string(seq)},
               {"type", "Notification"},
               {"subscriptionId", sub.id},
               {"notifiedAt", iso_now()},
               {"data", std::move(data)}};
  return body.dump();
}

notifier::notifier(notifier_config config)
    : config_(config), budget_(std::make_shared<connection_budget>()) {
  dispatcher_ = std::thread([this] { dispatch_loop(); });
  for (size_t i = 0; i < std::max<size_t>(1, config_.workers); ++i)
    workers_.emplace_back([this] { worker_loop(); });
}

notifier::~notifier() {
  stop();
}

void notifier::stop() {
  // Cleared under both locks: a thread between checking running_ and
  // waiting on its condition variable would otherwise miss the wake-up
  // and keep `join` waiting for ever.
  {
    std::scoped_lock guard{mtx_, jobs_mtx_};
    if (!running_.exchange(false))
      return;
  }
  wake_.notify_all();
  jobs_cv_.notify_all();
  if (dispatcher_.joinable())
    dispatcher_.join();
  for (auto& w : workers_)
    if (w.joinable())
      w.join();
}

void notifier::set_policy(const std::string& tenant,
                          std::shared_ptr<const outbound_policy> policy) {
  std::lock_guard guard{mtx_};
  policies_[tenant] = std::move(policy);
}

void notifier::set_kept_alive_limit(size_t n) {
  budget_->max = n;
}

size_t notifier::num_open_connections() const {
  return budget_->open;
}

std::shared_ptr<const outbound_policy>
notifier::policy_of(std::string_view tenant) const {
  static const auto public_only = std::make_shared<const outbound_policy>();
  std::lock_guard guard{mtx_};
  auto i = policies_.find(tenant);
  return i == policies_.end() ? public_only : i->second;
}

delivery_ptr notifier::add(subscription sub) {
  auto d = std::make_shared<delivery>(std::move(sub));
  std::lock_guard guard{mtx_};
  deliveries_.push_back(d);
  return d;
}

void notifier::replace(const delivery_ptr& d, subscription sub) {
  d->queue.reconfigure(sub.policy, sub.capacity);
  std::lock_guard guard{d->mtx};
  if (sub.endpoint != d->sub->endpoint) {
    d->webhook.reset();
    d->mqtt.reset();
    d->status.failing = false;
    d->next_allowed = {};
  }
  d->sub = std::make_shared<const subscription>(std::move(sub));
}

size_t notifier::num_outbound() const {
  std::lock_guard guard{mtx_};
  size_t result = 0;
  for (const auto& d : deliveries_)
    result += snapshot_of(*d)->via != transport::websocket;
  return result;
}

void notifier::remove(const delivery_ptr& d) {
  {
    std::lock_guard guard{d->mtx};
    d->removed = true;
  }
  std::lock_guard guard{mtx_};
  std::erase(deliveries_, d);
  auto c = d->queue.counters();
  removed_dropped_ += c.pending;
}

void notifier::offer(const delivery_ptr& d, queued_update update) {
  d->queue.push(std::move(update));
  {
    std::lock_guard guard{mtx_};
    pending_ = true;
  }
  wake_.notify_one();
}

void notifier::attach(const delivery_ptr& d, std::shared_ptr<push_sink> sink) {
  {
    std::lock_guard guard{d->mtx};
    d->sink = std::move(sink);
  }
  {
    std::lock_guard guard{mtx_};
    pending_ = true;
  }
  wake_.notify_one();
}

std::shared_ptr<const subscription> notifier::snapshot_of(const delivery& d) {
  std::lock_guard guard{d.mtx};
  return d.sub;
}

delivery_status notifier::status_of(const delivery& d) {
  std::lock_guard guard{d.mtx};
  auto result = d.status;
  result.queue = d.queue.counters();
  return result;
}

void notifier::restore_status(delivery& d, const delivery_status& s) {
  std::lock_guard guard{d.mtx};
  d.status.times_sent = s.times_sent;
  d.status.times_failed = s.times_failed;
  d.status.last_notification = s.last_notification;
  d.status.last_success = s.last_success;
  d.status.last_failure = s.last_failure;
}

notifier::totals notifier::sum() const {
  totals result;
  std::lock_guard guard{mtx_};
  for (const auto& d : deliveries_) {
    auto s = status_of(*d);
    result.notifications += s.times_sent;
    result.failures += s.times_failed;
    result.delivered += s.queue.delivered;
    result.coalesced += s.queue.coalesced;
    result.dropped += s.queue.dropped;
  }
  result.dropped += removed_dropped_;
  return result;
}

void notifier::dispatch_loop() {
  while (running_) {
    std::vector<delivery_ptr> all;
    {
      std::unique_lock guard{mtx_};
      wake_.wait_for(guard, std::chrono::milliseconds{100},
                     [this] { return pending_ || !running_; });
      pending_ = false;
      all = deliveries_;
    }
    bool waiting = false;
    auto now = clock_type::now();
    for (const auto& d : all)
      waiting |= dispatch(d, now);
    if (waiting) {
      // Something waits for a busy transport or a throttle: look again
      // soon without spinning.
      std::unique_lock guard{mtx_};
      wake_.wait_for(guard, retry_poll,
                     [this] { return pending_ || !running_; });
      pending_ = true;
    }
  }
}

// Sends what one subscription has queued if its transport is free; true
// if updates remain waiting.
bool notifier::dispatch(const delivery_ptr& d, clock_type::time_point now) {
  if (d->queue.empty())
    return false;
  std::unique_lock guard{d->mtx};
  if (d->in_flight || d->removed)
    return true;
  if (now < d->next_allowed)
    return true;
  auto sub = d->sub;
  if (sub->via == transport::websocket) {
    if (!d->sink || d->sink->closed())
      return false; // nobody attached: the queue holds (and bounds) them
    auto batch = d->queue.take(config_.batch_max);
    auto body = render_notification(*sub, batch, ++notification_seq_);
    if (!d->sink->try_send(std::move(body))) {
      d->queue.restore(std::move(batch));
      return true;
    }
    d->queue.delivered(batch.size());
    ++d->status.times_sent;
    d->status.last_notification = d->status.last_success = iso_now();
    d->status.failing = false;
    if (sub->throttling_s > 0)
      d->next_allowed = now
                        + std::chrono::duration_cast<clock_type::duration>(
                            std::chrono::duration<double>(sub->throttling_s));
    return !d->queue.empty();
  }
  if (sub->via == transport::mqtt && d->mqtt
      && d->mqtt_published - d->mqtt->num_delivered() > max_mqtt_backlog)
    return true;
  auto batch = d->queue.take(config_.batch_max);
  auto body = render_notification(*sub, batch, ++notification_seq_);
  d->in_flight = true;
  guard.unlock();
  {
    std::lock_guard jobs_guard{jobs_mtx_};
    jobs_.push_back({d, std::move(batch), std::move(body)});
  }
  jobs_cv_.notify_one();
  return false;
}

void notifier::worker_loop() {
  while (true) {
    job j;
    {
      std::unique_lock guard{jobs_mtx_};
      jobs_cv_.wait(guard, [this] { return !jobs_.empty() || !running_; });
      if (!running_)
        return;
      j = std::move(jobs_.front());
      jobs_.erase(jobs_.begin());
    }
    auto& d = *j.target;
    std::shared_ptr<const subscription> sub;
    {
      std::lock_guard guard{d.mtx};
      sub = d.sub;
    }
    bool ok = false;
    if (sub->via == transport::http) {
      if (!d.webhook) {
        if (auto url = parse_http_url(sub->endpoint))
          d.webhook = std::make_unique<webhook_client>(
              *url, policy_of(sub->tenant), budget_);
      }
      if (d.webhook) {
        auto status = d.webhook->post(j.body, config_.timeout);
        ok = status && *status >= 200 && *status < 300;
      }
    } else if (sub->via == transport::mqtt) {
      if (!d.mqtt) {
        // mqtt://host:port/topic: the path is the topic.
        auto rest = std::string_view{sub->endpoint}.substr(7);
        auto slash = rest.find('/');
        d.mqtt_topic = slash == std::string_view::npos
                           ? std::string{"notifications"}
                           : std::string{rest.substr(slash + 1)};
        // The broker's address is resolved and checked here, then
        // handed to libmosquitto as a number, so it cannot resolve the
        // name again to somewhere else.
        auto url = mqtt::parse_broker_url("mqtt://"
                                          + std::string{rest.substr(0, slash)});
        if (url) {
          auto allowed = allowed_addresses(url->host, url->port,
                                           *policy_of(sub->tenant));
          auto v4 = std::find_if(allowed.begin(), allowed.end(),
                                 [](const auto& a) { return a.v4; });
          if (v4 == allowed.end())
            url = caf::make_error(caf::sec::invalid_argument,
                                  "no allowed address");
          else
            url->host = std::to_string(v4->bytes[12]) + "."
                        + std::to_string(v4->bytes[13]) + "."
                        + std::to_string(v4->bytes[14]) + "."
                        + std::to_string(v4->bytes[15]);
        }
        if (url)
          if (auto p = mqtt::publisher::connect(*url, config_.timeout))
            d.mqtt = std::move(*p);
      }
      if (d.mqtt && !d.mqtt->publish(d.mqtt_topic, j.body, 1)) {
        ++d.mqtt_published;
        ok = true;
      } else {
        d.mqtt.reset();
      }
    }
    finish(j.target, std::move(j.batch), ok);
  }
}

void notifier::finish(const delivery_ptr& d, std::vector<queued_update> batch,
                      bool ok) {
  auto now = clock_type::now();
  {
    std::lock_guard guard{d->mtx};
    d->in_flight = false;
    d->status.last_notification = iso_now();
    if (ok) {
      d->queue.delivered(batch.size());
      ++d->status.times_sent;
      d->status.last_success = d->status.last_notification;
      d->status.failing = false;
      if (d->sub->throttling_s > 0)
        d->next_allowed
            = now
              + std::chrono::duration_cast<clock_type::duration>(
                  std::chrono::duration<double>(d->sub->throttling_s));
    } else {
      ++d->status.times_failed;
      d->status.last_failure = d->status.last_notification;
      d->status.failing = true;
      d->next_allowed = now + config_.cooldown;
      d->queue.restore(std::move(batch));
    }
  }
  {
    std::lock_guard guard{mtx_};
    pending_ = true;
  }
  wake_.notify_one();
}

} // namespace citytwin::broker
