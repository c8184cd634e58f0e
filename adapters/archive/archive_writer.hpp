// adapters/archive/archive_writer.hpp
#pragma once

#include "adapters/archive/tenant_archive.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace citytwin::archive {

/// A tenant's archive with its ARCHIVE WRITER running: a detached actor
/// (a thread of its own, since it writes files) that reads what the
/// journal gained every `poll` and writes a segment whenever one is due.
/// Ingest never waits for it: readings are acknowledged once journaled,
/// and the writer follows at its own pace. Stopping (or destroying) it
/// archives whatever is still in the journal or in memory.
class running_archive {
public:
  using log_sink = std::function<void(const std::string&)>;

  running_archive() = default;
  running_archive(caf::actor_system& sys,
                  std::shared_ptr<tenant_archive> archive,
                  std::chrono::milliseconds poll, log_sink log);
  ~running_archive();
  running_archive(running_archive&&) noexcept = default;
  running_archive& operator=(running_archive&&) noexcept = default;

  const std::shared_ptr<tenant_archive>& get() const {
    return archive_;
  }

  explicit operator bool() const {
    return archive_ != nullptr;
  }

  /// Stops the writer and archives the rest; idempotent. errc of the last
  /// segment write if it failed (the journal still has those readings).
  caf::error stop();

private:
  caf::actor_system* sys_ = nullptr;
  std::shared_ptr<tenant_archive> archive_;
  caf::actor writer_;
};

} // namespace citytwin::archive
