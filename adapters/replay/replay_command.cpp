// adapters/replay/replay_command.cpp: `citytwin replay`.
#include "adapters/replay/replay_command.hpp"

#include <CLI/CLI.hpp>

#include "adapters/mqtt/broker_url.hpp"
#include "adapters/mqtt/publisher.hpp"
#include "adapters/replay/archive_source.hpp"
#include "adapters/replay/csv_events.hpp"
#include "adapters/replay/dataset.hpp"
#include "adapters/replay/player.hpp"
#include "twin/error.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace citytwin::replay {

namespace {

struct replay_options {
  std::string dataset;
  std::string speed = "300x";
  std::string broker = "mqtt://127.0.0.1:1883";
  std::string datasets_dir = "data/datasets";
  std::string data_dir;
  int qos = 0;
  bool retain = false;
  size_t limit = 0;
  long max_wait_ms = 5000;
  archive_request archive; ///< archive mode when `archive.root` is set
};

std::atomic<bool> replay_stop{false};

void on_replay_signal(int) {
  replay_stop = true;
}

// The recordings live beside the repository, read in place.
std::string default_data_dir() {
  if (const char* env = std::getenv("CITYTWIN_SHARED_DATA"))
    return std::string{env} + "/streams";
  return "../shared/data/streams";
}

// A path to a description, or a name in the datasets directory.
std::string description_path(const replay_options& opts) {
  namespace fs = std::filesystem;
  if (fs::exists(opts.dataset))
    return opts.dataset;
  return opts.datasets_dir + "/" + opts.dataset + ".conf";
}

int fail(const caf::error& err) {
  std::cerr << "replay: " << twin::describe(err) << '\n';
  return 2;
}

play_options make_play_options(const replay_options& opts, double speed) {
  play_options result;
  result.speed = speed;
  result.qos = opts.qos;
  result.retain = opts.retain;
  result.limit = opts.limit;
  result.max_wait = std::chrono::milliseconds{opts.max_wait_ms};
  return result;
}

void on_stop_signals() {
  std::signal(SIGINT, on_replay_signal);
  std::signal(SIGTERM, on_replay_signal);
}

// Archive mode: everything is checked, and the first window read, before
// anything connects, so a refused replay publishes nothing.
int replay_archive(const replay_options& opts) {
  auto speed = replay::parse_speed(opts.speed);
  if (!speed)
    return fail(speed.error());
  auto broker = mqtt::parse_broker_url(opts.broker);
  if (!broker)
    return fail(broker.error());
  auto source = archive_source::open(opts.archive);
  if (!source)
    return fail(source.error());
  auto events = source->next();
  if (!events)
    return fail(events.error());
  const auto& selected = source->selection();
  if (events->empty())
    return fail(caf::make_error(
        twin::errc::invalid_config,
        "no samples of tenant '" + opts.archive.tenant + "' in ["
            + opts.archive.from + ", " + opts.archive.to + ") in its segments ("
            + std::to_string(selected.streams.size())
            + " streams; the newest minutes of a running server are still in "
              "its journal)"));
  auto out = mqtt::publisher::connect(*broker, std::chrono::seconds(10));
  if (!out)
    return fail(out.error());
  on_stop_signals();
  std::cout << "replay: tenant " << opts.archive.tenant << " ["
            << opts.archive.from << ", " << opts.archive.to << "), "
            << selected.streams.size()
            << " streams (left out: " << selected.num_filtered
            << " of other types, " << selected.num_foreign
            << " not of twin entities), to " << source->topic() << " on "
            << opts.broker << " at "
            << (*speed > 0 ? opts.speed : std::string{"max"}) << " speed, QoS "
            << opts.qos << std::endl;
  player pacing{**out, make_play_options(opts, *speed), &replay_stop};
  bool drained = true;
  int rc = 0;
  // Each window waits for the broker before the next is read, so what
  // is in memory stays about one window.
  while (!events->empty() && pacing.play(*events)) {
    drained = pacing.drain() && drained;
    events = source->next();
    if (!events) {
      std::cerr << "replay: " << twin::describe(events.error()) << '\n';
      rc = 1;
      break;
    }
  }
  auto played = pacing.finish();
  const auto& totals = source->totals();
  std::cout << "replay: " << selected.streams.size() << " streams, "
            << totals.readings << " readings read in " << totals.messages
            << " messages; published " << played.published << " messages in "
            << played.wall_s << " s wall time (" << played.failed << " failed"
            << (played.drained && drained ? ""
                                          : ", broker did not take all in time")
            << (replay_stop ? ", stopped" : "") << ")\n";
  if (rc == 0 && (played.failed > 0 || !played.drained || !drained))
    rc = 1;
  return rc;
}

int replay(const replay_options& opts) {
  if (!opts.archive.root.empty()) {
    if (!opts.dataset.empty())
      return fail(caf::make_error(twin::errc::invalid_config,
                                  "give a DATASET or --archive, not both"));
    return replay_archive(opts);
  }
  if (opts.dataset.empty())
    return fail(caf::make_error(twin::errc::invalid_config,
                                "a DATASET or --archive DIR is required"));
  auto speed = replay::parse_speed(opts.speed);
  if (!speed)
    return fail(speed.error());
  auto broker = mqtt::parse_broker_url(opts.broker);
  if (!broker)
    return fail(broker.error());
  auto ds = replay::load_dataset(description_path(opts));
  if (!ds)
    return fail(ds.error());
  auto data_dir = opts.data_dir.empty() ? default_data_dir() : opts.data_dir;
  replay::load_report loaded;
  auto events = replay::load_events(*ds, data_dir, loaded);
  if (!events)
    return fail(events.error());
  std::cout << "replay: " << ds->name << ": " << events->size()
            << " messages from " << loaded.rows << " rows in " << loaded.files
            << " files (skipped: " << loaded.bad_time << " bad time, "
            << loaded.bad_columns << " short, " << loaded.empty_rows
            << " empty; fields left out: " << loaded.empty_fields << " empty, "
            << loaded.bad_numbers << " not numbers; " << loaded.repeated_headers
            << " repeated headers)\n";
  auto out = mqtt::publisher::connect(*broker, std::chrono::seconds(10));
  if (!out)
    return fail(out.error());
  auto play = make_play_options(opts, *speed);
  on_stop_signals();
  std::cout << "replay: publishing to " << opts.broker << " at "
            << (*speed > 0 ? opts.speed : std::string{"max"}) << " speed, QoS "
            << opts.qos << std::endl;
  auto played = replay::play(*events, **out, play, &replay_stop);
  std::cout << "replay: published " << played.published << " messages in "
            << played.wall_s << " s (" << played.failed << " failed"
            << (played.drained ? "" : ", broker did not take all in time")
            << ")\n";
  return played.failed == 0 && played.drained ? 0 : 1;
}

} // namespace

void add_replay_command(CLI::App& app) {
  auto opts = std::make_shared<replay_options>();
  auto* cmd = app.add_subcommand(
      "replay",
      "Publish a recorded dataset as SenML over MQTT, or (--archive) an "
      "archived interval of a tenant into another tenant");
  cmd->add_option("dataset", opts->dataset,
                  "Dataset description: a file, or a name in --datasets "
                  "(aarhus-traffic, aarhus-parking, aarhus-weather, "
                  "aberdeen-pm)");
  cmd->add_option("--speed", opts->speed,
                  "Recorded time per wall-clock time: 300x, or max")
      ->capture_default_str();
  cmd->add_option("--broker", opts->broker, "MQTT broker, mqtt://HOST:PORT")
      ->capture_default_str();
  cmd->add_option("--qos", opts->qos, "MQTT QoS, 0 or 1")
      ->check(CLI::Range(0, 1))
      ->capture_default_str();
  cmd->add_flag("--retain", opts->retain, "Publish retained messages");
  cmd->add_option("--limit", opts->limit,
                  "Publish at most this many messages (0: all)")
      ->capture_default_str();
  cmd->add_option("--max-wait-ms", opts->max_wait_ms,
                  "Cut longer gaps in the recording to this wall time")
      ->check(CLI::Range(0L, 3600000L))
      ->capture_default_str();
  cmd->add_option("--datasets", opts->datasets_dir,
                  "Directory of dataset descriptions")
      ->capture_default_str();
  cmd->add_option("--data-dir", opts->data_dir,
                  "Directory of the recordings (default: "
                  "$CITYTWIN_SHARED_DATA/streams or ../shared/data/streams)");
  auto* time_travel = cmd->add_option_group(
      "archive mode",
      "Replay [--from, --to) of a tenant's HDF5 segments (read-only, so a "
      "running server's archive is fine; its newest minutes, still only in "
      "its journal, are not read) as Protobuf ReadingBatch messages with "
      "their original times on city/<into>/archive/replay");
  time_travel->add_option("--archive", opts->archive.root,
                          "Archive folder (serve --archive)");
  time_travel->add_option("--tenant", opts->archive.tenant,
                          "The tenant to replay (its folder in --archive)");
  time_travel->add_option("--into", opts->archive.into,
                          "The tenant to publish to: a replay tenant or a "
                          "scenario fork (serve --mqtt-tenant); never "
                          "--tenant or its city, the live twin");
  time_travel->add_option("--from", opts->archive.from,
                          "Start, ISO 8601 (inclusive)");
  time_travel->add_option("--to", opts->archive.to,
                          "End, ISO 8601 (exclusive)");
  time_travel
      ->add_option("--types", opts->archive.types,
                   "Only these NGSI-LD entity types "
                   "(TrafficCounter,StreetLight,...)")
      ->delimiter(',');
  cmd->callback([opts] {
    if (auto rc = replay(*opts); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::replay
