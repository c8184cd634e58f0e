// adapters/archive/export_report.hpp
#pragma once

#include <cstdint>

namespace citytwin::archive {

/// What an export wrote, for its output line and the audit log.
struct export_report {
  uint64_t bytes = 0;   ///< of the file written
  uint64_t samples = 0; ///< CSV rows, or values in GeoJSON properties
  uint64_t items = 0;   ///< streams (CSV) or features (GeoJSON)
};

} // namespace citytwin::archive
