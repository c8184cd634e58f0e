// adapters/replay/replay_command.cpp: `citytwin replay`.
#include "adapters/replay/replay_command.hpp"

#include <CLI/CLI.hpp>

#include "adapters/mqtt/broker_url.hpp"
#include "adapters/mqtt/publisher.hpp"
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

int replay(const replay_options& opts) {
  auto fail = [](const caf::error& err) {
    std::cerr << "replay: " << twin::describe(err) << '\n';
    return 2;
  };
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
  replay::play_options play;
  play.speed = *speed;
  play.qos = opts.qos;
  play.retain = opts.retain;
  play.limit = opts.limit;
  play.max_wait = std::chrono::milliseconds{opts.max_wait_ms};
  std::signal(SIGINT, on_replay_signal);
  std::signal(SIGTERM, on_replay_signal);
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
      "replay", "Publish a recorded dataset as SenML over MQTT");
  cmd->add_option("dataset", opts->dataset,
                  "Dataset description: a file, or a name in --datasets "
                  "(aarhus-traffic, aarhus-parking, aarhus-weather, "
                  "aberdeen-pm)")
      ->required();
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
  cmd->callback([opts] {
    if (auto rc = replay(*opts); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::replay
