// bench/senml_stream.hpp
#pragma once

#include "adapters/ingest/binding_table.hpp"
#include "twin/city.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::bench {

/// A recorded-looking SenML stream for every lamp, bin and sensor of a
/// city, with the binding table that maps it onto the twin.
struct senml_stream {
  struct message {
    size_t device = 0; ///< index into `topics`
    std::string payload;
  };

  std::string tenant; ///< the city's name, the topic's tenant level
  std::shared_ptr<const ingest::binding_table> bindings;
  std::vector<std::string> topics; ///< `city/<tenant>/<kind>/<n>`, per device
  std::vector<message> messages;   ///< in publishing order
  size_t num_readings = 0;         ///< records over all messages

  double readings_per_message() const {
    return messages.empty() ? 0
                            : double(num_readings) / double(messages.size());
  }
};

/// `num_messages` SenML packs, one device after the other (round robin),
/// each pack carrying what such a device reports at once: a lamp its dim
/// level and power, an air-quality station five values, a car park its
/// free spaces. Every pack is valid for the twin and changes its entity;
/// a device's packs are one second apart and end before `now_s`.
senml_stream make_senml_stream(const twin::city& c, size_t num_messages,
                               double now_s);

} // namespace citytwin::bench
