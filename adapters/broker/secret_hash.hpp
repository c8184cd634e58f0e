// adapters/broker/secret_hash.hpp
#pragma once

#include "twin/hex.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace citytwin::broker {

/// Hashing and generating credential secrets with OpenSSL, kept at the
/// edge so `twin/access` compares hashes without linking a crypto library.
/// Config files and memory hold only hashes; raw secrets exist while a
/// request is checked and when `citytwin token` prints a new one.

/// SHA-256 of `text` (OpenSSL EVP). Throws `std::runtime_error` only if
/// OpenSSL itself fails, which is a broken installation, not bad input.
std::array<uint8_t, 32> sha256(std::string_view text);

// Hashes travel as hex (twin/hex.hpp).
using twin::from_hex;
using twin::to_hex;

/// Parses exactly 64 hex digits into a SHA-256 value.
std::optional<std::array<uint8_t, 32>> parse_sha256_hex(std::string_view hex);

/// Number of random bytes in a new secret: 256 bits, as strong as the hash.
constexpr size_t secret_bytes = 32;

/// A new secret: `secret_bytes` bytes from OpenSSL's CSPRNG (`RAND_bytes`)
/// as unpadded base64url (43 characters, safe in headers and URLs). Throws
/// `std::runtime_error` when the generator is not seeded.
std::string random_secret();

} // namespace citytwin::broker
