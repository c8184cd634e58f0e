// adapters/broker/webhook_client.cpp
#include "adapters/broker/webhook_client.hpp"

#include "adapters/broker/broker_error.hpp"
#include "twin/error.hpp"
#include "twin/text.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace citytwin::broker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

caf::expected<http_url> parse_http_url(std::string_view uri) {
  constexpr std::string_view scheme = "http://";
  if (uri.substr(0, scheme.size()) != scheme)
    return make_problem(broker_errc::bad_request_data,
                        "webhook must be http://host[:port]/path");
  auto rest = uri.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  http_url result;
  if (slash != std::string_view::npos)
    result.target = std::string{rest.substr(slash)};
  auto colon = authority.rfind(':');
  result.host = std::string{authority.substr(0, colon)};
  if (colon != std::string_view::npos
      && !twin::parse_number(authority.substr(colon + 1), result.port))
    return make_problem(broker_errc::bad_request_data, "bad webhook port");
  if (result.host.empty())
    return make_problem(broker_errc::bad_request_data, "webhook needs a host");
  return result;
}

struct webhook_client::impl {
  http_url url;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs one asynchronous operation to completion: Beast's timeouts
  // (expires_after) apply to asynchronous operations only, and a webhook
  // that accepts and never answers must not hold a worker for ever.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  caf::expected<int> attempt(const std::string& body,
                             std::chrono::milliseconds timeout) {
    beast::error_code ec;
    if (!stream) {
      tcp::resolver resolver{ioc};
      auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
      if (ec)
        return make_problem(broker_errc::not_found,
                            "cannot resolve webhook host: " + ec.message());
      stream.emplace(ioc);
      stream->expires_after(timeout);
      ec = run([&](auto done) { stream->async_connect(endpoints, done); });
      if (ec) {
        stream.reset();
        return make_problem(broker_errc::not_found,
                            "cannot connect to webhook: " + ec.message());
      }
    }
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    stream->expires_after(timeout);
    ec = run([&](auto done) { http::async_write(*stream, req, done); });
    http::response<http::string_body> res;
    if (!ec)
      ec = run(
          [&](auto done) { http::async_read(*stream, buffer, res, done); });
    if (ec) {
      stream.reset();
      buffer.clear();
      return make_problem(broker_errc::not_found,
                          "webhook request failed: " + ec.message());
    }
    if (!res.keep_alive())
      stream.reset();
    return static_cast<int>(res.result_int());
  }
};

webhook_client::webhook_client(http_url url) : impl_(new impl) {
  impl_->url = std::move(url);
}

webhook_client::~webhook_client() = default;

caf::expected<int> webhook_client::post(const std::string& body,
                                        std::chrono::milliseconds timeout) {
  bool reused = impl_->stream.has_value();
  auto result = impl_->attempt(body, timeout);
  // A kept-alive connection the server closed meanwhile: one fresh try.
  if (!result && reused)
    result = impl_->attempt(body, timeout);
  return result;
}

} // namespace citytwin::broker
