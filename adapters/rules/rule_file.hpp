// adapters/rules/rule_file.hpp
#pragma once

// Reads a tenant's rule file (YAML, format: `data/rules/README.md`) into
// the plain model of `twin/rules/rule.hpp`. What the file alone can tell
// is checked here: keys, types, names, ranges, durations, references
// between a rule's clauses and actions, kinds and their attributes.
// Whether named entities exist in the city is `compile`'s business.

#include "twin/error.hpp"
#include "twin/rules/rule.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace citytwin::rules {

/// Largest rule file read: 20,000 rules of a few lines each fit easily,
/// and a file this size is a mistake, not a rule set.
constexpr size_t max_rule_file_bytes = size_t{4} * 1024 * 1024;

/// Parses YAML text; `origin` names it in messages and in the result.
/// Entity URNs must name the city `city_name`. Startup input, so every
/// problem is reported at once, one `origin:line: message` per line, in an
/// `invalid_config` error; text over `max_rule_file_bytes` is refused
/// unread.
caf::expected<rule_set> parse_rule_file(std::string_view yaml_text,
                                        std::string_view origin,
                                        std::string_view city_name);

/// Reads and parses the file at `path`. A file over `max_rule_file_bytes`
/// is refused (`invalid_config`) before it is read; a file that cannot be
/// opened or read is `io_failure`.
caf::expected<rule_set> load_rule_file(const std::string& path,
                                       std::string_view city_name);

} // namespace citytwin::rules
