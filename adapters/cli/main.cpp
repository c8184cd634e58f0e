// adapters/cli/main.cpp: the `citytwin` command. Thin: every subcommand
// lives in its own file and only wires the libraries together.
#include "adapters/cli/commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"citytwin: a live digital twin of a city, built on CAF"};
  app.require_subcommand(1);
  citytwin::cli::add_serve(app);
  citytwin::cli::add_generate_city(app);
  citytwin::cli::add_inspect(app);
  citytwin::cli::add_assign(app);
  citytwin::cli::add_import_network(app);
  citytwin::cli::add_replay(app);
  citytwin::cli::add_watch(app);
  citytwin::cli::add_token(app);
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
