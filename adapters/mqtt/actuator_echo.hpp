// adapters/mqtt/actuator_echo.hpp
#pragma once

// Publishes every actuator's commanded setting on MQTT, so real street
// lamps and traffic-light controllers can follow the twin: whenever a
// command changed a lamp or a light (whoever sent it: an operator through
// NGSI-LD, a rule, MQTT), its desired state goes out, retained, on
//
//     <root>/<tenant>/cmd/<kind>/<entity URN>
//
// with <kind> `street_lamp` or `intersection` and a JSON document:
//
//     {"dimLevel":0.8,"commands":3,"lastCommand":"2026-12-07T01:02:03.000Z"}
//     {"signalMode":"flashing","greenTimes":[30,31],"commands":2,
//      "lastCommand":"..."}
//
// Retained, so a device that (re)connects gets its latest setting at once.
// A SUBSCRIBER of the twin for lamps and intersections; it publishes only
// deltas that carry `twin::actuation_bit`, never readings.

#include "actors/interfaces.hpp"
#include "adapters/mqtt/publisher.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>

namespace citytwin::mqtt {

/// The topic of an actuator's commanded setting; `tenant` is the topic's
/// tenant level, `city` the one in the entity's URN.
std::string actuator_topic(std::string_view tenant, std::string_view city,
                           const twin::entity_id& id,
                           std::string_view root = "city");

/// The JSON document of an actuator's commanded setting; empty for a state
/// that is no actuator's.
std::string actuator_setting(const twin::entity_state& state);

struct actuator_echo_state {
  static inline const char* name = "actuator-echo";
  std::shared_ptr<publisher> out;
  std::string tenant;
  std::string city;
  uint64_t published = 0;
  uint64_t failed = 0; ///< libmosquitto refused to queue (disconnected)
};

/// The behavior: publishes the settings of changed actuators to `out`.
actors::subscriber_actor::behavior_type
actuator_echo(actors::subscriber_actor::stateful_pointer<actuator_echo_state>
                self,
              std::shared_ptr<publisher> out, std::string tenant,
              std::string city);

/// The filter `actuator_echo` subscribes with: lamps and intersections.
actors::subscription_filter actuator_filter();

/// An echo running for one twin.
struct running_echo {
  std::shared_ptr<publisher> out;
  actors::subscriber_actor actor;
};

/// Connects to `broker` and subscribes an echo of `tenant`'s actuators to
/// `twin`. Waits for the CONNACK and the twin's answer: call at start-up,
/// outside actors.
caf::expected<running_echo> start_actuator_echo(caf::actor_system& sys,
                                                const actors::twin_actor& twin,
                                                const broker_url& broker,
                                                std::string tenant,
                                                std::string city);

/// Unsubscribes the echo, lets queued settings leave (at most 2 s) and
/// stops it.
void stop_actuator_echo(const actors::twin_actor& twin, running_echo& echo);

} // namespace citytwin::mqtt
