// adapters/ingest/senml.cpp
#include "adapters/ingest/senml.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace citytwin::ingest {

namespace {

using json = nlohmann::json;

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9');
}

bool base64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return alnum(c) || c == '-' || c == '_' || c == '=';
  });
}

// The base fields in force, carried from record to record.
struct base_fields {
  std::string name;
  std::string unit;
  double time = 0;
  double value = 0;
  double sum = 0;
  bool has_sum = false;
};

// Reads an optional member of one JSON type; false on a wrong type.
template <class T>
bool read(const json& record, const char* label, std::optional<T>& out) {
  auto i = record.find(label);
  if (i == record.end())
    return true;
  if constexpr (std::is_same_v<T, double>) {
    if (!i->is_number())
      return false;
    out = i->get<double>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!i->is_boolean())
      return false;
    out = i->get<bool>();
  } else {
    if (!i->is_string())
      return false;
    out = i->get_ref<const std::string&>();
  }
  return true;
}

// All labels of one record, typed.
struct raw_record {
  std::optional<std::string> bn, bu, n, u, vs, vd;
  std::optional<double> bt, bv, bs, bver, t, v, s, ut;
  std::optional<bool> vb;

  // The first base label with a wrong JSON type, or nullptr.
  const char* read_base(const json& r) {
    if (!read(r, "bn", bn))
      return "bn";
    if (!read(r, "bu", bu))
      return "bu";
    if (!read(r, "bt", bt))
      return "bt";
    if (!read(r, "bv", bv))
      return "bv";
    if (!read(r, "bs", bs))
      return "bs";
    if (!read(r, "bver", bver))
      return "bver";
    return nullptr;
  }

  // The first other label with a wrong JSON type, or nullptr.
  const char* read_rest(const json& r) {
    if (!read(r, "n", n))
      return "n";
    if (!read(r, "u", u))
      return "u";
    if (!read(r, "vs", vs))
      return "vs";
    if (!read(r, "vd", vd))
      return "vd";
    if (!read(r, "t", t))
      return "t";
    if (!read(r, "v", v))
      return "v";
    if (!read(r, "s", s))
      return "s";
    if (!read(r, "ut", ut))
      return "ut";
    if (!read(r, "vb", vb))
      return "vb";
    return nullptr;
  }
};

std::optional<senml_rejection> must_understand(const json& record,
                                               size_t index) {
  for (const auto& [label, value] : record.items())
    if (!label.empty() && label.back() == '_')
      return senml_rejection{index, reject_reason::unsupported,
                             "must-understand field '" + label + "'"};
  return std::nullopt;
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
  senml_pack result;
  if (!pack.is_array()) {
    result.failed = {0, reject_reason::malformed_payload,
                     "a SenML pack is a JSON array"};
    return result;
  }
  // Pack-level checks first: an unknown version or a must-understand
  // field makes every record's meaning uncertain.
  for (size_t i = 0; i < pack.size(); ++i) {
    const auto& r = pack[i];
    if (!r.is_object())
      continue;
    if (auto failed = must_understand(r, i)) {
      result.failed = std::move(failed);
      return result;
    }
    auto bver = r.find("bver");
    if (bver != r.end() && bver->is_number()
        && bver->get<double>() > senml_version) {
      result.failed = {i, reject_reason::unsupported,
                       "SenML version " + bver->dump()};
      return result;
    }
  }
  result.records.reserve(pack.size());
  base_fields base;
  auto reject = [&](size_t i, reject_reason why, std::string detail) {
    result.rejected.push_back({i, why, std::move(detail)});
  };
  for (size_t i = 0; i < pack.size(); ++i) {
    const auto& r = pack[i];
    if (!r.is_object()) {
      reject(i, reject_reason::wrong_type, "a SenML record is a JSON object");
      continue;
    }
    raw_record raw;
    auto wrong_type = [&](const char* label) {
      reject(i, reject_reason::wrong_type,
             std::string{"wrong JSON type for '"} + label + "'");
    };
    if (const char* label = raw.read_base(r)) {
      wrong_type(label);
      continue;
    }
    // Base fields apply to this record and all later ones, even when
    // another field of this record is broken.
    if (raw.bn)
      base.name = *raw.bn;
    if (raw.bu)
      base.unit = *raw.bu;
    if (raw.bt)
      base.time = *raw.bt;
    if (raw.bv)
      base.value = *raw.bv;
    if (raw.bs) {
      base.sum = *raw.bs;
      base.has_sum = true;
    }
    if (const char* label = raw.read_rest(r)) {
      wrong_type(label);
      continue;
    }
    senml_record x;
    x.index = i;
    x.name = base.name + raw.n.value_or("");
    if (!valid_senml_name(x.name)) {
      reject(i, reject_reason::bad_name, "invalid SenML name '" + x.name + "'");
      continue;
    }
    x.unit = raw.u ? *raw.u : base.unit;
    x.time_s = base.time + raw.t.value_or(0);
    if (!std::isfinite(x.time_s)) {
      reject(i, reject_reason::not_finite, x.name + ": time is not finite");
      continue;
    }
    if (x.time_s < senml_relative_limit)
      x.time_s += now_s;
    int num_values = raw.v.has_value() + raw.vs.has_value()
                     + raw.vb.has_value() + raw.vd.has_value();
    if (num_values > 1) {
      reject(i, reject_reason::wrong_type,
             x.name + ": more than one of v, vs, vb, vd");
      continue;
    }
    if (raw.s || (base.has_sum && num_values == 0))
      x.sum = base.sum + raw.s.value_or(0);
    if (num_values == 0 && !x.sum) {
      reject(i, reject_reason::missing_value, x.name + ": no value");
      continue;
    }
    if (raw.v)
      x.value = base.value + *raw.v;
    x.bool_value = raw.vb;
    if (raw.vd && !base64url(*raw.vd)) {
      reject(i, reject_reason::wrong_type, x.name + ": vd is not base64url");
      continue;
    }
    x.text = raw.vs ? raw.vs : raw.vd;
    if ((x.value && !std::isfinite(*x.value))
        || (x.sum && !std::isfinite(*x.sum))) {
      reject(i, reject_reason::not_finite, x.name + ": value is not finite");
      continue;
    }
    result.records.push_back(std::move(x));
  }
  std::stable_sort(result.records.begin(), result.records.end(),
                   [](const senml_record& a, const senml_record& b) {
                     return a.time_s < b.time_s;
                   });
  return result;
}

senml_pack parse_senml(std::string_view text, double now_s) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    senml_pack result;
    result.failed = {0, reject_reason::malformed_payload, "malformed JSON"};
    return result;
  }
  return resolve_senml(doc, now_s);
}

} // namespace citytwin::ingest
