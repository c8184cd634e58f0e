// viz/ws_client.cpp (compiled as C++17, see ws_client.hpp)
#include "viz/ws_client.hpp"

#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

namespace citytwin::viz {

namespace {

using client_type = websocketpp::client<websocketpp::config::asio_client>;

// Messages as large as a whole city's layout are expected.
constexpr size_t max_message_bytes = 256 * 1024 * 1024;

} // namespace

ws_outcome run_ws_client(const std::string& url, const ws_receiver& receive,
                         std::chrono::milliseconds timeout,
                         std::chrono::milliseconds idle_timeout) {
  ws_outcome result;
  client_type client;
  client.clear_access_channels(websocketpp::log::alevel::all);
  client.clear_error_channels(websocketpp::log::elevel::all);
  client.set_max_message_size(max_message_bytes);
  try {
    client.init_asio();
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }
  client_type::timer_ptr timer;
  // Re-armed on every message: fires only after a quiet `idle_timeout`.
  client_type::timer_ptr idle_timer;
  client_type::connection_ptr con;
  auto cancel_timer = [&timer, &idle_timer] {
    if (timer)
      timer->cancel();
    if (idle_timer)
      idle_timer->cancel();
  };
  auto give_up = [&](const char* why) {
    websocketpp::lib::error_code ignored;
    con->close(websocketpp::close::status::normal, why, ignored);
    if (!result.connected)
      client.stop();
  };
  auto arm_idle = [&] {
    if (idle_timeout.count() <= 0)
      return;
    if (idle_timer)
      idle_timer->cancel();
    idle_timer = client.set_timer(idle_timeout.count(),
                                  [&give_up](const auto& err) {
                                    if (!err) // not cancelled
                                      give_up("idle");
                                  });
  };
  client.set_open_handler([&](websocketpp::connection_hdl) {
    result.connected = true;
  });
  client.set_message_handler(
    [&](websocketpp::connection_hdl hdl, client_type::message_ptr msg) {
      arm_idle();
      auto binary = msg->get_opcode() == websocketpp::frame::opcode::binary;
      if (!receive(msg->get_payload(), binary)) {
        websocketpp::lib::error_code ec;
        client.close(hdl, websocketpp::close::status::normal, "done", ec);
      }
    });
  client.set_close_handler([&](websocketpp::connection_hdl hdl) {
    cancel_timer();
    auto con = client.get_con_from_hdl(hdl);
    if (con->get_remote_close_code() != websocketpp::close::status::no_status
        && con->get_local_close_code() != websocketpp::close::status::normal) {
      result.close_code = con->get_remote_close_code();
      result.close_reason = con->get_remote_close_reason();
    }
  });
  client.set_fail_handler([&](websocketpp::connection_hdl hdl) {
    cancel_timer();
    auto con = client.get_con_from_hdl(hdl);
    result.error = "cannot connect to " + url + ": "
                   + con->get_ec().message();
    if (con->get_response_code() != 0)
      result.error += " (HTTP "
                      + std::to_string(static_cast<int>(
                        con->get_response_code()))
                      + ")";
  });
  websocketpp::lib::error_code ec;
  con = client.get_connection(url, ec);
  if (ec) {
    result.error = "bad url " + url + ": " + ec.message();
    return result;
  }
  client.connect(con);
  if (timeout.count() > 0)
    timer = client.set_timer(timeout.count(), [&give_up](const auto& err) {
      if (!err) // not cancelled
        give_up("timeout");
    });
  arm_idle();
  client.run();
  return result;
}

} // namespace citytwin::viz
