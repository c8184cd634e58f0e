// adapters/archive/created_ids.hpp
#pragma once

// The entities `serve --unknown-ids create` made for ids no binding knew,
// kept across restarts: `<root>/<tenant>/created.log`, a checked log
// (checked_log.hpp) after `citytwin-created 1` of JSON lines
// `{"urn": "<entity URN>", "external": "<the id as it arrived>"}`. A
// binding is recorded before the entity is announced to the twin, so
// every archived reading of a created entity has its line; a restarted
// server creates the entities again before it restores their newest
// values, and binds the same external ids to the same URNs.

#include "adapters/archive/checked_log.hpp"
#include "twin/entity_id.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace citytwin::archive {

/// An external id and the entity it was bound to.
using created_binding = std::pair<std::string, twin::entity_id>;

class created_ids {
public:
  /// Opens (creating) `file` of city `city` and reads its bindings back
  /// (errc::corrupt_file naming a damaged line).
  static caf::expected<
    std::pair<std::shared_ptr<created_ids>, std::vector<created_binding>>>
  open(const std::filesystem::path& file, std::string city,
       journal_sync sync);

  /// Reads `file` without changing it (exports beside a running server).
  static caf::expected<std::vector<created_binding>>
  read(const std::filesystem::path& file, const std::string& city);

  /// Records one binding; errc::out_of_space and the like when it could
  /// not be (then the entity must not be created).
  caf::error keep(std::string_view external, twin::entity_id id);

  uint64_t refused() const {
    return lines_->refused();
  }

private:
  created_ids(std::unique_ptr<checked_log> lines, std::string city)
    : lines_(std::move(lines)), city_(std::move(city)) {
  }

  std::unique_ptr<checked_log> lines_;
  std::string city_;
};

} // namespace citytwin::archive
