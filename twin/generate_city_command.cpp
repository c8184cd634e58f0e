// twin/generate_city_command.cpp: `citytwin generate-city`.
#include "twin/generate_city_command.hpp"

#include <CLI/CLI.hpp>

#include "twin/city_file.hpp"
#include "twin/city_generator.hpp"
#include "twin/error.hpp"

#include <iostream>

namespace citytwin::twin {

void add_generate_city_command(CLI::App& app) {
  auto opts = std::make_shared<twin::generator_options>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "generate-city", "Generate a plausible town, deterministic per seed");
  cmd->add_option("--segments", opts->segments,
                  "Directed road segments (about)")
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed")->capture_default_str();
  cmd->add_option("--name", opts->name, "City name (URNs, topics)")
      ->capture_default_str();
  cmd->add_option("--lon", opts->center.lon, "Longitude of the centre")
      ->capture_default_str();
  cmd->add_option("--lat", opts->center.lat, "Latitude of the centre")
      ->capture_default_str();
  cmd->add_option("--utc-offset", opts->utc_offset_min,
                  "Local standard time offset from UTC, minutes")
      ->capture_default_str();
  cmd->add_option("--lamps", opts->lamps, "Street lamps (0: 2.5 per segment)");
  cmd->add_option("--bins", opts->bins, "Waste bins (0: 0.25 per segment)");
  cmd->add_option("--sensors", opts->sensors, "Sensors (0: 0.15 per segment)");
  cmd->add_option("-o,--output", *out, "City file to write ('-': stdout)")
      ->required();
  cmd->callback([opts, out] {
    auto c = twin::generate_city(*opts);
    if (!c) {
      std::cerr << "generate-city: " << twin::describe(c.error()) << '\n';
      throw CLI::RuntimeError(2);
    }
    if (*out == "-") {
      twin::write_city(std::cout, *c);
    } else if (auto err = twin::save_city(*out, *c)) {
      std::cerr << "generate-city: " << twin::describe(err) << '\n';
      throw CLI::RuntimeError(1);
    }
    std::cerr << "generated " << c->name << ": " << c->num_entities()
              << " entities (" << c->roads.num_segments() << " segments, "
              << c->roads.num_intersections() << " intersections, "
              << c->count(twin::entity_kind::street_lamp) << " lamps, "
              << c->count(twin::entity_kind::waste_bin) << " bins, "
              << c->things.size() - c->count(twin::entity_kind::street_lamp)
                     - c->count(twin::entity_kind::waste_bin)
              << " sensors)";
    if (*out != "-")
      std::cerr << " -> " << *out;
    std::cerr << '\n';
  });
}

} // namespace citytwin::twin
