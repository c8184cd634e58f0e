// adapters/archive/tenant_archive.hpp
#pragma once

#include "adapters/archive/journal.hpp"
#include "adapters/archive/sample.hpp"
#include "adapters/archive/segment_set.hpp"
#include "adapters/archive/tenant_lock.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <functional>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace citytwin::archive {

struct archive_options {
  /// `<root>/<tenant>/journal` and `<root>/<tenant>/segments`.
  std::filesystem::path root;
  std::string tenant;
  /// The city whose URNs the readings' entity ids become.
  std::string city;
  journal_sync sync = journal_sync::process;
  /// A segment file is written this often (wall time) ...
  std::chrono::milliseconds segment_every{std::chrono::minutes{5}};
  /// ... or as soon as this many samples wait in memory.
  size_t segment_samples = 4'000'000;

  caf::error validate() const;
};

/// Whether `name` can name a tenant's folder: 1 to 64 of [A-Za-z0-9._-],
/// not starting with a dot. Hidden folders beside the tenants are
/// citytwin's own (a restore or an erase in progress), never a tenant.
bool valid_tenant_name(std::string_view name);

/// `<root>/<tenant>` when `tenant` is a valid name and its folder exists;
/// errc::invalid_config "no archive of tenant ..." otherwise (for the
/// commands that read or remove a tenant: export, erase, snapshot).
caf::expected<std::filesystem::path>
existing_tenant_folder(const std::filesystem::path& root,
                       const std::string& tenant);

/// What an archive counts, for /metrics.
struct archive_stats {
  uint64_t buffered = 0;       ///< samples in memory, not yet in a segment
  uint64_t archived = 0;       ///< samples written to segments since start
  uint64_t segments = 0;       ///< segment files now
  uint64_t bytes_on_disk = 0;  ///< of the segment files
  uint64_t write_errors = 0;   ///< segment writes that failed (disk full...)
  uint64_t journal_through = 0;
  journal_stats journal;
};

/// Keeps accepted readings before they are acknowledged (below); an error
/// means they were not kept and must not be acknowledged.
using keep_fn = std::function<caf::error(const twin::reading_batch&)>;

/// One tenant's history: the journal every accepted reading is appended
/// to before it is acknowledged, the samples read back from it that wait
/// in memory, and the immutable HDF5 segments they end up in. The writer
/// side (`catch_up`, `publish`) runs on the ARCHIVE WRITER's thread
/// only (archive_writer.hpp); reads come from any thread and never wait
/// for a segment being written: the samples being written stay readable
/// in memory until their segment is in the set.
class tenant_archive {
public:
  /// Opens `<root>/<tenant>`: locks it (tenant_lock.hpp; errc::in_use
  /// while another process has it open or erases it, before anything is
  /// touched), checks every segment (a damaged one is errc::corrupt_file
  /// naming it), opens the journal and positions the reader after the
  /// newest segment's `journal_through`, so what the server acknowledged
  /// before it stopped, however it stopped, is read again and archived.
  /// The lock is held for the archive's lifetime.
  static caf::expected<std::shared_ptr<tenant_archive>>
  open(archive_options opts);

  const archive_options& options() const {
    return opts_;
  }

  /// Where readings are appended before they are acknowledged.
  journal& log() {
    return *journal_;
  }

  // -- writer side -----------------------------------------------------------

  /// Reads what the journal gained into memory (at most `max_readings`);
  /// the number of readings read.
  caf::expected<size_t> catch_up(size_t max_readings);

  /// True when a segment is due at wall time `now`.
  bool segment_due(std::chrono::steady_clock::time_point now) const;

  /// Writes what waits in memory as a segment and releases the journal
  /// files it covers. On failure (disk full) the samples stay in memory
  /// and the journal keeps them; the error is counted.
  caf::error publish(std::chrono::steady_clock::time_point now);

  // -- derived streams -------------------------------------------------------

  /// Keeps a sample of a stream the twin derives rather than measures (a
  /// VirtualSensor's value, an Alert's status), named like any stream: it
  /// waits in memory, is read like any other, and goes into the next
  /// segment with the readings. Not journaled: what was derived since the
  /// last segment is lost with the process (kill -9), the readings it was
  /// derived from are not. Any thread.
  void keep_derived(const stream_name& name, sample s);

  // -- restart ---------------------------------------------------------------

  /// The newest sample of every stream the archive holds, as readings in
  /// time order per entity: what the twin's entities measured last, for a
  /// restarted server to start from. Read from `latest.bin` (the newest
  /// value of every stream as of the newest segment, written with it) and
  /// the journal records after it, so it costs one file and the journal's
  /// tail, not a pass over the history. errc::corrupt_file naming the file
  /// when `latest.bin` is damaged.
  caf::expected<twin::reading_batch> latest_state() const;

  /// The newest sample time `latest_state` found (0 when none).
  twin::time_ms newest_time() const;

  // -- reader side -----------------------------------------------------------

  /// The stream's samples with `from <= time < to`, oldest first, from the
  /// segments and from memory.
  caf::expected<std::vector<sample>>
  read(const stream_name& name, twin::time_ms from, twin::time_ms to) const;

  /// The newest `n` samples with time < `to`, oldest first.
  caf::expected<std::vector<sample>>
  read_last(const stream_name& name, size_t n, twin::time_ms to) const;

  /// Whether any sample of the entity exists (any quantity).
  std::vector<stream_name> streams_of(const std::string& entity) const;

  archive_stats stats() const;

private:
  tenant_archive() = default;

  // Samples in memory, by stream. Keys are the twin's compact ids; names
  // are made when a segment is written.
  using stream_key = uint64_t; // pack(entity) << 5 | quantity
  using buffer = std::unordered_map<stream_key, std::vector<sample>>;

  std::optional<stream_key> key_of(const stream_name& name) const;
  // Merges the newest sample per stream of `writing_` into latest.bin.
  caf::error write_latest(uint64_t through);
  stream_name name_of(stream_key key) const;
  void collect(const buffer& from_buffer, stream_key key, twin::time_ms from,
               twin::time_ms to, std::vector<sample>& out) const;
  // The stream's samples in [from, to) not yet in a segment, sorted.
  std::vector<sample> in_memory(const stream_name& name, twin::time_ms from,
                                twin::time_ms to) const;

  archive_options opts_;
  tenant_lock lock_;
  std::shared_ptr<journal> journal_;
  std::unique_ptr<journal_reader> reader_; // writer thread only
  std::shared_ptr<segment_set> segments_;
  std::chrono::steady_clock::time_point last_publish_;

  mutable std::mutex mtx_; // guards what follows
  buffer open_;       // read from the journal, not yet being written
  buffer writing_;    // being written as a segment right now
  // The same for derived streams, by name.
  std::map<stream_name, std::vector<sample>> derived_open_;
  std::map<stream_name, std::vector<sample>> derived_writing_;
  uint64_t open_through_ = 0; // journal sequence read into open_
  size_t open_samples_ = 0;
  uint64_t archived_ = 0;
  uint64_t write_errors_ = 0;
  mutable twin::time_ms newest_time_ = 0;
};

/// What `tenant_archive::latest_state` answers, read from the tenant's
/// folder `<root>/<tenant>` without opening the archive: nothing is
/// created, changed or locked, so it works beside a running server
/// (`citytwin export`). An empty batch when the folder holds no history.
caf::expected<twin::reading_batch>
read_latest_state(const std::filesystem::path& folder);

/// The counters in Prometheus text format, `citytwin_archive_*`, labelled
/// with the tenant.
std::string render_prometheus(const archive_stats& s,
                              const std::string& tenant);

/// Journals into `archive` (a null archive keeps nothing and needs no
/// keeping: an empty function).
keep_fn keep_in(std::shared_ptr<tenant_archive> archive);

} // namespace citytwin::archive
