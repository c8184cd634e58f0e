// adapters/ingest/senml_resolver.hpp
#pragma once

// Internals of the SenML reader, shared by its two front ends: the DOM one
// (`resolve_senml`, an nlohmann::json document) and the SAX one
// (`parse_senml`, JSON text straight into records). Both fill one
// `raw_record` per JSON object of the pack and hand it to one
// `senml_resolver`, so they cannot differ in what they accept.

#include "adapters/ingest/senml.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::ingest::detail {

/// The labels of a record the resolver reads, in the order their JSON
/// types are checked: base fields first. `other` is every other label.
enum class senml_label : uint8_t {
  bn, bu, bt, bv, bs, bver, n, u, vs, vd, t, v, s, ut, vb, other,
};

/// Number of base labels (`bn` .. `bver`), which come first.
constexpr size_t num_base_labels = 6;

/// Number of labels the resolver reads (all but `other`).
constexpr size_t num_labels = 15;

senml_label label_of(std::string_view key);

/// One record's labels as found in JSON, before resolution. Each label is
/// absent, holds a value of its JSON type, or has the wrong type; a later
/// occurrence of a label replaces an earlier one (nlohmann's DOM keeps the
/// last duplicate too). Reused from record to record: `clear` keeps the
/// strings' capacity.
struct raw_record {
  std::string bn;
  std::string bu;
  std::string n;
  std::string u;
  std::string vs;
  std::string vd;
  double bt = 0;
  double bv = 0;
  double bs = 0;
  double bver = 0;
  double t = 0;
  double v = 0;
  double s = 0;
  double ut = 0;
  bool vb = false;
  uint32_t present = 0; ///< bit per label holding a value
  uint32_t wrong = 0;   ///< bit per label of the wrong JSON type
  /// `bver` as JSON text; meaningful only while `bver > senml_version`.
  std::string bver_text;
  /// The smallest label ending in `_` (a must-understand field), if any.
  std::string must_understand;

  void clear();

  bool has(senml_label x) const {
    return (present & bit(x)) != 0;
  }

  /// Notes a label for the must-understand check.
  void note_key(std::string_view key);

  void set_string(senml_label x, std::string_view value);
  void set_number(senml_label x, double value);
  void set_bool(senml_label x, bool value);
  /// A null, object or array value: the wrong type for every label.
  void set_other(senml_label x);

  static uint32_t bit(senml_label x) {
    return uint32_t{1} << static_cast<uint32_t>(x);
  }

private:
  void mark(senml_label x, bool ok);
};

/// Resolves records in pack order: base fields carried from record to
/// record, pack-level failures (must-understand field, newer version),
/// per-record rejections, sorting by time. Reusable: `reset` starts the
/// next pack and keeps every buffer, so that a stream of packs does not
/// allocate per record.
class senml_resolver {
public:
  /// `now_s` (Unix seconds) anchors relative times.
  explicit senml_resolver(double now_s) : now_s_(now_s) {
    // nop
  }

  /// Starts a new pack; the one `finish` returned before is cleared.
  void reset(double now_s);

  /// Adds the JSON object at position `index` of the pack.
  void add(size_t index, const raw_record& raw);

  /// Adds an element at `index` that is not a JSON object.
  void add_not_object(size_t index);

  /// The pack as a whole is unusable (malformed JSON, not an array).
  void fail(reject_reason why, std::string detail);

  /// The resolved pack; only `failed` if it failed. Valid (and movable
  /// from) until the next `reset`.
  senml_pack& finish();

private:
  struct base_fields {
    std::string name;
    std::string unit;
    double time = 0;
    double value = 0;
    double sum = 0;
    bool has_sum = false;
  };

  void reject(size_t index, reject_reason why, std::string detail);
  // The first pack-level failure in record `index`, if any.
  bool check_pack_level(size_t index, const raw_record& raw);

  // A record to fill, with the string buffers of an earlier one.
  senml_record take_spare();

  double now_s_;
  base_fields base_;
  senml_pack result_;
  std::vector<senml_record> spare_;
};

} // namespace citytwin::ingest::detail
