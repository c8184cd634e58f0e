// adapters/archive/erase_command.cpp
#include "adapters/archive/erase_command.hpp"

#include "adapters/archive/audit_trail.hpp"
#include "adapters/archive/tenant_erase.hpp"
#include "twin/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace citytwin::archive {

int run_erase(const erase_options& opts) {
  audit_record audit;
  audit.action = "erase";
  audit.tenant = opts.tenant;
  audit.output = (opts.archive_root / opts.tenant).string();
  if (opts.confirm != opts.tenant) {
    auto err = caf::make_error(
        twin::errc::invalid_config,
        "erase deletes every sample and file of tenant '" + opts.tenant
            + "' for good; say so with --confirm " + opts.tenant);
    return finish_audited("erase", opts.archive_root, audit, err);
  }
  auto report = erase_tenant(opts.archive_root, opts.tenant);
  if (report) {
    audit.bytes = report->bytes;
    std::cout << "erase: tenant '" << opts.tenant << "': " << report->files
              << " files, " << report->bytes << " bytes deleted from "
              << opts.archive_root.string() << '\n';
  }
  return finish_audited("erase", opts.archive_root, audit,
                        report ? caf::error{} : report.error());
}

void add_erase_command(CLI::App& app) {
  auto opts = std::make_shared<erase_options>();
  auto* cmd = app.add_subcommand(
      "erase", "Delete everything a tenant has in an archive folder, for good");
  cmd->add_option("--archive", opts->archive_root,
                  "The server's --archive folder")
      ->required();
  cmd->add_option("--tenant", opts->tenant, "Tenant (city) name")->required();
  // Not required by CLI11: a missing confirmation is a refusal, audited.
  cmd->add_option("--confirm", opts->confirm,
                  "The tenant's name again: nothing is deleted without it");
  cmd->callback([opts] {
    if (int code = run_erase(*opts))
      throw CLI::RuntimeError(code);
  });
}

} // namespace citytwin::archive
