// adapters/cli/main.cpp: the `citytwin` command. Thin: each subcommand
// lives beside what it drives and is only registered here.
#include "adapters/archive/erase_command.hpp"
#include "adapters/archive/export_command.hpp"
#include "adapters/archive/snapshot_command.hpp"
#include "adapters/broker/token_command.hpp"
#include "adapters/cli/commands.hpp"
#include "adapters/ngsi/history_command.hpp"
#include "adapters/replay/replay_command.hpp"
#include "scenarios/assignment/assign_command.hpp"
#include "scenarios/import_network_command.hpp"
#include "scenarios/scenario_command.hpp"
#include "twin/generate_city_command.hpp"
#include "viz/inspect_command.hpp"
#include "viz/watch_command.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"citytwin: a live digital twin of a city, built on CAF"};
  app.require_subcommand(1);
  citytwin::cli::add_serve(app);
  citytwin::twin::add_generate_city_command(app);
  citytwin::viz::add_inspect_command(app);
  citytwin::scenarios::assignment::add_assign_command(app);
  citytwin::scenarios::add_import_network_command(app);
  citytwin::scenarios::add_scenario_command(app);
  citytwin::replay::add_replay_command(app);
  citytwin::viz::add_watch_command(app);
  citytwin::broker::add_token_command(app);
  citytwin::ngsi::add_history_command(app);
  citytwin::archive::add_snapshot_commands(app);
  citytwin::archive::add_export_command(app);
  citytwin::archive::add_erase_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Subcommands report expected failures themselves and return codes;
    // anything reaching here is a bug or a system failure.
    std::cerr << "citytwin: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
