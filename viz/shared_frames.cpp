// viz/shared_frames.cpp (compiled as C++17, see http_server.hpp)
#include "viz/shared_frames.hpp"

namespace citytwin::viz::detail {

namespace {

message_ptr prepare_frame(const std::string& payload, bool binary) {
  namespace frame = websocketpp::frame;
  auto op = binary ? frame::opcode::binary : frame::opcode::text;
  // No message manager: nothing recycles this message, it is freed with
  // its last connection.
  auto result = std::make_shared<server_config::message_type>(
    server_config::message_type::con_msg_man_ptr{}, op, 0);
  result->set_payload(payload);
  frame::basic_header header{op, payload.size(), true, false};
  frame::extended_header extended{payload.size()};
  result->set_header(frame::prepare_header(header, extended));
  result->set_prepared(true);
  return result;
}

} // namespace

message_ptr shared_frames::get(const std::shared_ptr<const std::string>& p,
                               bool binary) {
  auto& found = entries_[p.get()];
  if (found.payload.lock() == p && found.binary == binary)
    return found.frame;
  found = {p, binary, prepare_frame(*p, binary)};
  auto result = found.frame;
  // Forget frames whose payload is gone (a filter nobody uses now).
  for (auto i = entries_.begin(); i != entries_.end();)
    i = i->second.payload.expired() ? entries_.erase(i) : ++i;
  return result;
}

} // namespace citytwin::viz::detail
