// bench/soak_main.cpp: `citytwin-soak`, run by `make soak` (never by CI).
// The same executable is its own load generators: the driver starts
// itself with --ingest, --api, --viewer-clients or --webhook-receiver.
#include "bench/soak.hpp"
#include "bench/soak_load.hpp"
#include "bench/viewer_clients.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <string>
#include <string_view>
#include <unistd.h>

int main(int argc, char** argv) {
  using namespace citytwin::bench;
  // Children that lose their reader must not die of SIGPIPE mid-report.
  std::signal(SIGPIPE, SIG_IGN);
  std::string_view role = argc > 1 ? argv[1] : "";
  if (role == "--viewer-clients" && argc == 5)
    return run_viewer_clients(argv[2], std::stoul(argv[3]),
                              std::stod(argv[4]));
  if (role == "--ingest" && argc == 6)
    return run_ingest_load(static_cast<uint16_t>(std::stoul(argv[2])),
                           argv[3], std::stod(argv[4]), std::stod(argv[5]));
  if (role == "--api" && argc == 7)
    return run_api_load(static_cast<uint16_t>(std::stoul(argv[2])), argv[3],
                        std::stod(argv[4]), std::stoul(argv[5]),
                        std::stod(argv[6]));
  if (role == "--webhook-receiver" && argc == 3)
    return run_webhook_receiver(std::stod(argv[2]));
  CLI::App app{"citytwin-soak: the server under steady load for a long "
               "time, or under 2x overload; report in --out (bench/README.md)"};
  soak_options opt;
  app.add_option("--minutes", opt.minutes, "Steady phase at half capacity")
    ->capture_default_str();
  app.add_option("--overload-minutes", opt.overload_minutes,
                 "2x capacity after the steady phase (0: none)")
    ->capture_default_str();
  app.add_option("--recovery-minutes", opt.recovery_minutes,
                 "Half capacity again after an overload")
    ->capture_default_str();
  app.add_option("--out", opt.out_dir, "Output folder")->capture_default_str();
  app.add_option("--server", opt.server_exe, "citytwin executable")
    ->capture_default_str();
  app.add_option("--city", opt.city, "City file")->capture_default_str();
  app.add_option("--access", opt.access, "Access file (demo tokens)")
    ->capture_default_str();
  app.add_option("--ingest-capacity", opt.ingest_capacity,
                 "SenML packs/s the server ingests (0: measure)");
  app.add_option("--api-capacity", opt.api_capacity,
                 "API reads/s the server answers (0: measure)");
  app.add_option("--viewer-capacity", opt.viewer_capacity,
                 "Viewers the server takes (its --max-viewers)")
    ->capture_default_str();
  app.add_option("--subscriptions", opt.subscriptions,
                 "Webhook subscriptions (to 127.0.0.1)")
    ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  char self[4096];
  auto n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  opt.self_exe = n > 0 ? std::string(self, static_cast<size_t>(n)) : argv[0];
  return run_soak(opt);
}
