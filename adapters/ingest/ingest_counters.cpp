// adapters/ingest/ingest_counters.cpp
#include "adapters/ingest/ingest_counters.hpp"

#include "twin/error.hpp"

#include <algorithm>
#include <sstream>

namespace citytwin::ingest {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

void header(std::ostream& out, const char* name, const char* type,
            const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' '
      << type << '\n';
}

void metric(std::ostream& out, const char* name, const char* type,
            const char* help, auto value) {
  header(out, name, type, help);
  out << name << ' ' << value << '\n';
}

} // namespace

uint64_t ingest_stats::rejected_total() const {
  uint64_t result = 0;
  for (auto n : rejected)
    result += n;
  return result;
}

void ingest_counters::count_message(size_t bytes) {
  messages_.fetch_add(1, relaxed);
  bytes_.fetch_add(bytes, relaxed);
}

void ingest_counters::count_records(uint64_t n) {
  records_.fetch_add(n, relaxed);
}

void ingest_counters::count_rejected(reject_reason reason, uint64_t n) {
  auto index = static_cast<size_t>(reason);
  rejected_[index < rejected_.size() ? index : 0].fetch_add(n, relaxed);
}

void ingest_counters::count_accepted(uint64_t n) {
  accepted_.fetch_add(n, relaxed);
}

void ingest_counters::count_batch() {
  batches_.fetch_add(1, relaxed);
}

void ingest_counters::count_created() {
  created_.fetch_add(1, relaxed);
}

void ingest_counters::count_lag(int64_t sum_ms, int64_t max_ms, uint64_t n) {
  if (n == 0)
    return;
  lag_last_.store(max_ms, relaxed);
  lag_sum_.fetch_add(static_cast<double>(sum_ms) / 1000, relaxed);
  lag_count_.fetch_add(n, relaxed);
  // Only one thread writes (the MQTT loop), so load-then-store is enough.
  if (max_ms > lag_max_.load(relaxed))
    lag_max_.store(max_ms, relaxed);
}

void ingest_counters::count_connect() {
  connects_.fetch_add(1, relaxed);
}

void ingest_counters::count_disconnect() {
  disconnects_.fetch_add(1, relaxed);
}

void ingest_counters::count_not_kept() {
  not_kept_.fetch_add(1, relaxed);
}

ingest_stats ingest_counters::snapshot() const {
  ingest_stats result;
  result.messages = messages_.load(relaxed);
  result.bytes = bytes_.load(relaxed);
  result.records = records_.load(relaxed);
  result.readings_accepted = accepted_.load(relaxed);
  result.batches_sent = batches_.load(relaxed);
  result.entities_created = created_.load(relaxed);
  for (size_t i = 0; i < rejected_.size(); ++i)
    result.rejected[i] = rejected_[i].load(relaxed);
  result.lag_last_ms = lag_last_.load(relaxed);
  result.lag_max_ms = lag_max_.load(relaxed);
  result.lag_sum_s = lag_sum_.load(relaxed);
  result.lag_count = lag_count_.load(relaxed);
  result.connects = connects_.load(relaxed);
  result.disconnects = disconnects_.load(relaxed);
  result.not_kept = not_kept_.load(relaxed);
  return result;
}

std::string render_prometheus(const ingest_stats& s,
                              const actors::twin_stats* twin) {
  std::ostringstream out;
  metric(out, "citytwin_ingest_messages_total", "counter",
         "Payloads received from feeds.", s.messages);
  metric(out, "citytwin_ingest_bytes_total", "counter",
         "Payload bytes received from feeds.", s.bytes);
  metric(out, "citytwin_ingest_records_total", "counter",
         "Records or attributes found in payloads.", s.records);
  metric(out, "citytwin_ingest_readings_accepted_total", "counter",
         "Readings the ingest edge sent on to the twin.", s.readings_accepted);
  metric(out, "citytwin_ingest_batches_total", "counter",
         "Reading batches sent to the twin's routers.", s.batches_sent);
  metric(out, "citytwin_ingest_entities_created_total", "counter",
         "Sensor entities created for unknown ids (--unknown-ids create).",
         s.entities_created);
  header(out, "citytwin_ingest_rejected_total", "counter",
         "Payloads or records the ingest edge dropped, by reason.");
  for (size_t i = 1; i <= num_reject_reasons; ++i)
    out << "citytwin_ingest_rejected_total{reason=\""
        << to_string(static_cast<reject_reason>(i)) << "\"} "
        << s.rejected[i] << '\n';
  metric(out, "citytwin_ingest_lag_seconds", "gauge",
         "Receipt time minus observation time, largest of the last payload.",
         static_cast<double>(s.lag_last_ms) / 1000);
  metric(out, "citytwin_ingest_lag_max_seconds", "gauge",
         "Largest lag seen since start.",
         static_cast<double>(s.lag_max_ms) / 1000);
  header(out, "citytwin_ingest_reading_lag_seconds", "summary",
         "Lag of accepted readings.");
  out << "citytwin_ingest_reading_lag_seconds_sum "
      << s.lag_sum_s << '\n'
      << "citytwin_ingest_reading_lag_seconds_count " << s.lag_count << '\n';
  metric(out, "citytwin_ingest_connects_total", "counter",
         "Successful connections to the MQTT broker.", s.connects);
  metric(out, "citytwin_ingest_disconnects_total", "counter",
         "Connections to the MQTT broker lost or closed.", s.disconnects);
  metric(out, "citytwin_ingest_not_kept_total", "counter",
         "Messages not acknowledged because their readings could not be "
         "journaled (the broker delivers them again).",
         s.not_kept);
  if (twin == nullptr)
    return std::move(out).str();
  metric(out, "citytwin_readings_received_total", "counter",
         "Readings the twin's routers received.", twin->readings);
  metric(out, "citytwin_readings_applied_total", "counter",
         "Readings entities applied.", twin->readings_applied());
  metric(out, "citytwin_entities_created_total", "counter",
         "Entities the twin's routers created at runtime.", twin->created);
  header(out, "citytwin_readings_rejected_total", "counter",
         "Readings the twin refused, by reason.");
  // Routers count unknown ids apart from the entities' rejections; one
  // label must appear once, so both go into the same line.
  constexpr auto unknown = static_cast<size_t>(twin::errc::unknown_entity);
  auto num_unknown = twin->unknown_entity;
  if (unknown < twin->rejected_by_reason.size())
    num_unknown += twin->rejected_by_reason[unknown];
  out << "citytwin_readings_rejected_total{reason=\"unknown_entity\"} "
      << num_unknown << '\n';
  for (size_t code = 1; code < twin->rejected_by_reason.size(); ++code) {
    auto n = twin->rejected_by_reason[code];
    if (n == 0 || code == unknown)
      continue;
    out << "citytwin_readings_rejected_total{reason=\""
        << twin::to_string(static_cast<twin::errc>(code)) << "\"} " << n
        << '\n';
  }
  metric(out, "citytwin_commands_total", "counter",
         "Commands sent to actuators (operators, rules, MQTT).",
         twin->commands);
  metric(out, "citytwin_commands_refused_total", "counter",
         "Commands an actuator refused or that named no actuator.",
         twin->commands_refused);
  return std::move(out).str();
}

} // namespace citytwin::ingest
