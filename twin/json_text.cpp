// twin/json_text.cpp
#include "twin/json_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace citytwin::twin {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  size_t plain_from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(text.data() + plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xf];
    }
  }
  out.append(text.data() + plain_from, text.size() - plain_from);
  out += '"';
}

void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  std::array<char, 32> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  std::string_view text{buf.data(), static_cast<size_t>(end - buf.data())};
  out += text;
  // nlohmann writes integral doubles as "1.0", which keeps them doubles
  // when read back.
  if (text.find_first_of(".eEn") == std::string_view::npos)
    out += ".0";
}

void append_json_position(std::string& out, geo_point p) {
  out += '[';
  append_json_number(out, p.lon);
  out += ',';
  append_json_number(out, p.lat);
  out += ']';
}

} // namespace citytwin::twin
