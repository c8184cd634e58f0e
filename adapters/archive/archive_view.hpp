// adapters/archive/archive_view.hpp
#pragma once

#include "adapters/archive/sample.hpp"
#include "adapters/archive/segment_set.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::archive {

/// A tenant's archive as it is on disk, read without a server and without
/// changing anything (no lock, nothing created or removed), for `citytwin
/// export`: the segments, the journal records no segment holds yet, and
/// where each stream's part of each segment starts, so that a long stream
/// is read in pieces of about one segment rather than whole. Works beside
/// a running server: a segment the server publishes meanwhile is read too,
/// or its journal records are.
class archive_view {
public:
  /// Opens `<root>/<tenant>`; `city` names the URNs of journal readings
  /// (the server's archive uses the city's name). errc::invalid_config
  /// when there is no such folder, errc::corrupt_file naming a damaged
  /// segment or journal file.
  static caf::expected<archive_view> open(const std::filesystem::path& root,
                                          const std::string& tenant,
                                          const std::string& city);

  /// Every stream of the tenant, sorted, each once.
  const std::vector<stream_name>& streams() const {
    return streams_;
  }

  /// The unit symbol the segments give for `name`, else its quantity's
  /// (may be empty).
  std::string unit_of(const stream_name& name) const;

  /// Times that cut [from, to) into pieces for `read`: `from`, each time
  /// a segment's part of the stream starts in between, and `to`. A piece
  /// then holds about one segment's samples of the stream.
  std::vector<twin::time_ms> pieces(const stream_name& name, twin::time_ms from,
                                    twin::time_ms to) const;

  /// The stream's samples with `from <= time < to`, oldest first; of equal
  /// times the newest segment's, and the journal's over any segment's.
  caf::expected<std::vector<sample>>
  read(const stream_name& name, twin::time_ms from, twin::time_ms to) const;

  /// Samples read from the journal (not yet in a segment).
  uint64_t journal_samples() const {
    return journal_samples_;
  }

private:
  struct stream_entry {
    std::string unit;
    std::vector<twin::time_ms> starts; // sorted, distinct
  };

  caf::error index_segments(const std::filesystem::path& folder);

  std::shared_ptr<segment_set> segments_; // null: no segments folder
  std::map<stream_name, stream_entry> index_;
  std::map<stream_name, std::vector<sample>> journal_;
  std::vector<stream_name> streams_;
  uint64_t journal_samples_ = 0;
};

} // namespace citytwin::archive
