// adapters/replay/player.cpp
#include "adapters/replay/player.hpp"

#include "twin/error.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <thread>

namespace citytwin::replay {

caf::expected<double> parse_speed(std::string_view text) {
  if (text == "max")
    return 0.0;
  if (!text.empty() && (text.back() == 'x' || text.back() == 'X'))
    text.remove_suffix(1);
  double result = 0;
  if (!twin::parse_number(text, result) || result <= 0)
    return caf::make_error(twin::errc::invalid_config,
                           "speed is N, Nx or max, N > 0: '"
                             + std::string{text} + "'");
  return result;
}

play_report play(const std::vector<event>& events, mqtt::publisher& out,
                 const play_options& opts, const std::atomic<bool>* stop) {
  using clock = std::chrono::steady_clock;
  play_report result;
  auto started = clock::now();
  auto n = opts.limit == 0 ? events.size()
                           : std::min(opts.limit, events.size());
  // Wall-clock instant at which the previous event was due.
  auto due = started;
  for (size_t i = 0; i < n; ++i) {
    if (stop != nullptr && stop->load())
      break;
    if (opts.speed > 0 && i > 0) {
      auto gap_ms = static_cast<double>(events[i].time - events[i - 1].time)
                    / opts.speed;
      auto wait = std::chrono::duration<double, std::milli>{gap_ms};
      due += std::min(std::chrono::duration_cast<clock::duration>(wait),
                      std::chrono::duration_cast<clock::duration>(
                        opts.max_wait));
      std::this_thread::sleep_until(due);
    }
    if (out.publish(events[i].topic, events[i].payload, opts.qos,
                    opts.retain))
      ++result.failed;
    else
      ++result.published;
  }
  result.drained = out.drain(opts.drain_timeout);
  result.wall_s = std::chrono::duration<double>(clock::now() - started)
                    .count();
  return result;
}

} // namespace citytwin::replay
