// twin/import/sumo_tl_programs.hpp
#pragma once

#include "twin/import/sumo_network.hpp"

#include <caf/expected.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::twin::import {

/// What reading an additional file's traffic-light programs did.
struct sumo_tl_programs_report {
  size_t num_programs = 0;           ///< `<tlLogic>`s added (each now active)
  size_t num_other_elements = 0;     ///< busStops, vTypes, ...: not for us
  std::vector<std::string> warnings; ///< `file:line: message`
};

/// Adds the `<tlLogic>` programs of a SUMO additional file (as `sumo -a`
/// does) to `net` and recomputes what depends on them: phase counts,
/// green shares, cycles and capacities. SUMO 1.15's rules: each program
/// becomes the active one of its tl id when loaded (the last loaded wins);
/// an id+programID already loaded, an id the net does not use, or a phase
/// state shorter than the links it must cover is an error. On error
/// (errc::invalid_city, every problem as `file:line: message`) `net` is
/// unchanged. WAUT switching is not modelled (a warning).
caf::expected<sumo_tl_programs_report>
read_sumo_tl_programs(std::istream& in, std::string_view file_name,
                      sumo_network& net);

/// Reads an additional file from disk; errc::io_failure if it cannot be
/// opened.
caf::expected<sumo_tl_programs_report>
load_sumo_tl_programs(const std::string& path, sumo_network& net);

} // namespace citytwin::twin::import
