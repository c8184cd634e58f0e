// actors/atoms.hpp
#pragma once

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

// Atom texts are at most 10 characters and unique across the project: two
// atoms with the same text are the same type. The `ct_` prefix keeps ours
// apart from CAF's built-ins (get, put, subscribe, flush, tick, ...), which
// we use as they are where they fit.
CAF_ADD_ATOM(citytwin, citytwin::actors, observe_atom, "ct_observe")
CAF_ADD_ATOM(citytwin, citytwin::actors, stats_atom, "ct_stats")
CAF_ADD_ATOM(citytwin, citytwin::actors, reject_atom, "ct_reject")
CAF_ADD_ATOM(citytwin, citytwin::actors, start_atom, "ct_start")
CAF_ADD_ATOM(citytwin, citytwin::actors, create_atom, "ct_create")
CAF_ADD_ATOM(citytwin, citytwin::actors, command_atom, "ct_command")
CAF_ADD_ATOM(citytwin, citytwin::actors, ack_atom, "ct_ack")
CAF_ADD_ATOM(citytwin, citytwin::actors, rules_atom, "ct_rules")
CAF_ADD_ATOM(citytwin, citytwin::actors, fork_atom, "ct_fork")
CAF_ADD_ATOM(citytwin, citytwin::actors, outcome_atom, "ct_outcome")
CAF_ADD_ATOM(citytwin, citytwin::actors, issue_atom, "ct_issue")
CAF_ADD_ATOM(citytwin, citytwin::actors, apply_atom, "ct_apply")
CAF_ADD_ATOM(citytwin, citytwin::actors, heartbeat_atom, "ct_beat")
CAF_ADD_ATOM(citytwin, citytwin::actors, shard_atom, "ct_shard")
CAF_ADD_ATOM(citytwin, citytwin::actors, move_atom, "ct_move")
CAF_ADD_ATOM(citytwin, citytwin::actors, adopt_atom, "ct_adopt")
