// adapters/ingest/units.hpp
#pragma once

#include "twin/quantity.hpp"

#include <optional>
#include <string_view>

namespace citytwin::ingest {

/// Converts `value`, given in SenML unit `unit`, to the unit of `q`
/// (`info(q).unit`). An empty unit means "already in the quantity's unit".
/// nullopt when there is no conversion: a unit mix-up must not enter the
/// twin. The table is small on purpose and documented in
/// adapters/README.md; neither SenML nor NGSI-LD defines one.
std::optional<double> to_quantity_unit(double value, std::string_view unit,
                                       twin::quantity q);

/// The SenML unit of an NGSI-LD `unitCode` (UN/CEFACT common code), e.g.
/// `CEL` -> `Cel`, `GQ` -> `ug/m3`; nullopt for codes citytwin does not
/// know.
std::optional<std::string_view> senml_unit_of(std::string_view unit_code);

} // namespace citytwin::ingest
