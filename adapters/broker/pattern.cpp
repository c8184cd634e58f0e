// adapters/broker/pattern.cpp
#include "adapters/broker/pattern.hpp"

namespace citytwin::broker {

std::regex compile_pattern(std::string_view pattern) {
  if (pattern.size() > max_pattern_length)
    throw std::regex_error(std::regex_constants::error_complexity);
  size_t depth = 0;
  bool escaped = false;
  for (char c : pattern) {
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c == '\\')
      escaped = true;
    else if (c == '(' && ++depth > max_pattern_nesting)
      throw std::regex_error(std::regex_constants::error_complexity);
    else if (c == ')' && depth > 0)
      --depth;
  }
  auto flags = std::regex::ECMAScript;
  if (pattern.starts_with("(?i)")) {
    pattern.remove_prefix(4);
    flags |= std::regex::icase;
  }
#ifdef __GLIBCXX__
  // libstdc++'s default backtracking matcher recurses once per input
  // character and overflows the stack on long values (200 kB of `(a|b)*`
  // is enough); its Thompson-NFA mode runs in bounded stack.
  flags |= std::regex_constants::__polynomial;
#endif
  return std::regex{pattern.begin(), pattern.end(), flags};
}

} // namespace citytwin::broker
