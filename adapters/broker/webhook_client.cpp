// adapters/broker/webhook_client.cpp
#include "adapters/broker/webhook_client.hpp"

#include "twin/broker/broker_error.hpp"

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

namespace {

ip_address to_ip(const asio::ip::address& a) {
  ip_address result;
  if (a.is_v4()) {
    auto v4 = a.to_v4().to_bytes();
    result.v4 = true;
    result.bytes[10] = result.bytes[11] = 0xff;
    std::copy(v4.begin(), v4.end(), result.bytes.begin() + 12);
    return result;
  }
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped())
    return to_ip(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
  auto bytes = v6.to_bytes();
  std::copy(bytes.begin(), bytes.end(), result.bytes.begin());
  return result;
}

asio::ip::address to_asio(const ip_address& a) {
  if (a.v4)
    return asio::ip::address_v4{
        {a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15]}};
  asio::ip::address_v6::bytes_type bytes;
  std::copy(a.bytes.begin(), a.bytes.end(), bytes.begin());
  return asio::ip::address_v6{bytes};
}

} // namespace

caf::expected<http_url> parse_http_url(std::string_view uri) {
  auto url = parse_endpoint(uri);
  if (!url)
    return std::move(url.error());
  if (url->scheme != "http")
    return make_problem(broker_errc::bad_request_data,
                        "webhook must be http://host[:port]/path");
  return http_url{url->host, url->port, url->target};
}

std::vector<ip_address> allowed_addresses(const std::string& host,
                                          uint16_t port,
                                          const outbound_policy& policy) {
  std::vector<ip_address> result;
  if (auto literal = parse_ip_literal(host)) {
    if (!policy.check(*literal, port))
      result.push_back(*literal);
    return result;
  }
  asio::io_context ioc;
  tcp::resolver resolver{ioc};
  beast::error_code ec;
  auto found = resolver.resolve(host, std::to_string(port), ec);
  if (ec)
    return result;
  for (const auto& entry : found) {
    auto ip = to_ip(entry.endpoint().address());
    if (!policy.check(ip, port))
      result.push_back(ip);
  }
  return result;
}

struct webhook_client::impl {
  http_url url;
  std::shared_ptr<const outbound_policy> policy;
  std::shared_ptr<connection_budget> budget;
  // Both exist only while a connection is open: an idle subscription
  // holds no descriptor.
  std::optional<asio::io_context> ioc;
  std::optional<beast::tcp_stream> stream;
  bool counted = false; // this connection is one of budget->open
  beast::flat_buffer buffer;

  ~impl() {
    close();
  }

  void close() {
    stream.reset();
    ioc.reset();
    buffer.clear();
    if (counted) {
      --budget->open;
      counted = false;
    }
  }

  // Runs one asynchronous operation to completion: Beast's timeouts
  // (expires_after) apply to asynchronous operations only, and a webhook
  // that accepts and never answers must not hold a worker for ever.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc->restart();
    ioc->run();
    return result;
  }

  // Every failure reads the same to the subscriber: "failed". The reason
  // would tell which internal ports answer.
  static caf::error failed() {
    return make_problem(broker_errc::not_found, "webhook delivery failed");
  }

  caf::expected<int> attempt(const std::string& body,
                             std::chrono::milliseconds timeout) {
    beast::error_code ec;
    if (!stream) {
      auto addresses = allowed_addresses(url.host, url.port, *policy);
      if (addresses.empty())
        return failed();
      std::vector<tcp::endpoint> endpoints;
      for (const auto& a : addresses)
        endpoints.emplace_back(to_asio(a), url.port);
      ioc.emplace();
      stream.emplace(*ioc);
      stream->expires_after(timeout);
      ec = run([&](auto done) { stream->async_connect(endpoints, done); });
      if (ec) {
        close();
        return failed();
      }
    }
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host);
    req.set(http::field::content_type, "application/json");
    bool keep = counted || budget->open.fetch_add(1) < budget->max;
    if (!counted) {
      if (keep)
        counted = true;
      else
        --budget->open;
    }
    req.keep_alive(keep);
    req.body() = body;
    req.prepare_payload();
    stream->expires_after(timeout);
    ec = run([&](auto done) { http::async_write(*stream, req, done); });
    http::response_parser<http::string_body> parser;
    // A subscriber's answer is read and dropped: 64 KiB is plenty.
    parser.body_limit(64 << 10);
    if (!ec)
      ec = run([&](auto done) {
        http::async_read(*stream, buffer, parser, done);
      });
    if (ec) {
      close();
      return failed();
    }
    auto status = static_cast<int>(parser.get().result_int());
    if (!keep || !parser.get().keep_alive())
      close();
    return status;
  }
};

webhook_client::webhook_client(http_url url,
                               std::shared_ptr<const outbound_policy> policy,
                               std::shared_ptr<connection_budget> budget)
    : impl_(new impl) {
  impl_->url = std::move(url);
  impl_->policy = std::move(policy);
  impl_->budget = std::move(budget);
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
