// twin/problem_list.cpp
#include "twin/problem_list.hpp"

#include <algorithm>

namespace citytwin::twin {

void problem_list::add(size_t line, std::string_view message) {
  ++num_problems_;
  if (kept_.size() < max_kept_)
    kept_.emplace_back(line, origin_ + ":" + std::to_string(line) + ": "
                                 + std::string{message});
}

std::string problem_list::report() const {
  auto sorted = kept_;
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string result
      = std::to_string(num_problems_) + " problem(s) in " + origin_;
  for (const auto& p : sorted)
    result += "\n" + p.second;
  if (num_problems_ > sorted.size())
    result += "\n... and " + std::to_string(num_problems_ - sorted.size())
              + " more";
  return result;
}

} // namespace citytwin::twin
