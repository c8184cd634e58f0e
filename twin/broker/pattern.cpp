// twin/broker/pattern.cpp
#include "twin/broker/pattern.hpp"

namespace citytwin::broker {

std::regex compile_pattern(std::string_view pattern) {
  if (pattern.size() > max_pattern_length)
    throw std::regex_error(std::regex_constants::error_complexity);
  size_t depth = 0;
  bool escaped = false;
  size_t digits = 0; // of the number being read inside {m,n}
  bool in_braces = false;
  for (char c : pattern) {
    if (escaped) {
      escaped = false;
      // Back-references: the linear-time matcher refuses them anyway, and
      // libstdc++ reads the number before refusing, overflowing on long
      // ones (\\8888888888888888888 is undefined behaviour).
      if (c >= '1' && c <= '9')
        throw std::regex_error(std::regex_constants::error_backref);
      continue;
    }
    if (c == '\\') {
      escaped = true;
    } else if (c == '(' && ++depth > max_pattern_nesting) {
      throw std::regex_error(std::regex_constants::error_complexity);
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (c == '{') {
      in_braces = true;
      digits = 0;
    } else if (c == '}' || c == ',') {
      in_braces = c == ',' && in_braces;
      digits = 0;
    } else if (in_braces && c >= '0' && c <= '9'
               && ++digits > max_repeat_digits) {
      // a{8888888888888888888} overflows libstdc++'s counter (undefined
      // behaviour), and a{100000} builds that many states.
      throw std::regex_error(std::regex_constants::error_brace);
    }
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
