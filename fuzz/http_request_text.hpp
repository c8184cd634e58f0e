// fuzz/http_request_text.hpp: an HTTP request from a plain text form,
// for ngsi_api_fuzz and its regression tests (tests/fuzz_regressions.cpp):
//   METHOD /path?query
//   Header-Name: value
//   (empty line)
//   body
// turned into what the Beast listener hands `ngsi_api::handle`.
#pragma once

#include "adapters/ngsi/http_listener.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace citytwin::fuzz {

namespace detail {

inline std::string lower(std::string_view text) {
  std::string result{text};
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return result;
}

inline std::string_view next_line(std::string_view& rest) {
  auto end = rest.find('\n');
  auto result = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{}
                                       : rest.substr(end + 1);
  if (!result.empty() && result.back() == '\r')
    result.remove_suffix(1);
  return result;
}

} // namespace detail

/// One request from its text form; as Beast would hand it over: lower-case
/// header names, path and query split at '?'.
inline ngsi::http_request parse_request(std::string_view text) {
  ngsi::http_request result;
  result.remote = "127.0.0.1";
  auto start = detail::next_line(text);
  auto space = start.find(' ');
  result.method = std::string{start.substr(0, space)};
  auto target = space == std::string_view::npos ? std::string_view{}
                                                : start.substr(space + 1);
  auto question = target.find('?');
  result.path = std::string{target.substr(0, question)};
  if (question != std::string_view::npos)
    result.query = std::string{target.substr(question + 1)};
  while (!text.empty()) {
    auto line = detail::next_line(text);
    if (line.empty())
      break;
    auto colon = line.find(':');
    auto value = colon == std::string_view::npos ? std::string_view{}
                                                 : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    result.headers.emplace_back(detail::lower(line.substr(0, colon)),
                                std::string{value});
  }
  result.body = std::string{text};
  result.has_length = result.header("content-length") != nullptr;
  if (const auto* te = result.header("transfer-encoding"))
    result.chunked = detail::lower(*te).find("chunked") != std::string::npos;
  return result;
}

} // namespace citytwin::fuzz
