// twin/import/xml_reader.cpp
#include "twin/import/xml_reader.hpp"

#include "twin/error.hpp"

#include <expat.h>

#include <array>
#include <istream>
#include <memory>

namespace citytwin::twin::import {

namespace {

// Large enough that a multi-megabyte route file takes few parser calls,
// small enough to live on the stack of any thread.
constexpr size_t chunk_size = 64 * 1024;

struct parser_deleter {
  void operator()(XML_Parser p) const {
    XML_ParserFree(p);
  }
};

using parser_ptr = std::unique_ptr<XML_ParserStruct, parser_deleter>;

struct context {
  const xml_callbacks* callbacks;
  XML_Parser parser;
};

void XMLCALL start_element(void* user, const XML_Char* name,
                           const XML_Char** attributes) {
  auto* ctx = static_cast<context*>(user);
  if (!ctx->callbacks->on_start)
    return;
  auto line = static_cast<size_t>(XML_GetCurrentLineNumber(ctx->parser));
  ctx->callbacks->on_start(xml_element{name, attributes, line});
}

void XMLCALL end_element(void* user, const XML_Char* name) {
  auto* ctx = static_cast<context*>(user);
  if (ctx->callbacks->on_end)
    ctx->callbacks->on_end(name);
}

} // namespace

std::optional<std::string_view>
xml_element::attribute(std::string_view key) const {
  for (auto** a = attributes_; a != nullptr && *a != nullptr; a += 2)
    if (key == a[0])
      return std::string_view{a[1]};
  return std::nullopt;
}

std::string_view xml_element::attribute_or(std::string_view key,
                                           std::string_view fallback) const {
  auto result = attribute(key);
  return result ? *result : fallback;
}

caf::error read_xml(std::istream& in, std::string_view file_name,
                    const xml_callbacks& callbacks) {
  parser_ptr parser{XML_ParserCreate(nullptr)};
  if (!parser)
    return caf::make_error(errc::io_failure,
                           std::string{file_name} + ": out of memory");
  context ctx{&callbacks, parser.get()};
  XML_SetUserData(parser.get(), &ctx);
  XML_SetElementHandler(parser.get(), start_element, end_element);
  std::array<char, chunk_size> buffer;
  for (;;) {
    in.read(buffer.data(), buffer.size());
    auto n = in.gcount();
    if (in.bad())
      return caf::make_error(errc::io_failure,
                             std::string{file_name} + ": read error");
    bool last = n < static_cast<std::streamsize>(buffer.size());
    if (XML_Parse(parser.get(), buffer.data(), static_cast<int>(n),
                  last ? XML_TRUE : XML_FALSE)
        == XML_STATUS_ERROR) {
      auto line = XML_GetCurrentLineNumber(parser.get());
      return caf::make_error(
        errc::invalid_city,
        std::string{file_name} + ":" + std::to_string(line)
          + ": malformed XML: "
          + XML_ErrorString(XML_GetErrorCode(parser.get())));
    }
    if (last)
      return caf::none;
  }
}

} // namespace citytwin::twin::import
