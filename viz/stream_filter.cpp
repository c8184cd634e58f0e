// viz/stream_filter.cpp
#include "viz/stream_filter.hpp"

#include "twin/bearer.hpp"
#include "twin/error.hpp"
#include "twin/percent.hpp"
#include "twin/text.hpp"

#include <cctype>
#include <cstdio>
#include <vector>

namespace citytwin::viz {

namespace {

caf::error bad(std::string message) {
  return caf::make_error(twin::errc::invalid_config, std::move(message));
}

caf::expected<geo_box> parse_bbox(std::string_view text) {
  auto parts = twin::split(text, ',');
  if (parts.size() != 4)
    return bad("bbox needs minLon,minLat,maxLon,maxLat, got '"
               + std::string{text} + "'");
  double v[4];
  for (size_t i = 0; i < 4; ++i) {
    if (!twin::parse_number(parts[i], v[i]))
      return bad("bbox value '" + std::string{parts[i]} + "' is no number");
  }
  geo_box result{{v[0], v[1]}, {v[2], v[3]}};
  if (!twin::valid(result.min) || !twin::valid(result.max)
      || result.min.lon > result.max.lon || result.min.lat > result.max.lat)
    return bad("bbox '" + std::string{text}
               + "' is not a WGS84 box with min <= max");
  return result;
}

caf::expected<uint32_t> parse_kinds(std::string_view text) {
  uint32_t result = 0;
  for (auto name : twin::split(text, ',')) {
    auto kind = twin::parse_entity_kind(name);
    if (!kind)
      return bad("unknown kind '" + std::string{name} + "'");
    result |= uint32_t{1} << static_cast<int>(*kind);
  }
  return result;
}

} // namespace

std::string url_encode(std::string_view text) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  std::string result;
  result.reserve(text.size());
  for (char ch : text) {
    auto byte = static_cast<unsigned char>(ch);
    if (std::isalnum(byte) || ch == '-' || ch == '.' || ch == '_'
        || ch == '~') {
      result += ch;
    } else {
      result += '%';
      result += hex[byte >> 4];
      result += hex[byte & 0xF];
    }
  }
  return result;
}

std::optional<std::string> url_decode(std::string_view text) {
  return twin::percent_decode(text, twin::plus_sign::space);
}

std::string selection_key(const stream_filter& filter) {
  std::string result = std::to_string(filter.kinds);
  if (filter.bbox) {
    char box[128];
    std::snprintf(box, sizeof box, ",%.17g,%.17g,%.17g,%.17g",
                  filter.bbox->min.lon, filter.bbox->min.lat,
                  filter.bbox->max.lon, filter.bbox->max.lat);
    result += box;
  }
  return result;
}

caf::expected<stream_filter> parse_stream_filter(std::string_view query) {
  stream_filter result;
  if (query.empty())
    return result;
  for (auto pair : twin::split(query, '&')) {
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = pair.substr(0, eq);
    auto raw = eq == std::string_view::npos ? std::string_view{}
                                            : pair.substr(eq + 1);
    auto value = url_decode(raw);
    if (!value)
      return bad("malformed escape in '" + std::string{pair} + "'");
    if (key == "format") {
      if (*value == "json")
        result.format = frame_format::json;
      else if (*value == "proto")
        result.format = frame_format::proto;
      else
        return bad("unknown format '" + *value + "' (proto or json)");
    } else if (key == "kinds") {
      auto kinds = parse_kinds(*value);
      if (!kinds)
        return kinds.error();
      result.kinds = *kinds;
    } else if (key == "bbox") {
      auto box = parse_bbox(*value);
      if (!box)
        return box.error();
      result.bbox = *box;
    } else if (key == "token") {
      result.token = std::move(*value);
    } else if (key == "tenant") {
      result.tenant = std::move(*value);
    } else {
      return bad("unknown filter '" + std::string{key}
                 + "' (format, kinds, bbox, token, tenant)");
    }
  }
  return result;
}

std::string request_token(const http_request& req) {
  if (auto bearer = twin::bearer_token(req.authorization))
    return std::string{*bearer};
  auto query = parse_stream_filter(req.query);
  return query && query->token ? *query->token : std::string{};
}

} // namespace citytwin::viz
