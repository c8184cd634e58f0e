// adapters/archive/snapshot_command.cpp
#include "adapters/archive/snapshot_command.hpp"

#include "adapters/archive/audit_trail.hpp"
#include "adapters/archive/tenant_bundle.hpp"
#include "twin/error.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
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
    audit_record audit;
    audit.action = "snapshot";
    audit.tenant = opts->tenant;
    audit.format = "tar";
    audit.output = opts->output.string();
    if (report) {
      std::error_code ec;
      audit.bytes = std::filesystem::file_size(opts->output, ec);
      std::cout << "snapshot: tenant '" << report->tenant << "', "
                << report->files << " files, " << report->bytes
                << " bytes, in " << seconds_since(started) << " s -> "
                << opts->output.string() << '\n';
    }
    if (int code = finish_audited("snapshot", opts->archive_root, audit,
                                  report ? caf::error{} : report.error()))
      throw CLI::RuntimeError(code);
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
    audit_record audit;
    audit.action = "restore";
    audit.format = "tar";
    audit.input = *input;
    if (report) {
      audit.tenant = report->tenant;
      audit.output = report->city_file.parent_path().string();
      audit.bytes = report->bytes;
      std::cout << "restore: tenant '" << report->tenant << "', "
                << report->files << " files, " << report->bytes
                << " bytes, in " << seconds_since(started)
                << " s; serve it with: citytwin serve "
                << report->city_file.string() << " --archive " << *root
                << '\n';
    }
    if (int code = finish_audited("restore", *root, audit,
                                  report ? caf::error{} : report.error()))
      throw CLI::RuntimeError(code);
  });
}

} // namespace citytwin::archive
