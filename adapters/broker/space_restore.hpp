// adapters/broker/space_restore.hpp
#pragma once

// A restarted server gets back what the API wrote before: the space log
// of each tenant (space_log.hpp) read into its space before the TENANT
// starts, and kept from then on.

#include "adapters/archive/journal.hpp"
#include "adapters/broker/broker.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace citytwin::broker {

struct space_restore_report {
  size_t entities = 0;      ///< API entities restored
  size_t subscriptions = 0; ///< subscriptions restored, with counters
  /// Left out, each with a line saying why: an entity whose id is now a
  /// live entity of the city, a subscription whose owner's token is gone
  /// or may no longer subscribe, or whose endpoint the tenant's outbound
  /// policy no longer allows.
  size_t dropped = 0;
};

/// Restores `<root>/<tenant>/space.log` into every tenant's space the
/// broker still seeds (call before `start_tenants`), keeps each space's
/// API writes in its log from then on and rewrites each log from what was
/// restored. `note` gets one line per dropped thing. errc::corrupt_file
/// naming a damaged log: the server must not start over it.
caf::expected<space_restore_report>
keep_spaces(broker& brk, const std::filesystem::path& root,
            archive::journal_sync sync,
            const std::function<void(const std::string&)>& note);

} // namespace citytwin::broker
