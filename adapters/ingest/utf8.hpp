// adapters/ingest/utf8.hpp
#pragma once

#include <string_view>

namespace citytwin::ingest {

/// True if `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no
/// surrogates, nothing above U+10FFFF. MQTT requires it of topics, JSON of
/// payloads.
bool valid_utf8(std::string_view text);

} // namespace citytwin::ingest
