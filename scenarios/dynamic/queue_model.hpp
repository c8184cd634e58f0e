// scenarios/dynamic/queue_model.hpp
#pragma once

#include "scenarios/dynamic/demand.hpp"
#include "scenarios/dynamic/model_run.hpp"
#include "scenarios/dynamic/road_network.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace citytwin::scenarios::dynamic {

/// A timed change of the network during a run: a closure (or reopening),
/// a lane reduction, or a new signal gate for a link.
struct network_edit {
  double at_s = 0;
  uint32_t link = none;
  /// Closes (true) or reopens (false) the link; empty: unchanged, so a
  /// signal or lane edit during a closure leaves the road closed.
  std::optional<bool> closed;
  float discharge_veh_s = -1; ///< < 0: unchanged
  float storage_veh = -1;     ///< < 0: unchanged
  uint32_t gate = none - 1;   ///< none - 1: unchanged; none: ungated
};

/// The link-queue model (MATSim QSim / SUMO meso family, notes §7.2):
/// per link a FIFO queue with a free-flow time, a discharge rate (gated by
/// its signal), a storage limit (spillback) and per-origin insertion
/// gated by car-park exits. Data-oriented: plain arrays, no object per
/// vehicle on the heap, no message per vehicle.
///
/// The nodes are split into partitions. One step has two phases, each run
/// for every partition (in parallel by the driver) with a barrier between:
///  * move: each node moves vehicles from its entering links into the
///    entry buffers of its leaving links (only the upstream node writes a
///    link's buffer and only the downstream node pops its queue);
///  * merge: each partition appends the buffers of the links it owns
///    (those whose downstream node it holds) and recomputes their space.
/// Space seen in the move phase is the space at the start of the step, so
/// the result does not depend on the number of partitions or the order in
/// which they run: a run is deterministic for its seed.
class queue_model {
public:
  queue_model(const road_network& net, const demand& dem,
              model_options opts);
  ~queue_model();
  queue_model(const queue_model&) = delete;
  queue_model& operator=(const queue_model&) = delete;

  uint32_t num_partitions() const {
    return static_cast<uint32_t>(parts_.size());
  }

  /// True once the horizon is reached or every trip is settled.
  bool done() const;

  /// Simulated time of the step about to run.
  double now() const {
    return now_;
  }

  /// True if the next step starts with new fastest-path trees; the driver
  /// then runs `tree_phase` for every partition before `move_phase`.
  bool trees_due() const {
    return trees_due_;
  }

  void tree_phase(uint32_t partition);
  /// Serial: call once after `tree_phase` ran for every partition.
  void finish_trees();
  void move_phase(uint32_t partition);
  void merge_phase(uint32_t partition);

  /// Serial bookkeeping between steps: advances the clock, applies edits
  /// that fall due, decides whether trees are due.
  void end_step();

  /// Schedules a network change; edits at the same time apply in order.
  void add_edit(network_edit edit);

  /// The result so far (complete once done()).
  model_result result() const;

  /// Trips settled so far (arrived or found unroutable), for progress.
  uint64_t num_settled() const;

private:
  struct partition;
  struct link_queue {
    std::vector<uint32_t> items; ///< vehicle = trip index
    uint32_t head = 0;
    uint32_t size() const {
      return static_cast<uint32_t>(items.size()) - head;
    }
  };

  uint32_t next_link(uint32_t trip, uint32_t node) const;
  uint32_t planned_link(uint32_t trip) const;
  /// Counts a vehicle leaving `link` in its recent flow.
  void note_exit(uint32_t link);
  /// What a link that gives way at `node` may let out now (veh/s), given
  /// the priority flow crossing there.
  float gap_capacity(uint32_t link, uint32_t node) const;
  /// The vehicles `link` may hold: its jam storage, at least what flows
  /// through it at capacity.
  float storage_for(uint32_t link, float jam_storage) const;
  /// Whether `trip`, at the end of `link` (at `node`), has arrived.
  bool arrives_at(uint32_t trip, uint32_t link, uint32_t node) const;
  void enter(uint32_t trip, uint32_t link, partition& part);
  void serve_node(uint32_t node, partition& part);
  void insert_waiting(uint32_t node, partition& part);
  void flush_interval(partition& part, double until);
  double queued_at(uint32_t link) const;
  void activate(uint32_t node, partition& part);
  void settle(uint32_t trip, trip_outcome outcome, partition& part);
  void apply_edits();
  void prepare_trees();
  bool follows_trees(uint32_t trip) const;

  const road_network& net_;
  const demand& dem_;
  model_options opts_;
  double now_ = 0;
  bool trees_due_ = true;
  size_t next_edit_ = 0;
  std::vector<network_edit> edits_;
  // Per node.
  std::vector<uint32_t> owner_;
  std::vector<uint8_t> active_;
  // Per link.
  std::vector<link_queue> queue_;
  std::vector<std::vector<uint32_t>> buffer_;
  std::vector<std::vector<uint32_t>> waiting_; ///< trips to insert
  std::vector<uint32_t> waiting_head_;
  std::vector<int32_t> admit_;
  std::vector<float> tokens_;
  // When tokens_ last accrued: capacity accrues with time, also while
  // nobody waits, so an idle road lets the next vehicle through at once.
  std::vector<double> token_time_s_;
  std::vector<float> blocked_since_;
  std::vector<uint8_t> closed_;
  std::vector<float> discharge_, storage_;
  std::vector<float> jam_storage_; ///< as built or edited; see storage_for
  // Recent flow out of each link (veh/s, exponentially averaged) and when
  // it was last updated.
  std::vector<float> recent_rate_;
  std::vector<double> recent_time_;
  std::vector<uint32_t> gate_;
  std::vector<double> cost_s_;
  // Per entering road of each node, in `in_links` order: Dijkstra's input.
  struct in_edge {
    uint32_t from;
    uint32_t link;
    double cost_s;
  };
  std::vector<in_edge> in_edges_;
  // Per link statistics of the current interval (owned like the queue).
  std::vector<uint32_t> exits_;
  std::vector<double> traversal_sum_s_, occupancy_integral_;
  std::vector<double> last_change_s_;
  // Per trip.
  std::vector<uint32_t> trip_link_;
  std::vector<uint32_t> route_pos_;
  std::vector<float> ready_s_, entered_s_;
  std::vector<uint32_t> dest_slot_;
  std::vector<uint8_t> follows_trees_;
  std::vector<uint8_t> reroutes_;
  std::vector<uint8_t> detoured_;
  std::vector<trip_record> records_;
  // Fastest-path trees: per destination slot (a target node), the link
  // to take from every node.
  std::vector<uint32_t> slot_node_;
  std::vector<std::vector<uint32_t>> tree_;
  // Per parking exit.
  std::vector<float> parking_tokens_;
  std::vector<std::unique_ptr<partition>> parts_;
  link_series series_;
  uint64_t num_reroutes_ = 0;
  double last_tree_s_ = -1;
  uint64_t num_settled_ = 0;
  std::vector<uint8_t> slot_live_;
  /// 1: some trip to the slot follows a route of its own (its tree grows
  /// in full).
  std::vector<uint8_t> slot_routed_;
  /// Per slot, the nodes its trips decide at before the trees are next
  /// due (CSR, rebuilt with the trees).
  std::vector<uint32_t> wanted_begin_;
  std::vector<uint32_t> wanted_nodes_;
  /// Departure times of each slot's trips, sorted: slot s has
  /// slot_departs_s_[slot_departs_begin_[s] .. slot_departs_begin_[s+1]).
  std::vector<uint32_t> slot_departs_begin_;
  std::vector<double> slot_departs_s_;
  std::vector<uint8_t> dirty_;
  std::vector<uint32_t> parking_step_;
  uint64_t steps_ = 0;
  double next_interval_s_ = 0;
};

} // namespace citytwin::scenarios::dynamic
