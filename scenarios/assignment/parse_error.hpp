// scenarios/assignment/parse_error.hpp
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace citytwin::scenarios::assignment {

/// One problem found in an input file, located by file and 1-based line.
///
/// Line 0 means the problem concerns the file as a whole (for example a file
/// that cannot be opened or a count that disagrees with the metadata).
struct parse_error {
  std::string file;
  std::size_t line = 0;
  std::string message;
};

/// Formats an error as `file:line: message`, the form compilers use, so that
/// editors and terminals can jump to the offending line.
std::string to_string(const parse_error& error);

/// A value or the list of every problem that prevented it.
///
/// g++ 12 has no `std::expected` in C++20 mode; this is the small subset we
/// need. Loaders report all problems at once (house rule for startup input),
/// hence a vector of errors rather than a single one.
template <class T>
class result {
public:
  result(T value) : state_(std::move(value)) {
  }

  result(std::vector<parse_error> errors) : state_(std::move(errors)) {
  }

  result(parse_error error) : state_(std::vector<parse_error>{std::move(error)}) {
  }

  /// True when the result holds a value.
  bool has_value() const noexcept {
    return std::holds_alternative<T>(state_);
  }

  explicit operator bool() const noexcept {
    return has_value();
  }

  /// @pre `has_value()`
  T& value() & {
    return std::get<T>(state_);
  }

  /// @pre `has_value()`
  const T& value() const& {
    return std::get<T>(state_);
  }

  /// @pre `has_value()`
  T&& value() && {
    return std::get<T>(std::move(state_));
  }

  /// @pre `!has_value()`
  const std::vector<parse_error>& errors() const {
    return std::get<std::vector<parse_error>>(state_);
  }

private:
  std::variant<T, std::vector<parse_error>> state_;
};

} // namespace citytwin::scenarios::assignment
