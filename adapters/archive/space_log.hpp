// adapters/archive/space_log.hpp
#pragma once

// What the NGSI-LD API wrote into a tenant's space, kept across restarts:
// the entities clients created (not the city's live entities, which the
// city file and the archive restore) and the subscriptions with their
// delivery counters. One file, `<archive>/<tenant>/space.log`, of text
// checksummed lines (archive/checked_log.hpp) after `citytwin-space 1`,
// each a JSON record:
//
//     {"entity": {...}}                   created or changed: the whole document
//     {"deleteEntity": "<id>"}
//     {"subscription": {"owner": .., "document": {..}, "status": {..}}}
//     {"deleteSubscription": "<id>"}
//
// A change is appended (one write(2); fdatasync with journal_sync::disk)
// before the API answers 2xx, so what the API acknowledged survives
// `kill -9`. Opening reads the file back, the caller restores it, and
// `rewrite` replaces the file by one record per thing that exists (at
// start and at a clean stop, with the counters as they are then). The
// broker's tenant spaces keep it (adapters/broker/space_restore.hpp);
// `citytwin export` and `snapshot` read it.

#include "adapters/archive/checked_log.hpp"
#include "adapters/archive/tenant_lock.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::archive {

using json = nlohmann::json;

/// A subscription as the log keeps it.
struct logged_subscription {
  std::string id;
  std::string owner;
  json document;
  /// `timesSent`, `timesFailed`, `lastNotification`, `lastSuccess`,
  /// `lastFailure` when known.
  json status = json::object();
};

/// What a space log held when it was opened, in the order things were
/// first created.
struct space_contents {
  std::vector<json> entities;
  std::vector<logged_subscription> subscriptions;
  size_t records = 0;    ///< records read
  size_t torn_bytes = 0; ///< of an unfinished last line, dropped
};

class space_log {
public:
  /// Opens (creating) `file` and reads what it holds.
  static caf::expected<std::pair<std::shared_ptr<space_log>, space_contents>>
  open(const std::filesystem::path& file, journal_sync sync);

  /// Reads `file` without changing it (exports beside a running server).
  static caf::expected<space_contents> read(const std::filesystem::path& file);

  /// Appends a record; on failure (disk full: errc::out_of_space) nothing
  /// of it stays in the file and the change must not be acknowledged.
  caf::error put_entity(const json& entity);
  caf::error delete_entity(std::string_view id);
  caf::error put_subscription(const logged_subscription& sub);
  caf::error delete_subscription(std::string_view id);

  /// Replaces the file by these records (temporary file, fsync, rename).
  caf::error rewrite(const std::vector<json>& entities,
                     const std::vector<logged_subscription>& subscriptions);

  const std::filesystem::path& file() const {
    return lines_->file();
  }

  /// Keeps `lock` (the tenant folder's, tenant_lock.hpp) as long as the
  /// log lives, for tenants whose archive does not hold it already.
  void hold(tenant_lock lock) {
    lock_ = std::move(lock);
  }

  /// Time to `rewrite` (checked_log::grown).
  bool grown() const {
    return lines_->grown();
  }

  /// Appends refused (disk full, I/O errors), for /metrics.
  uint64_t refused() const {
    return lines_->refused();
  }

private:
  explicit space_log(std::unique_ptr<checked_log> lines)
    : lines_(std::move(lines)) {
  }

  std::unique_ptr<checked_log> lines_;
  tenant_lock lock_;
};

/// Reads the records (JSON texts, oldest first) into `out`; the number of
/// the first record that makes no sense and why, or 0.
std::pair<size_t, std::string>
read_space_records(const std::vector<std::string>& records,
                   space_contents& out);

} // namespace citytwin::archive
