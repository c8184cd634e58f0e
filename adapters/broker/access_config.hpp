// adapters/broker/access_config.hpp
#pragma once

#include "twin/access.hpp"
#include "twin/error.hpp"

#include <string>
#include <string_view>

namespace citytwin::broker {

/// Reads the access configuration: tenants, sharing rules, tokens and API
/// keys (format: `data/access/README.md`). Startup input, so every problem
/// is reported at once, one `origin:line: message` per line, in an
/// `invalid_config` error. Messages name tenants, tokens and keys but never
/// show a secret or a hash.

/// Reads a file. A tenant's relative `city` path is resolved against the
/// file's folder and must exist.
caf::expected<twin::access_config> load_access_config(const std::string& path);

/// Parses YAML text; `origin` names it in messages. `city` paths are kept
/// as written and not checked.
caf::expected<twin::access_config>
parse_access_config(std::string_view yaml_text, std::string_view origin);

} // namespace citytwin::broker
