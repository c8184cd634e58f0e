// adapters/ngsi/http_client.cpp
#include "adapters/ngsi/http_client.hpp"

#include "twin/error.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <sstream>

namespace citytwin::ngsi {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string client_response::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name)
      return value;
  return {};
}

struct http_client::impl {
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  size_t connects = 0;

  // Runs one asynchronous operation to completion, so that the deadline
  // set with expires_after applies (Beast ignores it on blocking calls).
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  caf::error connect() {
    beast::error_code ec;
    tcp::resolver resolver{ioc};
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec)
      return caf::make_error(twin::errc::io_failure,
                             "cannot resolve " + host + ": " + ec.message());
    stream.emplace(ioc);
    stream->expires_after(timeout);
    ec = run([&](auto done) { stream->async_connect(endpoints, done); });
    if (ec) {
      stream.reset();
      return caf::make_error(twin::errc::io_failure,
                             "cannot connect to " + host + ":"
                                 + std::to_string(port) + ": " + ec.message());
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    ++connects;
    return {};
  }

  http::request<http::string_body>
  make(const std::string& method, const std::string& target,
       const std::vector<std::pair<std::string, std::string>>& headers,
       const std::string& body) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, host);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    if (!body.empty() || method == "POST" || method == "PATCH"
        || method == "PUT") {
      req.body() = body;
      req.prepare_payload();
    }
    return req;
  }

  caf::expected<client_response> read_one() {
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    stream->expires_after(timeout);
    ec = run(
        [&](auto done) { http::async_read(*stream, buffer, parser, done); });
    if (ec) {
      stream.reset();
      buffer.clear();
      return caf::make_error(twin::errc::io_failure,
                             "request failed: " + ec.message());
    }
    auto res = parser.release();
    client_response result;
    result.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name{field.name_string().data(), field.name_string().size()};
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers.emplace_back(
          std::move(name),
          std::string{field.value().data(), field.value().size()});
    }
    result.body = std::move(res.body());
    if (!res.keep_alive())
      stream.reset();
    return result;
  }

  caf::expected<client_response>
  once(const std::string& method, const std::string& target,
       const std::vector<std::pair<std::string, std::string>>& headers,
       const std::string& body) {
    if (!stream)
      if (auto err = connect())
        return err;
    auto req = make(method, target, headers, body);
    stream->expires_after(timeout);
    auto ec = run([&](auto done) { http::async_write(*stream, req, done); });
    if (ec) {
      stream.reset();
      return caf::make_error(twin::errc::io_failure,
                             "request failed: " + ec.message());
    }
    return read_one();
  }
};

http_client::http_client(std::string host, uint16_t port,
                         std::chrono::milliseconds timeout)
    : impl_(new impl) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

http_client::~http_client() = default;

caf::expected<client_response> http_client::request(
    const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body) {
  bool reused = impl_->stream.has_value();
  auto result = impl_->once(method, target, headers, body);
  // The server may close an idle kept-alive connection: retry once.
  if (!result && reused)
    result = impl_->once(method, target, headers, body);
  return result;
}

caf::expected<std::vector<client_response>>
http_client::pipeline(const std::vector<pending>& requests) {
  if (!impl_->stream)
    if (auto err = impl_->connect())
      return err;
  // All requests in one buffer, one write: that is the point of it.
  std::string wire;
  for (const auto& r : requests) {
    auto req = impl_->make(r.method, r.target, r.headers, r.body);
    std::ostringstream out;
    out << req;
    wire += out.str();
  }
  impl_->stream->expires_after(impl_->timeout);
  auto ec = impl_->run([&](auto done) {
    asio::async_write(*impl_->stream, asio::buffer(wire), done);
  });
  if (ec) {
    impl_->stream.reset();
    return caf::make_error(twin::errc::io_failure,
                           "pipeline write failed: " + ec.message());
  }
  std::vector<client_response> result;
  result.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (!impl_->stream)
      return caf::make_error(twin::errc::io_failure,
                             "the server closed a pipelined connection");
    auto res = impl_->read_one();
    if (!res)
      return res.error();
    result.push_back(std::move(*res));
  }
  return result;
}

size_t http_client::connects() const {
  return impl_->connects;
}

} // namespace citytwin::ngsi
