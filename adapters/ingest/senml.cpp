// adapters/ingest/senml.cpp
#include "adapters/ingest/senml.hpp"

#include "adapters/ingest/senml_resolver.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace citytwin::ingest {

namespace {

using json = nlohmann::json;

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9');
}

// Copies one member of a record into `raw`.
void read_member(const std::string& key, const json& value,
                 detail::raw_record& raw) {
  using detail::senml_label;
  auto label = detail::label_of(key);
  raw.note_key(key);
  if (value.is_string()) {
    raw.set_string(label, value.get_ref<const std::string&>());
  } else if (value.is_number()) {
    auto x = value.get<double>();
    raw.set_number(label, x);
    if (label == senml_label::bver && x > senml_version)
      raw.bver_text = value.dump();
  } else if (value.is_boolean()) {
    raw.set_bool(label, value.get<bool>());
  } else {
    raw.set_other(label);
  }
}

} // namespace

bool valid_senml_name(std::string_view name) {
  if (name.empty() || !alnum(name.front()))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return alnum(c) || c == '-' || c == ':' || c == '.' || c == '/'
           || c == '_';
  });
}

senml_pack resolve_senml(const json& pack, double now_s) {
  detail::senml_resolver resolver{now_s};
  if (!pack.is_array()) {
    resolver.fail(reject_reason::malformed_payload,
                  "a SenML pack is a JSON array");
    return std::move(resolver.finish());
  }
  detail::raw_record raw;
  for (size_t i = 0; i < pack.size(); ++i) {
    const auto& r = pack[i];
    if (!r.is_object()) {
      resolver.add_not_object(i);
      continue;
    }
    raw.clear();
    for (const auto& [key, value] : r.items())
      read_member(key, value, raw);
    resolver.add(i, raw);
  }
  return std::move(resolver.finish());
}

} // namespace citytwin::ingest
