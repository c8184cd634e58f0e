// adapters/broker/notifier.hpp
#pragma once

// Delivers notifications: one DELIVERY per subscription (its bounded queue,
// transport and status) and a dispatcher thread that hands batches to the
// transports. Webhook and MQTT sends run on a small worker pool, so a dead
// endpoint ties up at most one worker for one timeout, then cools down;
// WebSocket sends never block (the socket's own queue is bounded).

#include "twin/broker/notification_queue.hpp"
#include "adapters/broker/outbound_policy.hpp"
#include "twin/broker/subscription.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace citytwin::broker {

/// Where WebSocket notifications go; implemented by the HTTP layer.
class push_sink {
public:
  virtual ~push_sink() = default;
  /// False if the sink cannot take it now (its socket is backed up).
  virtual bool try_send(std::string text) = 0;
  virtual bool closed() const = 0;
};

struct notifier_config {
  size_t workers = 4;
  size_t batch_max = 100; ///< entities per notification
  std::chrono::milliseconds timeout{2000};
  std::chrono::milliseconds cooldown{2000}; ///< after a failed delivery
};

/// What a subscription reports about its deliveries (5.2.12 plus the
/// queue counters).
struct delivery_status {
  uint64_t times_sent = 0;
  uint64_t times_failed = 0;
  std::string last_notification;
  std::string last_success;
  std::string last_failure;
  bool failing = false;
  queue_counters queue;
};

class delivery;
struct connection_budget;
using delivery_ptr = std::shared_ptr<delivery>;

class notifier {
public:
  explicit notifier(notifier_config config = {});
  ~notifier();

  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;

  /// Starts delivering for a subscription.
  delivery_ptr add(subscription sub);

  /// Swaps in a patched subscription, keeping queue and counters.
  void replace(const delivery_ptr& d, subscription sub);

  /// Stops delivering; what is queued is dropped (and counted).
  void remove(const delivery_ptr& d);

  /// Queues one update for a subscription; never blocks.
  void offer(const delivery_ptr& d, queued_update update);

  /// Sends a WebSocket subscription's notifications to `sink` (replacing
  /// any earlier one).
  void attach(const delivery_ptr& d, std::shared_ptr<push_sink> sink);

  /// Where notifications of `tenant`'s subscriptions may go; until set,
  /// public addresses only.
  void set_policy(const std::string& tenant,
                  std::shared_ptr<const outbound_policy> policy);

  /// Outbound connections kept open between notifications, in total.
  void set_kept_alive_limit(size_t n);

  /// Outbound connections open now (kept alive or sending).
  size_t num_open_connections() const;

  /// Stops the threads; idempotent. Bounded in time: workers finish the
  /// delivery they are in (at most one timeout), queued work is dropped.
  void stop();

  static std::shared_ptr<const subscription> snapshot_of(const delivery& d);

  /// Webhook and MQTT subscriptions of every tenant together.
  size_t num_outbound() const;
  static delivery_status status_of(const delivery& d);

  /// Sets the counters of a subscription restored after a restart (the
  /// queue counters start afresh: they describe this process's queue).
  static void restore_status(delivery& d, const delivery_status& s);

  /// Summed counters over every subscription ever added.
  struct totals {
    uint64_t notifications = 0;
    uint64_t failures = 0;
    uint64_t delivered = 0;
    uint64_t coalesced = 0;
    uint64_t dropped = 0;
  };
  totals sum() const;

private:
  std::shared_ptr<const outbound_policy> policy_of(std::string_view tenant) const;
  void dispatch_loop();
  void worker_loop();
  bool dispatch(const delivery_ptr& d,
                std::chrono::steady_clock::time_point now);
  void finish(const delivery_ptr& d, std::vector<queued_update> batch, bool ok);

  notifier_config config_;
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::vector<delivery_ptr> deliveries_;
  bool pending_ = false;
  std::atomic<bool> running_{true};
  // Jobs for the workers: a delivery and the batch it sends.
  struct job {
    delivery_ptr target;
    std::vector<queued_update> batch;
    std::string body;
  };
  std::mutex jobs_mtx_;
  std::condition_variable jobs_cv_;
  std::vector<job> jobs_;
  std::thread dispatcher_;
  std::vector<std::thread> workers_;
  std::map<std::string, std::shared_ptr<const outbound_policy>, std::less<>>
      policies_; // guarded by mtx_
  std::shared_ptr<connection_budget> budget_;
  std::atomic<uint64_t> notification_seq_{0};
  std::atomic<uint64_t> removed_dropped_{0};
};

/// The NGSI-LD Notification body for a batch.
std::string render_notification(const subscription& sub,
                                const std::vector<queued_update>& batch,
                                uint64_t seq);

} // namespace citytwin::broker
