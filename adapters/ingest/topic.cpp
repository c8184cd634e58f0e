// adapters/ingest/topic.cpp
#include "adapters/ingest/topic.hpp"

#include <algorithm>
#include <array>

namespace citytwin::ingest {

namespace {

bool valid_level(std::string_view level) {
  return !level.empty()
         && std::none_of(level.begin(), level.end(), [](char c) {
              auto u = static_cast<unsigned char>(c);
              return u < 0x20 || u == 0x7F || c == '+' || c == '#';
            });
}

} // namespace

std::optional<topic_parts> parse_topic(std::string_view topic,
                                       std::string_view root) {
  std::array<std::string_view, 4> levels;
  size_t n = 0;
  size_t start = 0;
  while (true) {
    auto slash = topic.find('/', start);
    if (n == levels.size())
      return std::nullopt; // more than four levels
    levels[n++] = topic.substr(start, slash - start);
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  if (n != levels.size() || levels[0] != root)
    return std::nullopt;
  for (auto level : levels)
    if (!valid_level(level))
      return std::nullopt;
  return topic_parts{levels[1], levels[2], levels[3]};
}

std::string topic_filter(std::string_view tenant, std::string_view root) {
  std::string result{root};
  result += '/';
  result += tenant;
  result += "/+/+";
  return result;
}

std::string make_topic(std::string_view tenant, std::string_view kind,
                       std::string_view sensor, std::string_view root) {
  std::string result{root};
  for (auto level : {tenant, kind, sensor}) {
    result += '/';
    result += level;
  }
  return result;
}

} // namespace citytwin::ingest
