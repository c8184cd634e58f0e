// tests/adapters/ingest/ingest_counters.cpp
#include "adapters/ingest/ingest_counters.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using namespace citytwin::ingest;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

} // namespace

TEST_CASE("ingest counters render as Prometheus text", "[adapters]") {
  ingest_counters counters;
  counters.count_message(100);
  counters.count_message(50);
  counters.count_records(7);
  counters.count_accepted(5);
  counters.count_rejected(reject_reason::duplicate, 2);
  counters.count_rejected(reject_reason::too_large);
  counters.count_lag(3000, 2000, 2); // lags of 1 s and 2 s
  auto s = counters.snapshot();
  CHECK(s.rejected_total() == 3);
  actors::twin_stats twin;
  twin.readings = 5;
  twin.unknown_entity = 1;
  twin.readings_rejected = 1;
  twin.rejected_by_reason.resize(actors::num_reasons);
  twin.rejected_by_reason[static_cast<size_t>(twin::errc::out_of_range)] = 1;
  auto text = render_prometheus(s, &twin);
  CHECK(has_line(text, "citytwin_ingest_messages_total 2"));
  CHECK(has_line(text, "citytwin_ingest_bytes_total 150"));
  CHECK(has_line(text, "citytwin_ingest_readings_accepted_total 5"));
  CHECK(has_line(text,
                 "citytwin_ingest_rejected_total{reason=\"duplicate\"} 2"));
  CHECK(has_line(text,
                 "citytwin_ingest_rejected_total{reason=\"too_large\"} 1"));
  CHECK(has_line(text,
                 "citytwin_ingest_rejected_total{reason=\"bad_topic\"} 0"));
  CHECK(has_line(text, "citytwin_ingest_lag_seconds 2"));
  CHECK(has_line(text, "citytwin_ingest_reading_lag_seconds_sum 3"));
  CHECK(has_line(text, "citytwin_ingest_reading_lag_seconds_count 2"));
  // 5 received, 1 for no entity, 1 refused: 3 applied.
  CHECK(has_line(text, "citytwin_readings_applied_total 3"));
  CHECK(has_line(
    text, "citytwin_readings_rejected_total{reason=\"out_of_range\"} 1"));
  CHECK(has_line(
    text, "citytwin_readings_rejected_total{reason=\"unknown_entity\"} 1"));
  // Every metric has HELP and TYPE lines before its samples.
  CHECK(text.find("# TYPE citytwin_ingest_rejected_total counter\n"
                  "citytwin_ingest_rejected_total{reason=\"too_large\"}")
        != std::string::npos);
}
