// adapters/ingest/senml_sax.cpp: `parse_senml`, JSON text straight into
// SenML records, event by event, without a DOM. A DOM (a std::map and a
// heap string per member) cost more than everything else of the ingest
// path together; nlohmann's SAX interface then still cost half of it
// (virtual calls, a string per key, a character-wise lexer), so this file
// reads the JSON itself. It accepts exactly what nlohmann's strict parser
// accepts (RFC 8259: UTF-8 checked inside strings, surrogate pairs, no
// NaN or overflowing numbers, a UTF-8 byte-order mark allowed first, no
// trailing text but after a NUL byte); tests/adapters/ingest/senml_sax.cpp checks
// it against the DOM.
#include "adapters/ingest/senml.hpp"

#include "adapters/ingest/senml_resolver.hpp"
#include "adapters/ingest/utf8.hpp"
#include "twin/hex.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

namespace citytwin::ingest {

using detail::senml_label;

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// A JSON number as nlohmann reads it: an integer token that fits in
// int64 (negative) or uint64 is an integer, anything else a double.
struct json_number {
  double value = 0;
  enum class form : uint8_t { signed_int, unsigned_int, floating };
  form how = form::floating;
  int64_t i = 0;
  uint64_t u = 0;

  // The number as nlohmann would print it, for messages.
  std::string dump() const {
    switch (how) {
      case form::signed_int:
        return nlohmann::json(i).dump();
      case form::unsigned_int:
        return nlohmann::json(u).dump();
      default:
        return nlohmann::json(value).dump();
    }
  }
};

} // namespace

namespace detail {

// Reads packs, one after the other, keeping its buffers. Every parse
// function returns false on a syntax error (or when it stops at an
// NGSI-LD `id`); then nothing read counts.
class senml_reader {
public:
  senml_reader() : resolver_(0) {
    // nop
  }

  senml_pack& read(std::string_view text, double now_s, bool detect_ngsi) {
    p_ = text.data();
    end_ = text.data() + text.size();
    detect_ngsi_ = detect_ngsi;
    is_ngsi_ = false;
    resolver_.reset(now_s);
    bool parsed = document();
    if (is_ngsi_) {
      ngsi_ = senml_pack{};
      ngsi_.is_ngsi_ld = true;
      return ngsi_;
    }
    if (!parsed) {
      // Malformed JSON wins over everything found before the error.
      resolver_.reset(now_s);
      resolver_.fail(reject_reason::malformed_payload, "malformed JSON");
    }
    return resolver_.finish();
  }

private:
  // -- structure --------------------------------------------------------------

  bool document() {
    // nlohmann skips a UTF-8 byte-order mark before the first token.
    if (end_ - p_ >= 3 && p_[0] == '\xEF' && p_[1] == '\xBB'
        && p_[2] == '\xBF')
      p_ += 3;
    skip_ws();
    if (p_ == end_)
      return false;
    bool ok = false;
    if (*p_ == '[') {
      ok = pack();
    } else {
      ok = skip_value();
      if (ok)
        resolver_.fail(reject_reason::malformed_payload,
                       "a SenML pack is a JSON array");
    }
    if (!ok)
      return false;
    skip_ws();
    // nlohmann's lexer takes a NUL byte for the end of input (C strings),
    // so whatever follows one is never read; the DOM path agrees.
    return p_ == end_ || *p_ == '\0';
  }

  bool pack() {
    ++p_; // '['
    skip_ws();
    if (take(']'))
      return true;
    size_t index = 0;
    for (;;) {
      skip_ws();
      if (p_ == end_)
        return false;
      if (*p_ == '{') {
        if (!record(index))
          return false;
      } else {
        if (!skip_value())
          return false;
        resolver_.add_not_object(index);
      }
      ++index;
      skip_ws();
      if (take(','))
        continue;
      return take(']');
    }
  }

  bool record(size_t index) {
    ++p_; // '{'
    raw_.clear();
    skip_ws();
    if (!take('}')) {
      for (;;) {
        skip_ws();
        if (p_ == end_ || *p_ != '"' || !string(key_))
          return false;
        if (detect_ngsi_ && index == 0 && key_ == "id") {
          // Stop reading: the caller parses NGSI-LD itself.
          is_ngsi_ = true;
          return false;
        }
        auto label = detail::label_of(key_);
        raw_.note_key(key_);
        skip_ws();
        if (!take(':'))
          return false;
        skip_ws();
        if (!member_value(label))
          return false;
        skip_ws();
        if (take(','))
          continue;
        if (take('}'))
          break;
        return false;
      }
    }
    resolver_.add(index, raw_);
    return true;
  }

  bool member_value(senml_label label) {
    if (p_ == end_)
      return false;
    switch (*p_) {
      case '"':
        if (!string(text_))
          return false;
        raw_.set_string(label, text_);
        return true;
      case '{':
      case '[':
        raw_.set_other(label);
        return skip_value();
      case 't':
        if (!literal("true"))
          return false;
        raw_.set_bool(label, true);
        return true;
      case 'f':
        if (!literal("false"))
          return false;
        raw_.set_bool(label, false);
        return true;
      case 'n':
        if (!literal("null"))
          return false;
        raw_.set_other(label);
        return true;
      default: {
        json_number x;
        if (!number(x))
          return false;
        raw_.set_number(label, x.value);
        if (label == senml_label::bver && x.value > senml_version)
          raw_.bver_text = x.dump();
        return true;
      }
    }
  }

  // Checks and skips any JSON value, nested to any depth (iteratively).
  bool skip_value() {
    nesting_.clear();
    for (;;) {
      skip_ws();
      if (p_ == end_)
        return false;
      char c = *p_;
      if (c == '[' || c == '{') {
        ++p_;
        nesting_.push_back(c);
        skip_ws();
        if (take(c == '[' ? ']' : '}')) {
          nesting_.pop_back();
        } else {
          if (c == '{' && !object_key())
            return false;
          continue; // the first element or member value
        }
      } else if (c == '"') {
        if (!string(text_))
          return false;
      } else if (c == 't' || c == 'f' || c == 'n') {
        if (!literal(c == 't' ? "true" : c == 'f' ? "false" : "null"))
          return false;
      } else {
        json_number x;
        if (!number(x))
          return false;
      }
      // After a value: a separator, closing brackets, or the end.
      for (;;) {
        if (nesting_.empty())
          return true;
        skip_ws();
        char open = nesting_.back();
        if (take(',')) {
          if (open == '{' && !object_key())
            return false;
          break;
        }
        if (!take(open == '[' ? ']' : '}'))
          return false;
        nesting_.pop_back();
      }
    }
  }

  // `"key" :` inside a skipped object.
  bool object_key() {
    skip_ws();
    if (p_ == end_ || *p_ != '"' || !string(text_))
      return false;
    skip_ws();
    return take(':');
  }

  // -- tokens -----------------------------------------------------------------

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r'
                          || *p_ == '\t'))
      ++p_;
  }

  bool take(char c) {
    if (p_ == end_ || *p_ != c)
      return false;
    ++p_;
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size()
        || std::string_view{p_, word.size()} != word)
      return false;
    p_ += word.size();
    return true;
  }

  // A string at `p_` (on its quote) into `out`, unescaped.
  bool string(std::string& out) {
    ++p_; // '"'
    out.clear();
    for (;;) {
      // Copy the run up to the next quote, escape or control character.
      const char* run = p_;
      unsigned char high = 0;
      while (p_ != end_ && *p_ != '"' && *p_ != '\\'
             && static_cast<unsigned char>(*p_) >= 0x20) {
        high |= static_cast<unsigned char>(*p_);
        ++p_;
      }
      std::string_view chunk{run, static_cast<size_t>(p_ - run)};
      // Escapes are ASCII and a multi-byte sequence never holds a quote
      // or backslash, so each run must be valid UTF-8 on its own.
      if ((high & 0x80) != 0 && !valid_utf8(chunk))
        return false;
      out.append(chunk);
      if (p_ == end_)
        return false;
      if (*p_ == '"') {
        ++p_;
        return true;
      }
      if (*p_ != '\\')
        return false; // a control character
      if (!escape(out))
        return false;
    }
  }

  bool escape(std::string& out) {
    ++p_; // '\\'
    if (p_ == end_)
      return false;
    char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    uint32_t code = 0;
    if (!hex4(code))
      return false;
    if (code >= 0xDC00 && code <= 0xDFFF)
      return false; // a low surrogate without a high one
    if (code >= 0xD800 && code <= 0xDBFF) {
      uint32_t low = 0;
      if (!take('\\') || !take('u') || !hex4(low) || low < 0xDC00
          || low > 0xDFFF)
        return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, code);
    return true;
  }

  bool hex4(uint32_t& out) {
    if (end_ - p_ < 4)
      return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = twin::hex_value(*p_++);
      if (h < 0)
        return false;
      out = (out << 4) | static_cast<uint32_t>(h);
    }
    return true;
  }

  // A number token (RFC 8259 grammar) into `x`, converted as nlohmann
  // does: integers exactly, then to double; others correctly rounded;
  // a number too large for a double is a syntax error there.
  bool number(json_number& x) {
    const char* first = p_;
    bool negative = take('-');
    if (p_ == end_ || !digit(*p_))
      return false;
    if (*p_ == '0')
      ++p_;
    else
      while (p_ != end_ && digit(*p_))
        ++p_;
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !digit(*p_))
        return false;
      while (p_ != end_ && digit(*p_))
        ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-'))
        ++p_;
      if (p_ == end_ || !digit(*p_))
        return false;
      while (p_ != end_ && digit(*p_))
        ++p_;
    }
    if (integer) {
      if (negative) {
        auto [end, ec] = std::from_chars(first, p_, x.i);
        if (ec == std::errc{} && end == p_) {
          x.how = json_number::form::signed_int;
          x.value = static_cast<double>(x.i); // "-0" is +0, as an int
          return true;
        }
      } else {
        auto [end, ec] = std::from_chars(first, p_, x.u);
        if (ec == std::errc{} && end == p_) {
          x.how = json_number::form::unsigned_int;
          x.value = static_cast<double>(x.u);
          return true;
        }
      }
      // Too large for 64 bits: a double, as in nlohmann.
    }
    x.how = json_number::form::floating;
    auto [end, ec] = std::from_chars(first, p_, x.value);
    if (ec == std::errc{} && end == p_)
      return std::isfinite(x.value);
    if (ec != std::errc::result_out_of_range)
      return false;
    // Out of range: an overflow is an error; an underflow is what strtod
    // makes of it (zero or a subnormal), as nlohmann takes it.
    number_text_.assign(first, p_);
    x.value = std::strtod(number_text_.c_str(), nullptr);
    return std::isfinite(x.value);
  }

  const char* p_ = nullptr;
  const char* end_ = nullptr;
  senml_resolver resolver_;
  raw_record raw_;
  senml_pack ngsi_;
  std::string key_;
  std::string text_;
  std::string number_text_;
  std::vector<char> nesting_;
  bool detect_ngsi_ = false;
  bool is_ngsi_ = false;
};

} // namespace detail

senml_parser::senml_parser() : reader_(std::make_unique<detail::senml_reader>()) {
  // nop
}

senml_parser::~senml_parser() = default;

senml_parser::senml_parser(senml_parser&&) noexcept = default;

senml_parser& senml_parser::operator=(senml_parser&&) noexcept = default;

const senml_pack& senml_parser::parse(std::string_view text, double now_s,
                                      bool detect_ngsi) {
  return reader_->read(text, now_s, detect_ngsi);
}

senml_pack parse_senml(std::string_view text, double now_s,
                       bool detect_ngsi) {
  detail::senml_reader reader;
  return std::move(reader.read(text, now_s, detect_ngsi));
}

} // namespace citytwin::ingest
