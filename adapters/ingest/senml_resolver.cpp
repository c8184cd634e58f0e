// adapters/ingest/senml_resolver.cpp
#include "adapters/ingest/senml_resolver.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace citytwin::ingest::detail {

namespace {

using label = senml_label;

constexpr std::array<std::string_view, num_labels> label_names = {
  "bn", "bu", "bt", "bv", "bs", "bver", "n", "u",
  "vs", "vd", "t",  "v",  "s",  "ut",   "vb",
};

bool string_label(label x) {
  return x == label::bn || x == label::bu || x == label::n || x == label::u
         || x == label::vs || x == label::vd;
}

bool base64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '=';
  });
}

// The first label of [first, last) with the wrong JSON type, or nullptr.
const char* first_wrong(const raw_record& raw, size_t first, size_t last) {
  for (size_t i = first; i < last; ++i)
    if ((raw.wrong & (uint32_t{1} << i)) != 0)
      return label_names[i].data();
  return nullptr;
}

} // namespace

senml_label label_of(std::string_view key) {
  for (size_t i = 0; i < num_labels; ++i)
    if (label_names[i] == key)
      return static_cast<label>(i);
  return label::other;
}

void raw_record::clear() {
  present = 0;
  wrong = 0;
  must_understand.clear();
}

void raw_record::note_key(std::string_view key) {
  if (key.empty() || key.back() != '_')
    return;
  if (must_understand.empty() || key < must_understand)
    must_understand = key;
}

void raw_record::mark(senml_label x, bool ok) {
  if (x == label::other)
    return;
  auto b = bit(x);
  present = ok ? present | b : present & ~b;
  wrong = ok ? wrong & ~b : wrong | b;
}

void raw_record::set_string(senml_label x, std::string_view value) {
  mark(x, string_label(x));
  switch (x) {
    case label::bn:
      bn = value;
      break;
    case label::bu:
      bu = value;
      break;
    case label::n:
      n = value;
      break;
    case label::u:
      u = value;
      break;
    case label::vs:
      vs = value;
      break;
    case label::vd:
      vd = value;
      break;
    default:
      break;
  }
}

void raw_record::set_number(senml_label x, double value) {
  bool ok = x != label::other && x != label::vb && !string_label(x);
  mark(x, ok);
  switch (x) {
    case label::bt:
      bt = value;
      break;
    case label::bv:
      bv = value;
      break;
    case label::bs:
      bs = value;
      break;
    case label::bver:
      bver = value;
      break;
    case label::t:
      t = value;
      break;
    case label::v:
      v = value;
      break;
    case label::s:
      s = value;
      break;
    case label::ut:
      ut = value;
      break;
    default:
      break;
  }
}

void raw_record::set_bool(senml_label x, bool value) {
  mark(x, x == label::vb);
  if (x == label::vb)
    vb = value;
}

void raw_record::set_other(senml_label x) {
  mark(x, false);
}

void senml_resolver::reset(double now_s) {
  now_s_ = now_s;
  for (auto& x : result_.records)
    spare_.push_back(std::move(x));
  result_.records.clear();
  result_.rejected.clear();
  result_.failed.reset();
  result_.is_ngsi_ld = false;
  base_.name.clear();
  base_.unit.clear();
  base_.time = 0;
  base_.value = 0;
  base_.sum = 0;
  base_.has_sum = false;
}

senml_record senml_resolver::take_spare() {
  if (spare_.empty())
    return {};
  auto result = std::move(spare_.back());
  spare_.pop_back();
  result.value.reset();
  result.sum.reset();
  result.bool_value.reset();
  result.text.reset();
  return result;
}

void senml_resolver::reject(size_t index, reject_reason why,
                            std::string detail) {
  result_.rejected.push_back({index, why, std::move(detail)});
}

void senml_resolver::fail(reject_reason why, std::string detail) {
  if (!result_.failed)
    result_.failed = senml_rejection{0, why, std::move(detail)};
}

bool senml_resolver::check_pack_level(size_t index, const raw_record& raw) {
  // An unknown version or a must-understand field makes every record's
  // meaning uncertain: the whole pack fails.
  if (!raw.must_understand.empty()) {
    result_.failed = senml_rejection{index, reject_reason::unsupported,
                                     "must-understand field '"
                                       + raw.must_understand + "'"};
    return false;
  }
  if (raw.has(label::bver) && raw.bver > senml_version) {
    result_.failed = senml_rejection{index, reject_reason::unsupported,
                                     "SenML version " + raw.bver_text};
    return false;
  }
  return true;
}

void senml_resolver::add_not_object(size_t index) {
  if (!result_.failed)
    reject(index, reject_reason::wrong_type,
           "a SenML record is a JSON object");
}

void senml_resolver::add(size_t i, const raw_record& raw) {
  if (result_.failed || !check_pack_level(i, raw))
    return;
  auto wrong_type = [&](const char* name) {
    reject(i, reject_reason::wrong_type,
           std::string{"wrong JSON type for '"} + name + "'");
  };
  if (const char* name = first_wrong(raw, 0, num_base_labels)) {
    wrong_type(name);
    return;
  }
  // Base fields apply to this record and all later ones, even when
  // another field of this record is broken.
  if (raw.has(label::bn))
    base_.name = raw.bn;
  if (raw.has(label::bu))
    base_.unit = raw.bu;
  if (raw.has(label::bt))
    base_.time = raw.bt;
  if (raw.has(label::bv))
    base_.value = raw.bv;
  if (raw.has(label::bs)) {
    base_.sum = raw.bs;
    base_.has_sum = true;
  }
  if (const char* name = first_wrong(raw, num_base_labels, num_labels)) {
    wrong_type(name);
    return;
  }
  auto x = take_spare();
  x.index = i;
  x.name.assign(base_.name);
  if (raw.has(label::n))
    x.name += raw.n;
  if (!valid_senml_name(x.name)) {
    reject(i, reject_reason::bad_name, "invalid SenML name '" + x.name + "'");
    return;
  }
  x.unit.assign(raw.has(label::u) ? raw.u : base_.unit);
  x.time_s = base_.time + (raw.has(label::t) ? raw.t : 0);
  if (!std::isfinite(x.time_s)) {
    reject(i, reject_reason::not_finite, x.name + ": time is not finite");
    return;
  }
  if (x.time_s < senml_relative_limit)
    x.time_s += now_s_;
  bool has_v = raw.has(label::v);
  bool has_vs = raw.has(label::vs);
  bool has_vb = raw.has(label::vb);
  bool has_vd = raw.has(label::vd);
  int num_values = has_v + has_vs + has_vb + has_vd;
  if (num_values > 1) {
    reject(i, reject_reason::wrong_type,
           x.name + ": more than one of v, vs, vb, vd");
    return;
  }
  bool has_s = raw.has(label::s);
  if (has_s || (base_.has_sum && num_values == 0))
    x.sum = base_.sum + (has_s ? raw.s : 0);
  if (num_values == 0 && !x.sum) {
    reject(i, reject_reason::missing_value, x.name + ": no value");
    return;
  }
  if (has_v)
    x.value = base_.value + raw.v;
  if (has_vb)
    x.bool_value = raw.vb;
  if (has_vd && !base64url(raw.vd)) {
    reject(i, reject_reason::wrong_type, x.name + ": vd is not base64url");
    return;
  }
  if (has_vs)
    x.text = raw.vs;
  else if (has_vd)
    x.text = raw.vd;
  if ((x.value && !std::isfinite(*x.value))
      || (x.sum && !std::isfinite(*x.sum))) {
    reject(i, reject_reason::not_finite, x.name + ": value is not finite");
    return;
  }
  result_.records.push_back(std::move(x));
}

senml_pack& senml_resolver::finish() {
  if (result_.failed) {
    result_.records.clear();
    result_.rejected.clear();
    return result_;
  }
  auto by_time = [](const senml_record& a, const senml_record& b) {
    return a.time_s < b.time_s;
  };
  // Packs usually come in time order; stable_sort would allocate anyway.
  if (!std::is_sorted(result_.records.begin(), result_.records.end(),
                      by_time))
    std::stable_sort(result_.records.begin(), result_.records.end(),
                     by_time);
  return result_;
}

} // namespace citytwin::ingest::detail
