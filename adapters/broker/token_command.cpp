// adapters/broker/token_command.cpp: `citytwin token`, which makes access
// tokens.
#include "adapters/broker/token_command.hpp"

#include <CLI/CLI.hpp>

#include "adapters/broker/access_config.hpp"
#include "adapters/broker/secret_hash.hpp"
#include "twin/error.hpp"
#include "twin/text.hpp"

#include <iostream>
#include <iterator>

namespace citytwin::broker {

namespace {

struct token_options {
  std::string name;
  std::string tenant;
  std::string role;
  std::string expires;
  bool hash = false;
};

// The line to paste under `tokens:` (format: data/access/README.md).
std::string yaml_line(const token_options& opts, const std::string& hex) {
  auto result = "- { name: " + opts.name + ", tenant: " + opts.tenant
                + ", role: " + opts.role + ", sha256: " + hex;
  if (!opts.expires.empty())
    result += ", expires: " + opts.expires;
  return result + " }";
}

// Checks the line by loading it with the real reader, inside a file that
// declares its tenant: what this prints is exactly what the server accepts.
caf::error check(const std::string& tenant, const std::string& line) {
  auto text = "version: 1\ntenants:\n  - { name: " + tenant + " }\ntokens:\n  "
              + line + "\n";
  auto cfg = broker::parse_access_config(text, "token");
  return cfg ? caf::error{} : cfg.error();
}

// `--hash`: the secret arrives on stdin so it stays out of the shell
// history and the process list; one trailing newline is not part of it.
int print_hash() {
  std::string secret{std::istreambuf_iterator<char>{std::cin},
                     std::istreambuf_iterator<char>{}};
  if (secret.ends_with('\n'))
    secret.pop_back();
  if (secret.ends_with('\r'))
    secret.pop_back();
  if (secret.empty()) {
    std::cerr << "token: no secret on stdin\n";
    return 2;
  }
  std::cout << broker::to_hex(broker::sha256(secret)) << '\n';
  return 0;
}

int print_new_token(const token_options& opts) {
  if (opts.name.empty() || opts.tenant.empty() || opts.role.empty()) {
    std::cerr << "token: --name, --tenant and --role are required"
                 " (or --hash)\n";
    return 2;
  }
  auto secret = broker::random_secret();
  auto line = yaml_line(opts, broker::to_hex(broker::sha256(secret)));
  if (auto err = check(opts.tenant, line)) {
    // Drop the summary and the `token:<line>:` positions in the
    // throwaway file; what is left names the option's problem.
    auto message = twin::describe(err);
    auto lines = twin::split(message, '\n');
    for (size_t i = 1; i < lines.size(); ++i)
      std::cerr << "token: " << lines[i].substr(lines[i].find(' ') + 1) << '\n';
    return 2;
  }
  std::cout << secret << '\n' << line << '\n';
  std::cerr << "token " << opts.name
            << ": line 1 is the secret, shown only now (give it to its"
               " holder); paste line 2 under 'tokens:' in the access file\n";
  return 0;
}

} // namespace

void add_token_command(CLI::App& app) {
  auto opts = std::make_shared<token_options>();
  auto* cmd = app.add_subcommand(
      "token", "Make a token: a new secret and its line for the access file");
  auto* hash = cmd->add_flag("--hash", opts->hash,
                             "Print the sha256 of a secret read from stdin");
  cmd->add_option("--name", opts->name, "Token name, e.g. demo-admin")
      ->excludes(hash);
  cmd->add_option("--tenant", opts->tenant, "Tenant the token belongs to")
      ->excludes(hash);
  cmd->add_option("--role", opts->role,
                  "admin, operator, planner, emergency, viewer, app or monitor")
      ->excludes(hash);
  cmd->add_option("--expires", opts->expires,
                  "ISO 8601 time with zone, e.g. 2030-01-01T00:00:00Z")
      ->excludes(hash);
  cmd->callback([opts] {
    int rc = opts->hash ? print_hash() : print_new_token(*opts);
    if (rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::broker
