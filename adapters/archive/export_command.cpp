// adapters/archive/export_command.cpp
#include "adapters/archive/export_command.hpp"

#include "adapters/archive/archive_view.hpp"
#include "adapters/archive/audit_trail.hpp"
#include "adapters/archive/csv_export.hpp"
#include "adapters/archive/geojson_export.hpp"
#include "adapters/archive/space_log.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/archive/tenant_bundle.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"
#include "twin/iso_time.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <limits>
#include <memory>

namespace citytwin::archive {

namespace {

namespace fs = std::filesystem;

caf::error refuse(std::string why) {
  return caf::make_error(twin::errc::invalid_config, std::move(why));
}

// An optional bound: `fallback` when not given.
caf::expected<twin::time_ms>
time_option(const std::string& text, const char* flag, twin::time_ms fallback) {
  if (text.empty())
    return fallback;
  if (auto t = twin::parse_iso_time(text))
    return *t;
  return refuse(std::string{flag} + " '" + text
                + "' is not an ISO 8601 date-time");
}

// Everything checked before anything is read or written.
caf::error check(const export_options& opts) {
  if (opts.format != "csv" && opts.format != "geojson" && opts.format != "hdf5")
    return refuse("--format '" + opts.format
                  + "' is not one of csv, geojson, hdf5");
  if (!valid_tenant_name(opts.tenant))
    return refuse("'" + opts.tenant + "' is not a tenant name");
  std::error_code ec;
  if (!fs::is_regular_file(opts.city_file, ec))
    return refuse("no city file " + opts.city_file.string());
  if (opts.output.empty())
    return refuse("no output file (-o)");
  if (fs::exists(opts.output, ec))
    return refuse(opts.output.string()
                  + " exists; exports never overwrite a file");
  if (opts.format != "csv" && (!opts.from.empty() || !opts.to.empty()))
    return refuse("--from and --to apply to --format csv only");
  if (opts.format != "hdf5" && !opts.rules_file.empty())
    return refuse("--rules applies to --format hdf5 only");
  return {};
}

caf::expected<export_report> run_csv(const export_options& opts,
                                     const std::string& city) {
  auto from = time_option(opts.from, "--from",
                          std::numeric_limits<twin::time_ms>::min());
  if (!from)
    return from.error();
  auto to
      = time_option(opts.to, "--to", std::numeric_limits<twin::time_ms>::max());
  if (!to)
    return to.error();
  if (*from >= *to)
    return refuse("--from must be before --to");
  auto view = archive_view::open(opts.archive_root, opts.tenant, city);
  if (!view)
    return view.error();
  return write_csv(*view, opts.output, *from, *to);
}

caf::expected<export_report> run_geojson(const export_options& opts,
                                         const twin::city& c) {
  auto found = existing_tenant_folder(opts.archive_root, opts.tenant);
  if (!found)
    return found.error();
  const auto& folder = *found;
  auto latest = read_latest_state(folder);
  if (!latest)
    return latest.error();
  auto created = created_ids::read(folder / "created.log", c.name);
  if (!created)
    return created.error();
  auto space = space_log::read(folder / "space.log");
  if (!space)
    return space.error();
  return write_geojson(c, *latest, *created, space->entities, opts.output);
}

caf::expected<export_report> run_hdf5(const export_options& opts) {
  bundle_options bundle;
  bundle.archive_root = opts.archive_root;
  bundle.tenant = opts.tenant;
  bundle.city_file = opts.city_file;
  bundle.rules_file = opts.rules_file;
  bundle.output = opts.output;
  auto written = write_bundle(bundle);
  if (!written)
    return written.error();
  export_report result;
  std::error_code ec;
  result.bytes = fs::file_size(opts.output, ec);
  result.items = written->files;
  return result;
}

caf::expected<export_report> run(const export_options& opts) {
  if (auto err = check(opts))
    return err;
  // The tenant's URNs and its entities come from its city: the server
  // names a city's tenant after it.
  auto c = twin::load_city(opts.city_file.string());
  if (!c)
    return c.error();
  if (c->name != opts.tenant)
    return refuse(opts.city_file.string() + " is the city '" + c->name
                  + "', not tenant '" + opts.tenant + "'");
  if (opts.format == "csv")
    return run_csv(opts, c->name);
  if (opts.format == "geojson")
    return run_geojson(opts, *c);
  return run_hdf5(opts);
}

} // namespace

int run_export(const export_options& opts) {
  audit_record audit;
  audit.action = "export";
  audit.tenant = opts.tenant;
  audit.format = opts.format;
  audit.output = opts.output.string();
  auto report = run(opts);
  if (report) {
    audit.bytes = report->bytes;
    audit.samples = report->samples;
    std::cout << "export: tenant '" << opts.tenant << "' as " << opts.format
              << ": " << report->bytes << " bytes, " << report->samples
              << (opts.format == "geojson" ? " values, " : " samples, ")
              << report->items
              << (opts.format == "csv"       ? " streams"
                  : opts.format == "geojson" ? " features"
                                             : " files")
              << " -> " << opts.output.string() << '\n';
  }
  return finish_audited("export", opts.archive_root, audit,
                        report ? caf::error{} : report.error());
}

void add_export_command(CLI::App& app) {
  auto opts = std::make_shared<export_options>();
  auto* cmd = app.add_subcommand(
      "export", "Everything a tenant has, as CSV, GeoJSON or its HDF5 files");
  cmd->add_option("--archive", opts->archive_root,
                  "The server's --archive folder")
      ->required();
  cmd->add_option("--tenant", opts->tenant, "Tenant (city) name")->required();
  // Checked by run_export rather than CLI11, so that a refusal is audited.
  cmd->add_option("--city", opts->city_file, "The tenant's city file")
      ->required();
  cmd->add_option("--format", opts->format, "csv, geojson or hdf5")->required();
  cmd->add_option("-o,--output", opts->output, "File to write (never over one)")
      ->required();
  cmd->add_option("--from", opts->from,
                  "csv: samples at or after this ISO 8601 time");
  cmd->add_option("--to", opts->to, "csv: samples before this ISO 8601 time");
  cmd->add_option("--rules", opts->rules_file,
                  "hdf5: the tenant's rule file, carried along");
  cmd->callback([opts] {
    if (int code = run_export(*opts))
      throw CLI::RuntimeError(code);
  });
}

} // namespace citytwin::archive
