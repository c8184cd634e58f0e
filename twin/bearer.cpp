// twin/bearer.cpp
#include "twin/bearer.hpp"

namespace citytwin::twin {

std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer";
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!header.empty() && blank(header.front()))
    header.remove_prefix(1);
  while (!header.empty() && blank(header.back()))
    header.remove_suffix(1);
  if (header.size() <= scheme.size())
    return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    auto c = header[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i])
      return std::nullopt;
  }
  auto rest = header.substr(scheme.size());
  if (!blank(rest.front()))
    return std::nullopt;
  while (!rest.empty() && blank(rest.front()))
    rest.remove_prefix(1);
  if (rest.empty())
    return std::nullopt;
  return rest;
}

} // namespace citytwin::twin
