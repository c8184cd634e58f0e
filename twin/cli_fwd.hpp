// twin/cli_fwd.hpp
#pragma once

// CLI11's application, declared for the headers of the subcommands (each
// lives beside what it drives), so that their includers need not parse
// CLI11; only the command's own .cpp includes <CLI/CLI.hpp>.

namespace CLI {
class App;
} // namespace CLI
