// adapters/mqtt/command_intake.hpp
#pragma once

// Commands that arrive over MQTT. A client (an operator's tool, a
// controller) asks for a setting on
//
//     <root>/<tenant>/cmd/<kind>/<entity URN>/set
//
// with the document `actuator_echo` publishes, one setting at a time:
// `{"dimLevel":0.8}`, `{"signalMode":"flashing"}` or
// `{"greenTimes":[30,25]}`, and an optional `"reason"`. The twin executes
// it like any command; a honoured setting then goes out on the topic
// without `/set` (the echo), a refusal on `.../refused` with the reason.
// Requests and settings have topics of their own so the twin never
// receives its own publications, and devices act only on what the twin
// has checked.

#include "actors/interfaces.hpp"
#include "adapters/mqtt/publisher.hpp"

#include <caf/expected.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace citytwin::mqtt {

/// Largest request payload; larger ones are refused unread.
constexpr size_t max_command_payload = 4096;

/// The subscription filter for requests: `<root>/<tenant>/cmd/+/+/set`.
std::string command_request_filter(std::string_view tenant,
                                   std::string_view root = "city");

/// Reads one request: its topic names an actuator of `city` under the
/// topic tenant `tenant`, its payload one setting. `errc::malformed_payload` (bad topic, JSON, too large,
/// no or several settings), `errc::unknown_entity` (another tenant's id),
/// `errc::not_an_actuator` (kind and URN disagree, or no actuator kind).
/// The command's issuer is `mqtt`, its time `now`.
caf::expected<twin::command>
parse_command_request(std::string_view topic, std::string_view payload,
                      std::string_view tenant, std::string_view city,
                      twin::time_ms now, std::string_view root = "city");

/// The topic of a refusal: the request's topic with `refused` for `set`.
std::string refusal_topic(std::string_view request_topic);

/// Requests seen on MQTT, for /metrics; the twin counts what it refuses.
struct command_request_counters {
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> malformed{0}; ///< refused before the twin

  /// Prometheus text of both counters.
  std::string render_prometheus() const;
};

/// A COMMAND INTAKE: passes requests to the twin and publishes refusals.
using command_intake_actor
  = caf::typed_actor<caf::reacts_to<twin::command, std::string>>;

struct command_intake_state {
  static inline const char* name = "mqtt-command-intake";
  // Not an aggregate: CAF 0.17 constructs a state from the actor pointer
  // when it can, and C++20 would let that initialise `twin` from it.
  command_intake_state() = default;
  actors::twin_actor twin;
  std::shared_ptr<publisher> out;
  uint64_t honoured = 0;
  uint64_t refused = 0;
};

/// The behavior: `(command, request topic)` goes to `twin`; a refusal is
/// published on `refusal_topic(request topic)` as `{"reason":"..."}`.
command_intake_actor::behavior_type
command_intake(command_intake_actor::stateful_pointer<command_intake_state>
                 self,
               actors::twin_actor twin, std::shared_ptr<publisher> out);

/// The ingest client's `on_command` for `tenant` (it runs on the MQTT
/// network thread): a valid request goes to `intake`; an invalid one is
/// refused on `refusal_topic` (if its topic is a request's) and counted.
std::function<void(std::string_view, std::string_view)>
command_request_handler(command_intake_actor intake,
                        std::shared_ptr<publisher> out, std::string tenant,
                        std::string city,
                        std::shared_ptr<command_request_counters> counters);

} // namespace citytwin::mqtt
