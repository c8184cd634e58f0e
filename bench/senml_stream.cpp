// bench/senml_stream.cpp
#include "bench/senml_stream.hpp"

#include "twin/entity_state.hpp"
#include "twin/text.hpp"

#include <cmath>
#include <string_view>

namespace citytwin::bench {

namespace {

using twin::entity_kind;

// Standby draw of a lamp's driver, in W.
constexpr double standby_w = 0.5;

// One SenML record of a pack: name (the quantity), unit, value.
struct field {
  std::string_view name;
  std::string_view unit; // empty: the quantity's own, left out
  double value;
};

// What a device of `st`'s kind reports in its `k`-th pack. Every value
// differs from the one before (and from what the twin derives itself),
// so every reading changes the entity, even when a pack reaches it in
// two messages; all values lie in the twin's ranges.
std::vector<field> fields_of(const twin::entity_state& st, uint64_t k) {
  auto x = static_cast<double>(k);
  auto cycle = [&](uint64_t period, uint64_t step) {
    return static_cast<double>((k * step) % period);
  };
  switch (st.id.kind) {
    case entity_kind::street_lamp: {
      auto dim = cycle(101, 7);
      auto rated = st.as<twin::street_lamp_state>().rated_power_w;
      // Metered power includes the driver's standby draw, so it differs
      // from what the twin estimates from the dim level.
      return {{"dim_level", "%", dim},
              {"power", "W", std::round(rated * dim) / 100 + standby_w}};
    }
    case entity_kind::waste_bin:
      return {{"fill_level", "%", cycle(100, 3)},
              {"temperature", "Cel", 5 + cycle(40, 1) / 2}};
    case entity_kind::traffic_counter:
      return {{"vehicle_flow", "1/h", 300 + cycle(1500, 37)},
              {"mean_speed", "km/h", 20 + cycle(60, 13)},
              {"occupancy", "/", cycle(100, 11) / 100},
              {"vehicle_count", "", 1 + cycle(50, 7)}};
    case entity_kind::air_quality:
      return {{"pm10", "ug/m3", 10 + cycle(400, 7) / 10},
              {"pm25", "ug/m3", 5 + cycle(300, 3) / 10},
              {"no2", "ug/m3", 20 + cycle(60, 1)},
              {"temperature", "Cel", cycle(300, 1) / 10},
              {"humidity", "%RH", 40 + cycle(50, 1)}};
    case entity_kind::noise_sensor:
      return {{"noise_level", "dBA", 45 + cycle(300, 7) / 10}};
    case entity_kind::parking_sensor: {
      auto capacity = st.as<twin::parking_sensor_state>().capacity;
      return {{"free_spaces", "", cycle(capacity + 1, 1)}};
    }
    case entity_kind::energy_meter:
      return {{"energy", "kWh", 1000 + x / 4},
              {"power", "W", 500 + cycle(2000, 13)}};
    case entity_kind::camera:
      return {{"people_count", "", cycle(200, 7)},
              {"vehicle_count", "", cycle(90, 11)}};
    default:
      return {};
  }
}

std::string pack(const std::string& base_name, double time_s,
                 const std::vector<field>& fields) {
  std::string result = "[";
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    result += i == 0 ? "{\"bn\":\"" + base_name + "\",\"bt\":"
                         + twin::shortest(time_s) + ","
                     : ",{";
    result += "\"n\":\"";
    result += f.name;
    result += "\",";
    if (!f.unit.empty()) {
      result += "\"u\":\"";
      result += f.unit;
      result += "\",";
    }
    result += "\"v\":" + twin::shortest(f.value) + "}";
  }
  result += "]";
  return result;
}

} // namespace

senml_stream make_senml_stream(const twin::city& c, size_t num_messages,
                               double now_s) {
  senml_stream result;
  result.tenant = c.name;
  auto table = std::make_shared<ingest::binding_table>();
  table->city(c.name);
  std::vector<twin::entity_state> devices;
  std::vector<std::string> base_names;
  for (const auto& p : c.things) {
    auto st = twin::initial_state(p);
    if (fields_of(st, 1).empty())
      continue;
    // A car park without spaces cannot change.
    if (p.id.kind == entity_kind::parking_sensor
        && st.as<twin::parking_sensor_state>().capacity == 0)
      continue;
    auto kind = std::string{twin::to_string(p.id.kind)};
    auto number = std::to_string(p.id.number);
    base_names.push_back("urn:dev:" + c.name + ":" + kind + ":" + number
                         + ":");
    table->add_device(base_names.back(), p.id);
    result.topics.push_back("city/" + c.name + "/" + kind + "/" + number);
    devices.push_back(std::move(st));
  }
  result.bindings = std::move(table);
  if (devices.empty())
    return result;
  auto rounds = (num_messages + devices.size() - 1) / devices.size();
  // The last round ends a minute before now: never `in_future`.
  auto first_s = std::floor(now_s) - static_cast<double>(rounds) - 60;
  result.messages.reserve(num_messages);
  for (size_t i = 0; i < num_messages; ++i) {
    auto device = i % devices.size();
    uint64_t k = i / devices.size() + 1;
    auto fields = fields_of(devices[device], k);
    result.num_readings += fields.size();
    result.messages.push_back(
      {device, pack(base_names[device], first_s + static_cast<double>(k),
                    fields)});
  }
  return result;
}

} // namespace citytwin::bench
