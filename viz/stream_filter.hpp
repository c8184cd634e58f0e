// viz/stream_filter.hpp
#pragma once

#include "twin/entity_kind.hpp"
#include "twin/geo.hpp"
#include "viz/http_server.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::viz {

/// A WGS84 box, min corner first.
struct geo_box {
  twin::geo_point min;
  twin::geo_point max;

  /// True if the boxes overlap (touching counts).
  bool intersects(const geo_box& other) const {
    return min.lon <= other.max.lon && other.min.lon <= max.lon
           && min.lat <= other.max.lat && other.min.lat <= max.lat;
  }
};

/// How a viewer wants its frames.
enum class frame_format : uint8_t {
  proto, ///< binary Protobuf `DeltaBatch` frames (twin/proto)
  json,  ///< text JSON frames, for debugging
};

/// What one viewer asked to see, from the query string of its URL:
/// `format=proto|json`, `kinds=street_lamp,road_segment,...` (snake_case
/// kind names) and `bbox=minLon,minLat,maxLon,maxLat`, plus who is asking:
/// `token=<secret>` and `tenant=<name>` (see `stream_access.hpp`). Unknown
/// keys, kinds or malformed boxes are errors, so typos do not silently
/// widen or empty a stream.
struct stream_filter {
  frame_format format = frame_format::proto;
  uint32_t kinds = 0; ///< bit (1 << kind); 0 = every kind
  std::optional<geo_box> bbox;
  /// The client's secret, decoded. The hub checks it when the stream
  /// opens and then forgets it.
  std::optional<std::string> token;
  /// The tenant whose data the client wants, decoded.
  std::optional<std::string> tenant;

  bool accepts(twin::entity_kind kind) const {
    return kinds == 0 || (kinds & (uint32_t{1} << static_cast<int>(kind)));
  }

  /// True if an entity of `kind` that covers `where` passes the filter.
  bool accepts(twin::entity_kind kind, const geo_box& where) const {
    return accepts(kind) && (!bbox || bbox->intersects(where));
  }
};

/// What of a filter selects entities: its kinds and box, exactly, as a
/// string; equal keys select the same entities (format, token and tenant
/// do not count).
std::string selection_key(const stream_filter& filter);

/// Parses a query string (without '?'); errc::invalid_config with a
/// message naming the offending key or value.
caf::expected<stream_filter> parse_stream_filter(std::string_view query);

/// The token of an HTTP request to the viewer port: `Authorization: Bearer
/// <token>` (any case of the scheme), else the `token` query parameter the
/// stream's page already uses; empty for none.
std::string request_token(const http_request& req);

/// Escapes everything but unreserved characters (RFC 3986) as %XX, for
/// query components.
std::string url_encode(std::string_view text);

/// Decodes %XX escapes and '+' of a query component; nullopt if an
/// escape is malformed.
std::optional<std::string> url_decode(std::string_view text);

} // namespace citytwin::viz
