// twin/problem_list.hpp
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace citytwin::twin {

/// The problems a reader of a configuration file found, each with its
/// line, reported together in file order: startup input reports every
/// problem at once (city files, tenants files).
class problem_list {
public:
  /// Keeps the text of at most `max_kept` problems (and counts the rest).
  explicit problem_list(std::string origin, size_t max_kept = 1000)
      : origin_(std::move(origin)), max_kept_(max_kept) {
  }

  /// Records a problem at `line` as `origin:line: message`.
  void add(size_t line, std::string_view message);

  size_t size() const {
    return num_problems_;
  }

  bool empty() const {
    return num_problems_ == 0;
  }

  /// `N problem(s) in origin` and one line per problem, sorted by line
  /// (cross-reference problems are often found last).
  std::string report() const;

private:
  std::string origin_;
  size_t max_kept_;
  size_t num_problems_ = 0;
  std::vector<std::pair<size_t, std::string>> kept_; // line, text
};

} // namespace citytwin::twin
