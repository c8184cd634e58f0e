// twin/import/sumo_signals.hpp
#pragma once

#include "twin/import/sumo_network.hpp"
#include "twin/import/xml_reader.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace citytwin::twin::import::detail {

/// Where parsers report a problem: the line and the message.
using problem_sink = std::function<void(size_t, std::string)>;

/// Reads a `<tlLogic>` start tag (net or additional file); `file` names
/// its source. nullopt (and a problem) without an id or with a bad offset.
std::optional<sumo_tl_logic> read_tl_logic(const xml_element& e,
                                           std::string_view file,
                                           const problem_sink& problem);

/// Reads a `<phase>` tag; nullopt (and a problem) without a numeric
/// duration or a state.
std::optional<sumo_phase> read_phase(const xml_element& e,
                                     const problem_sink& problem);

/// Checks `net.tl_logics[first..]` as SUMO does when it loads them: an
/// id+programID loaded twice, no phases, a cycle of 0 s, or a phase state
/// shorter than the highest linkIndex naming the program is a problem
/// (`source: message`). More than 63 phases is a warning (the twin's
/// intersection record keeps 63).
void check_programs(const sumo_network& net, size_t first,
                    std::vector<std::string>& problems,
                    std::vector<std::string>& warnings);

/// Recomputes everything that depends on the programs: the active one of
/// each tl id (the last loaded), the phase count of each traffic-light
/// intersection, each segment's green share, cycle and capacity, and the
/// report's signal counts. Rebuilds `net.roads` with the new values.
/// @pre `check_programs` found no problem.
void apply_signals(sumo_network& net);

} // namespace citytwin::twin::import::detail
