// adapters/ingest/reject_log.cpp
#include "adapters/ingest/reject_log.hpp"

namespace citytwin::ingest {

reject_log::reject_log(sink out, twin::time_ms interval_ms)
  : out_(std::move(out)), interval_ms_(interval_ms) {
  // nop
}

void reject_log::note(const rejection& x, twin::time_ms now) {
  if (!out_)
    return;
  auto i = static_cast<size_t>(x.reason);
  if (i >= last_.size())
    i = 0;
  if (logged_[i] && now - last_[i] < interval_ms_) {
    ++suppressed_[i];
    return;
  }
  std::string line = "ingest rejects ";
  line += to_string(x.reason);
  line += ": ";
  line += x.detail;
  if (suppressed_[i] > 0)
    line += " (+" + std::to_string(suppressed_[i])
            + " more since the last line)";
  out_(line);
  logged_[i] = true;
  last_[i] = now;
  suppressed_[i] = 0;
}

} // namespace citytwin::ingest
