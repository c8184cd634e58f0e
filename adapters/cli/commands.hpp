// adapters/cli/commands.hpp
#pragma once

#include <CLI/CLI.hpp>

namespace citytwin::cli {

/// Registers `citytwin serve`: the twin with its feed, the viewer, the
/// NGSI-LD broker and the MQTT ingest in one process.
void add_serve(CLI::App& app);

} // namespace citytwin::cli
