// adapters/archive/snapshot_command.cpp
#include "adapters/archive/snapshot_command.hpp"

#include "adapters/archive/tenant_bundle.hpp"
#include "twin/error.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>

namespace citytwin::archive {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
    .count();
}

} // namespace

void add_snapshot_commands(CLI::App& app) {
  auto opts = std::make_shared<bundle_options>();
  auto* snap = app.add_subcommand(
    "snapshot", "A tenant's archive, city file and rules in one file (tar)");
  snap->add_option("--archive", opts->archive_root,
                   "The server's --archive folder")
    ->required();
  snap->add_option("--tenant", opts->tenant, "Tenant (city) name")->required();
  snap->add_option("--city", opts->city_file, "The tenant's city file")
    ->required()
    ->check(CLI::ExistingFile);
  snap->add_option("--rules", opts->rules_file, "The tenant's rule file")
    ->check(CLI::ExistingFile);
  snap->add_option("-o,--output", opts->output, "Snapshot file to write")
    ->required();
  snap->callback([opts] {
    auto started = std::chrono::steady_clock::now();
    auto report = write_bundle(*opts);
    if (!report) {
      std::cerr << "snapshot: " << twin::describe(report.error()) << '\n';
      throw CLI::RuntimeError(2);
    }
    std::cout << "snapshot: tenant '" << report->tenant << "', "
              << report->files << " files, " << report->bytes
              << " bytes, in " << seconds_since(started) << " s -> "
              << opts->output.string() << '\n';
  });
  auto input = std::make_shared<std::string>();
  auto root = std::make_shared<std::string>();
  auto* restore = app.add_subcommand(
    "restore", "Unpack a snapshot into an --archive folder (never over one)");
  restore->add_option("snapshot", *input, "Snapshot file")
    ->required()
    ->check(CLI::ExistingFile);
  restore->add_option("--archive", *root,
                      "The --archive folder of the server that will serve it")
    ->required();
  restore->callback([input, root] {
    auto started = std::chrono::steady_clock::now();
    auto report = read_bundle(*input, *root);
    if (!report) {
      std::cerr << "restore: " << twin::describe(report.error()) << '\n';
      throw CLI::RuntimeError(2);
    }
    std::cout << "restore: tenant '" << report->tenant << "', "
              << report->files << " files, " << report->bytes
              << " bytes, in " << seconds_since(started)
              << " s; serve it with: citytwin serve "
              << report->city_file.string() << " --archive " << *root
              << '\n';
  });
}

} // namespace citytwin::archive
