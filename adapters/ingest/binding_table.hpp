// adapters/ingest/binding_table.hpp
#pragma once

#include "adapters/ingest/device_index.hpp"
#include "adapters/ingest/reject_reason.hpp"
#include "twin/entity_id.hpp"
#include "twin/quantity.hpp"

#include <caf/expected.hpp>

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>

namespace citytwin::ingest {

/// Where one external measurement goes in the twin.
struct binding {
  twin::entity_id target;
  twin::quantity what = twin::quantity::vehicle_flow;
};

/// The outcome of a lookup: a binding, or why there is none
/// (unknown_entity or unknown_quantity).
struct binding_lookup {
  binding found;
  reject_reason reason = reject_reason::unknown_entity;
  bool ok = false;
};

/// Maps external sensor names (SenML full names) to twin entities and
/// quantities. Two kinds of entries (format in data/bindings/README.md):
/// `name <full-name> <urn> <quantity>` binds one name exactly;
/// `device <prefix> <urn>` binds every name `<prefix><quantity>`, where the
/// prefix ends in `:` or `/` (a SenML base name) and the rest is a quantity
/// name (`pm10`, `mean_speed`, or its NGSI-LD name).
class binding_table {
public:
  /// Adds an exact binding; false if the name is already bound.
  bool add_name(std::string name, binding b);

  /// Adds a device binding; false if the prefix is already bound or does
  /// not end in `:` or `/`.
  bool add_device(std::string prefix, twin::entity_id target);

  /// The last device a caller found, to skip the table for the next
  /// record of the same pack (records of a pack share their base name).
  /// Owned by one caller (a decoder); the table itself stays read-only.
  struct device_memo {
    std::string prefix;
    twin::entity_id target;
    bool valid = false;
  };

  /// Looks a full name up: exact names first, then the device prefix up
  /// to the last `:` or `/`.
  binding_lookup find(std::string_view name) const;

  /// The same as `find(name)`, remembering the device in `memo`.
  binding_lookup find(std::string_view name, device_memo& memo) const;

  /// The city all bound URNs belong to.
  const std::string& city() const {
    return city_;
  }

  void city(std::string name) {
    city_ = std::move(name);
  }

  size_t size() const {
    return names_.size() + devices_.size();
  }

private:
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };

  template <class T>
  using map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

  std::string city_;
  map<binding> names_;
  device_index devices_;
};

/// Reads a binding file. Reports every bad line at once (startup input)
/// as errc::invalid_config; URNs of another city than the `city` line are
/// errors too.
caf::expected<binding_table> read_bindings(std::istream& in,
                                           std::string_view file_name);

/// Opens and reads a binding file; errc::io_failure if it cannot be read.
caf::expected<binding_table> load_bindings(const std::string& path);

} // namespace citytwin::ingest
