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

player::player(mqtt::publisher& out, play_options opts,
               const std::atomic<bool>* stop)
  : out_(out), opts_(opts), stop_(stop), started_(clock::now()),
    due_(started_) {
  // nop
}

bool player::stopped() const {
  return (stop_ != nullptr && stop_->load())
         || (opts_.limit > 0 && num_played_ >= opts_.limit);
}

bool player::play(std::span<const event> events) {
  for (const auto& x : events) {
    if (stopped())
      return false;
    if (opts_.speed > 0 && previous_) {
      auto gap_ms = static_cast<double>(x.time - *previous_) / opts_.speed;
      auto wait = std::chrono::duration<double, std::milli>{gap_ms};
      due_ += std::min(std::chrono::duration_cast<clock::duration>(wait),
                       std::chrono::duration_cast<clock::duration>(
                         opts_.max_wait));
      std::this_thread::sleep_until(due_);
    }
    previous_ = x.time;
    ++num_played_;
    if (out_.publish(x.topic, x.payload, opts_.qos, opts_.retain))
      ++report_.failed;
    else
      ++report_.published;
  }
  return !stopped();
}

bool player::drain() {
  return out_.drain(opts_.drain_timeout);
}

play_report player::finish() {
  report_.drained = drain();
  report_.wall_s = std::chrono::duration<double>(clock::now() - started_)
                     .count();
  return report_;
}

play_report play(const std::vector<event>& events, mqtt::publisher& out,
                 const play_options& opts, const std::atomic<bool>* stop) {
  player p{out, opts, stop};
  p.play(events);
  return p.finish();
}

} // namespace citytwin::replay
