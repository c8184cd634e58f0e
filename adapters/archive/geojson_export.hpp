// adapters/archive/geojson_export.hpp
#pragma once

#include "adapters/archive/created_ids.hpp"
#include "adapters/archive/export_report.hpp"

#include "twin/city.hpp"
#include "twin/reading.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace citytwin::archive {

/// Writes every entity of `c` as a GeoJSON (RFC 7946) FeatureCollection
/// to `output`: one Feature per entity, `id` its URN, a Point (an
/// intersection, a thing) or a LineString (a road segment, from one
/// intersection through its shape to the other), and `properties`: `type`
/// (the NGSI-LD type), `name` when the city gives one, and per quantity in
/// `latest` (the newest archived sample of each stream, as
/// `read_latest_state` gives them) `{"value", "observedAt", "unit"}` under
/// the quantity's NGSI-LD name. Then the entities the tenant has beyond
/// its city file: those the unknown-id policy created (`created`, no
/// geometry, `external` the id they were created for, and their newest
/// values) and those created through the API (`api_entities`, NGSI-LD
/// documents: geometry from a GeoJSON `location`, other attributes by
/// value or object). Written feature by feature to `output` + ".tmp",
/// fsynced, renamed.
caf::expected<export_report>
write_geojson(const twin::city& c, const twin::reading_batch& latest,
              const std::vector<created_binding>& created,
              const std::vector<nlohmann::json>& api_entities,
              const std::filesystem::path& output);

} // namespace citytwin::archive
