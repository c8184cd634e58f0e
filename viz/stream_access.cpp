// viz/stream_access.cpp
#include "viz/stream_access.hpp"

namespace citytwin::viz {

namespace {

// Tenant names are [a-z0-9][a-z0-9_-]{0,62} (data/access/README.md).
constexpr size_t max_tenant_name = 63;

bool looks_like_tenant(std::string_view name) {
  if (name.empty() || name.size() > max_tenant_name)
    return false;
  for (char ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'
          || ch == '-'))
      return false;
  return true;
}

} // namespace

std::string wrong_tenant_message(std::string_view asked,
                                 std::string_view served) {
  auto shown = looks_like_tenant(asked)
                   ? "tenant '" + std::string{asked} + "'"
                   : std::string{"that tenant (value not shown)"};
  return shown + " is not on this stream, which serves '"
         + std::string{served} + "'";
}

} // namespace citytwin::viz
