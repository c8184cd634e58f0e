// twin/broker/ngsi_query.hpp
#pragma once

#include "twin/broker/q_ast.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// Longest `q` text accepted; longer input is refused before parsing.
constexpr size_t max_q_length = 4096;

/// Deepest parenthesis nesting accepted, so that parsing and evaluation
/// can never exhaust the stack.
constexpr size_t max_q_depth = 32;

/// A parsed NGSI-LD query expression (ETSI GS CIM 009 clause 4.9).
///
/// A default-constructed query is empty and matches every entity, which
/// is what a subscription or request without `q` means.
class q_query {
public:
  q_query() = default;

  /// True if the entity (normalized NGSI-LD JSON) satisfies the query.
  /// Never throws: a value of the wrong type simply does not match.
  bool matches(const nlohmann::json& entity) const;

  /// The attribute names the query mentions (first path segment), in order
  /// of first appearance, for watchedAttributes defaults.
  std::vector<std::string> attributes() const;

  /// The text the query was parsed from.
  const std::string& text() const {
    return text_;
  }

  /// True if the query has no expression (matches everything).
  bool empty() const {
    return empty_;
  }

  /// @private Used by the parser.
  q_query(std::string text, detail::q_node root)
      : text_(std::move(text)), root_(std::move(root)), empty_(false) {
  }

private:
  std::string text_;
  detail::q_node root_;
  bool empty_ = true;
};

/// Parses q text (already URL-decoded). Errors are `malformed_payload`
/// with the context `q: <what> at <offset>`, the offset counting bytes
/// from 0.
caf::expected<q_query> parse_q(std::string_view text);

} // namespace citytwin::broker
