// twin/import/xml_reader.hpp
#pragma once

#include <caf/error.hpp>

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::twin::import {

/// One XML start tag as the importers see it: name, attributes, line.
/// Valid only during the callback that receives it.
class xml_element {
public:
  xml_element(std::string_view name, const char** attributes, size_t line)
    : name_(name), attributes_(attributes), line_(line) {
  }

  std::string_view name() const {
    return name_;
  }

  /// The 1-based line of the start tag in the input.
  size_t line() const {
    return line_;
  }

  /// The value of an attribute, or nullopt if the tag does not carry it.
  std::optional<std::string_view> attribute(std::string_view key) const;

  /// The value of an attribute, or `fallback` if the tag does not carry it.
  std::string_view attribute_or(std::string_view key,
                                std::string_view fallback) const;

private:
  std::string_view name_;
  const char** attributes_; // expat's NULL-terminated key/value array
  size_t line_;
};

/// What a reader does with the elements of a document.
struct xml_callbacks {
  std::function<void(const xml_element&)> on_start;
  /// Called with the element's name when its end tag is read.
  std::function<void(std::string_view)> on_end;
};

/// Streams an XML document through libexpat, calling back per element.
/// A document that is not well-formed XML (truncated, mismatched tags,
/// bad encoding) yields `errc::invalid_city` with `file:line: message`.
/// Callbacks collect their own problems; parsing continues after them.
caf::error read_xml(std::istream& in, std::string_view file_name,
                    const xml_callbacks& callbacks);

} // namespace citytwin::twin::import
