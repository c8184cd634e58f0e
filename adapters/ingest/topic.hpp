// adapters/ingest/topic.hpp
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace citytwin::ingest {

/// The parts of a topic `<root>/<tenant>/<kind>/<sensor-id>`.
struct topic_parts {
  std::string_view tenant;
  std::string_view kind;
  std::string_view sensor;
};

/// Splits a topic of the scheme `<root>/<tenant>/<kind>/<sensor-id>`:
/// exactly four non-empty levels, no wildcards, no control characters
/// (a CR from a CRLF file ends up in topics otherwise). nullopt else.
std::optional<topic_parts> parse_topic(std::string_view topic,
                                       std::string_view root = "city");

/// The subscription filter for one tenant: `<root>/<tenant>/+/+`.
std::string topic_filter(std::string_view tenant,
                         std::string_view root = "city");

/// The topic for one sensor: `<root>/<tenant>/<kind>/<sensor>`.
std::string make_topic(std::string_view tenant, std::string_view kind,
                       std::string_view sensor,
                       std::string_view root = "city");

} // namespace citytwin::ingest
