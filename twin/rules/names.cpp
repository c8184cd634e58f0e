// twin/rules/names.cpp
#include "twin/rules/outputs.hpp"

namespace citytwin::rules {

std::string_view to_string(severity x) {
  switch (x) {
    case severity::info:
      return "info";
    case severity::warning:
      return "warning";
    case severity::critical:
      return "critical";
  }
  return "warning";
}

std::string_view to_string(recommendation x) {
  switch (x) {
    case recommendation::collection_route:
      return "collection_route";
    case recommendation::divert_heavy_traffic:
      return "divert_heavy_traffic";
    case recommendation::guide_to_nearest_free:
      return "guide_to_nearest_free";
    case recommendation::notice:
      return "notice";
  }
  return "notice";
}

} // namespace citytwin::rules
