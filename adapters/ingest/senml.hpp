// adapters/ingest/senml.hpp
#pragma once

#include "adapters/ingest/reject_reason.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::ingest {

/// One resolved SenML record (RFC 8428 section 4.6): base fields folded
/// in, absolute time, sorted by time within its pack.
struct senml_record {
  std::string name; ///< base name + name
  std::string unit; ///< `u`, else `bu`, else empty
  double time_s = 0; ///< Unix seconds
  std::optional<double> value; ///< `v` + `bv`
  std::optional<double> sum;   ///< `s` + `bs`
  std::optional<bool> bool_value;   ///< `vb`
  std::optional<std::string> text;  ///< `vs`, or `vd` (base64url)
  size_t index = 0; ///< position in the pack, for messages
};

/// A record the resolver dropped, and why.
struct senml_rejection {
  size_t index = 0; ///< position in the pack
  reject_reason reason = reject_reason::malformed_payload;
  std::string detail;
};

/// A resolved pack. If `failed` is set, the whole pack was unusable
/// (not an array, unsupported version, must-understand field) and
/// `records` is empty; otherwise bad records are in `rejected` and every
/// good one is kept.
struct senml_pack {
  std::vector<senml_record> records;
  std::vector<senml_rejection> rejected;
  std::optional<senml_rejection> failed;
  /// Set only by `parse_senml(..., true)`: the text is an array of NGSI-LD
  /// entities (its first element has an `id`), not a pack; nothing else
  /// was read.
  bool is_ngsi_ld = false;
};

/// The highest SenML version (`bver`) this resolver understands.
constexpr int senml_version = 10;

/// Times below 2^28 s are relative to now (RFC 8428 section 4.5.3).
constexpr double senml_relative_limit = 268'435'456.0;

/// Resolves a parsed SenML JSON pack (a DOM). `now_s` (Unix seconds)
/// anchors relative times; the resolver never reads the clock itself.
senml_pack resolve_senml(const nlohmann::json& pack, double now_s);

/// Parses and resolves SenML JSON text in one pass, with nlohmann's SAX
/// reader straight into records (no DOM; same results as `resolve_senml`
/// of the parsed document). Malformed JSON fails the pack. With
/// `detect_ngsi`, an array whose first element is an object with an `id`
/// member stops the reader and comes back as `is_ngsi_ld`.
senml_pack parse_senml(std::string_view text, double now_s,
                       bool detect_ngsi = false);

namespace detail {
class senml_reader;
} // namespace detail

/// Reads SenML JSON text as `parse_senml` does, keeping its buffers from
/// one pack to the next, so that a decoder reading a stream of packs does
/// not allocate per record. Not thread-safe: one per decoder.
class senml_parser {
public:
  senml_parser();
  ~senml_parser();
  senml_parser(senml_parser&&) noexcept;
  senml_parser& operator=(senml_parser&&) noexcept;

  /// The pack of `text` (see `parse_senml`); valid until the next call.
  const senml_pack& parse(std::string_view text, double now_s,
                          bool detect_ngsi = false);

private:
  std::unique_ptr<detail::senml_reader> reader_;
};

/// True for names RFC 8428 allows: `A-Z a-z 0-9 - : . / _`, starting with
/// a letter or digit.
bool valid_senml_name(std::string_view name);

} // namespace citytwin::ingest
