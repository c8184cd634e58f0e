// adapters/ingest/ngsi_ld.cpp
#include "adapters/ingest/ngsi_ld.hpp"

#include "twin/iso_time.hpp"
#include "adapters/ingest/units.hpp"
#include "twin/error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace citytwin::ingest {

namespace {

using json = nlohmann::json;

// Members of an entity that are not attributes.
bool reserved(const std::string& name) {
  return name == "id" || name == "type" || name == "@context"
         || name == "location" || name == "observationSpace"
         || name == "operationSpace" || name == "createdAt"
         || name == "modifiedAt" || name == "scope";
}

struct entity_decoder {
  std::string_view city;
  twin::time_ms now;
  ngsi_readings& out;
  const unknown_id_resolver& unknown;

  void reject(reject_reason why, std::string detail) {
    out.rejected.push_back({why, std::move(detail)});
  }

  // One attribute instance: a bare value or a (normalized or concise)
  // Property object.
  void instance(twin::entity_id id, twin::quantity q, const std::string& name,
                const json& x) {
    const json* value = &x;
    std::string_view unit;
    twin::time_ms time = now;
    if (x.is_object()) {
      auto type = x.find("type");
      if (type != x.end() && *type != "Property") {
        // Relationships, GeoProperties, ...: not measurements.
        return;
      }
      auto v = x.find("value");
      if (v == x.end()) {
        ++out.num_attributes;
        reject(reject_reason::missing_value, name + ": no value");
        return;
      }
      value = &*v;
      if (auto code = x.find("unitCode"); code != x.end()) {
        auto senml = code->is_string()
                       ? senml_unit_of(code->get_ref<const std::string&>())
                       : std::nullopt;
        if (!senml) {
          ++out.num_attributes;
          reject(reject_reason::unit_mismatch,
                 name + ": unknown unitCode " + code->dump());
          return;
        }
        unit = *senml;
      }
      if (auto at = x.find("observedAt"); at != x.end()) {
        auto t = at->is_string()
                   ? twin::parse_iso_time(at->get_ref<const std::string&>())
                   : std::nullopt;
        if (!t) {
          ++out.num_attributes;
          reject(reject_reason::wrong_type,
                 name + ": observedAt is not an ISO 8601 time");
          return;
        }
        time = *t;
      }
    }
    ++out.num_attributes;
    double number = 0;
    if (value->is_number()) {
      number = value->get<double>();
    } else if (value->is_boolean()) {
      number = value->get<bool>() ? 1 : 0;
    } else {
      reject(reject_reason::not_numeric, name + ": value is not a number");
      return;
    }
    if (!std::isfinite(number)) {
      reject(reject_reason::not_finite, name + ": value is not finite");
      return;
    }
    auto converted = to_quantity_unit(number, unit, q);
    if (!converted) {
      reject(reject_reason::unit_mismatch,
             name + ": unit '" + std::string{unit} + "' is not "
               + std::string{twin::info(q).unit});
      return;
    }
    out.readings.push_back({id, time, *converted, q});
  }

  // The first attribute that names a quantity.
  static std::optional<twin::quantity> first_quantity(const json& e) {
    for (const auto& [name, x] : e.items())
      if (!reserved(name))
        if (auto q = twin::parse_quantity(name))
          return q;
    return std::nullopt;
  }

  // A twin URN of the city, else what `unknown` makes of the id.
  std::optional<twin::entity_id> resolve(const json& e,
                                         const std::string& urn) {
    auto id = twin::parse_urn(urn);
    if (id && id->city == city)
      return id->id;
    if (unknown) {
      // A fragment without measurements has nothing to create an entity
      // for; it is refused as before.
      if (auto what = first_quantity(e)) {
        auto found = unknown(urn, *what);
        if (auto* result = std::get_if<twin::entity_id>(&found))
          return *result;
        out.rejected.push_back(std::get<rejection>(std::move(found)));
        return std::nullopt;
      }
    }
    if (!id)
      reject(reject_reason::bad_name, twin::describe(id.error()));
    else
      reject(reject_reason::unknown_entity,
             urn + " is not an entity of city '" + std::string{city} + "'");
    return std::nullopt;
  }

  void entity(const json& e) {
    if (!e.is_object()) {
      reject(reject_reason::wrong_type, "an NGSI-LD entity is a JSON object");
      return;
    }
    auto id_member = e.find("id");
    if (id_member == e.end() || !id_member->is_string()) {
      reject(reject_reason::bad_name, "entity without a string id");
      return;
    }
    const auto& urn = id_member->get_ref<const std::string&>();
    auto id = resolve(e, urn);
    if (!id)
      return;
    for (const auto& [name, x] : e.items()) {
      if (reserved(name))
        continue;
      auto q = twin::parse_quantity(name);
      if (!q) {
        // Static attributes (name, address, ...) are fine in a fragment;
        // only values that would be measurements are counted.
        if (x.is_number())
          reject(reject_reason::unknown_quantity,
                 urn + ": no quantity '" + name + "'");
        continue;
      }
      if (x.is_array()) {
        for (const auto& each : x)
          instance(*id, *q, name, each);
      } else {
        instance(*id, *q, name, x);
      }
    }
  }
};

} // namespace

ngsi_readings ngsi_to_readings(const json& doc, std::string_view city,
                               twin::time_ms now,
                               const unknown_id_resolver& unknown) {
  ngsi_readings result;
  entity_decoder decoder{city, now, result, unknown};
  if (doc.is_array()) {
    for (const auto& e : doc)
      decoder.entity(e);
  } else {
    decoder.entity(doc);
  }
  return result;
}

} // namespace citytwin::ingest
