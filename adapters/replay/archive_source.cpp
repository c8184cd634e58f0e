// adapters/replay/archive_source.cpp
#include "adapters/replay/archive_source.hpp"

#include "adapters/ingest/topic.hpp"
#include "twin/civil_time.hpp"
#include "twin/error.hpp"
#include "twin/iso_time.hpp"

#include <algorithm>
#include <filesystem>

namespace citytwin::replay {

namespace {

namespace fs = std::filesystem;

// The topic levels of replayed messages below `city/<into>/`: the ingest
// reads the entity ids from the Protobuf payload, not from the topic.
constexpr std::string_view replay_kind = "archive";
constexpr std::string_view replay_sensor = "replay";

caf::error refuse(std::string text) {
  return caf::make_error(twin::errc::invalid_config, std::move(text));
}

// The tenants with an archive below `root`, for a refusal's message.
std::string tenants_in(const fs::path& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator{root, ec})
    if (fs::is_directory(entry.path() / "segments", ec))
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  std::string result;
  for (const auto& name : names)
    result += (result.empty() ? "" : ", ") + name;
  return result.empty() ? "none" : result;
}

// Checks what can be checked without the archive.
caf::error check_request(const archive_request& req) {
  if (req.into.empty())
    return refuse("--into TENANT is required with --archive: the tenant "
                  "(a replay tenant or a scenario fork) whose topics get the "
                  "readings");
  if (req.into == req.tenant)
    return refuse("refusing to replay tenant '" + req.tenant
                  + "' into itself: the live twin would take old readings "
                    "as new; --into must name another tenant");
  if (!ingest::parse_topic(
          ingest::make_topic(req.into, replay_kind, replay_sensor)))
    return refuse("--into '" + req.into
                  + "' is not a topic level (no '/', "
                    "'+', '#' or control characters)");
  if (req.tenant.empty())
    return refuse("--tenant TENANT is required with --archive: whose "
                  "archive to replay");
  return {};
}

} // namespace

caf::expected<archive_source> archive_source::open(const archive_request& req) {
  if (auto err = check_request(req))
    return err;
  auto from = twin::parse_iso_time(req.from);
  if (!from)
    return refuse("--from is not an ISO 8601 time: '" + req.from + "'");
  auto to = twin::parse_iso_time(req.to);
  if (!to)
    return refuse("--to is not an ISO 8601 time: '" + req.to + "'");
  if (*from >= *to)
    return refuse("--from must be before --to: the interval [" + req.from + ", "
                  + req.to + ") is empty");
  std::vector<twin::entity_kind> kinds;
  for (const auto& type : req.types) {
    auto kind = twin::parse_ngsi_type(type);
    if (!kind)
      return refuse("--types: unknown entity type '" + type
                    + "' (NGSI-LD types, e.g. TrafficCounter)");
    kinds.push_back(*kind);
  }
  auto folder = fs::path{req.root} / req.tenant / "segments";
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    return refuse("no archive of tenant '" + req.tenant + "' in " + req.root
                  + " (no folder " + folder.string()
                  + "); tenants there: " + tenants_in(req.root));
  auto segments
      = archive::segment_set::open(folder, archive::open_mode::read_only);
  if (!segments)
    return segments.error();
  archive_source result;
  auto names = (*segments)->stream_names();
  result.selection_ = select_streams(names, kinds);
  if (result.selection_.streams.empty())
    return refuse("no stream of tenant '" + req.tenant + "' to replay ("
                  + std::to_string(names.size()) + " archived, "
                  + std::to_string(result.selection_.num_filtered)
                  + " of other types, "
                  + std::to_string(result.selection_.num_foreign)
                  + " not of twin entities)");
  // The city's name is the live twin's default topic tenant too.
  if (req.into == result.selection_.city)
    return refuse("refusing to replay into '" + req.into
                  + "': it is the archived city's own (live) tenant; --into "
                    "must name another tenant");
  result.segments_ = std::move(*segments);
  result.topic_ = ingest::make_topic(req.into, replay_kind, replay_sensor);
  result.next_ = *from;
  result.to_ = *to;
  return result;
}

caf::expected<std::vector<event>> archive_source::next() {
  while (next_ < to_) {
    auto covered = segments_->next_covered(next_);
    if (!covered || *covered >= to_)
      break;
    next_ = std::max(next_, *covered);
    // to_ - next_ cannot overflow (both are real times); next_ + window_
    // could for an open-ended `to`.
    auto end = to_ - next_ > window_ ? next_ + window_ : to_;
    twin::reading_batch readings;
    bool too_many = false;
    for (const auto& stream : selection_.streams) {
      auto xs = segments_->read(stream.name, next_, end);
      if (!xs)
        return xs.error();
      if (readings.size() + xs->size() > defaults::max_window_readings) {
        too_many = true;
        break;
      }
      append_readings(stream, *xs, readings);
    }
    if (too_many) {
      if (window_ <= defaults::min_archive_window_ms)
        return refuse("more than "
                      + std::to_string(defaults::max_window_readings)
                      + " readings within " + std::to_string(window_ / 1000)
                      + " s from " + twin::format_iso_time(next_)
                      + ": too many to hold; replay fewer --types");
      window_ = std::max(defaults::min_archive_window_ms, window_ / 2);
      continue;
    }
    next_ = end;
    // Back towards the default once the dense part is over.
    window_ = std::min(defaults::archive_window_ms, window_ * 2);
    if (readings.empty())
      continue;
    auto result = make_messages(readings, topic_, selection_.city);
    totals_.readings += readings.size();
    totals_.messages += result.size();
    ++totals_.windows;
    return result;
  }
  next_ = to_;
  return std::vector<event>{};
}

} // namespace citytwin::replay
