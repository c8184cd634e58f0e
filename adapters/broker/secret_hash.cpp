// adapters/broker/secret_hash.cpp
#include "adapters/broker/secret_hash.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace citytwin::broker {

namespace {

constexpr std::string_view base64url_alphabet
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// RFC 4648 section 5 without padding: secrets travel in headers and query
// strings, where '+', '/' and '=' would need escaping.
std::string base64url(std::span<const uint8_t> bytes) {
  std::string result;
  result.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8)
                 | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6)
      result += base64url_alphabet[(n >> shift) & 0x3f];
  }
  size_t rest = bytes.size() - i;
  if (rest == 0)
    return result;
  uint32_t n = uint32_t{bytes[i]} << 16;
  if (rest == 2)
    n |= uint32_t{bytes[i + 1]} << 8;
  // One leftover byte gives two characters, two give three.
  for (size_t k = 0; k <= rest; ++k)
    result += base64url_alphabet[(n >> (18 - 6 * k)) & 0x3f];
  return result;
}

} // namespace

std::array<uint8_t, 32> sha256(std::string_view text) {
  std::array<uint8_t, 32> result{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), result.data(), &size, EVP_sha256(),
                 nullptr)
          != 1
      || size != result.size())
    throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
  return result;
}

std::optional<std::array<uint8_t, 32>> parse_sha256_hex(std::string_view hex) {
  std::array<uint8_t, 32> result{};
  if (hex.size() != result.size() * 2)
    return std::nullopt;
  auto bytes = from_hex(hex);
  if (!bytes)
    return std::nullopt;
  for (size_t i = 0; i < result.size(); ++i)
    result[i] = static_cast<uint8_t>((*bytes)[i]);
  return result;
}

std::string random_secret() {
  std::array<uint8_t, secret_bytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed: no entropy");
  return base64url(bytes);
}

} // namespace citytwin::broker
