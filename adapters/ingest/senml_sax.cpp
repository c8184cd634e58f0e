// adapters/ingest/senml_sax.cpp: `parse_senml`, JSON text straight into
// SenML records through nlohmann's SAX interface. Building a DOM (a
// std::map and a heap string per member) cost more than everything else
// of the ingest path together.
#include "adapters/ingest/senml.hpp"

#include "adapters/ingest/senml_resolver.hpp"

#include <nlohmann/json.hpp>

namespace citytwin::ingest {

namespace {

using json = nlohmann::json;
using detail::senml_label;

// Nesting levels: 0 outside everything, 1 inside the pack (its elements
// start here), 2 inside a record (its members' values), deeper is skipped.
constexpr int pack_level = 1;
constexpr int record_level = 2;

class senml_sax final : public nlohmann::json_sax<json> {
public:
  senml_sax(double now_s, bool detect_ngsi)
    : resolver_(now_s), detect_ngsi_(detect_ngsi) {
    // nop
  }

  bool null() override {
    return scalar([&] { raw_.set_other(label_); });
  }

  bool boolean(bool x) override {
    return scalar([&] { raw_.set_bool(label_, x); });
  }

  bool number_integer(number_integer_t x) override {
    return number(static_cast<double>(x), [x] { return json(x).dump(); });
  }

  bool number_unsigned(number_unsigned_t x) override {
    return number(static_cast<double>(x), [x] { return json(x).dump(); });
  }

  bool number_float(number_float_t x, const string_t&) override {
    return number(x, [x] { return json(x).dump(); });
  }

  bool string(string_t& x) override {
    return scalar([&] { raw_.set_string(label_, x); });
  }

  bool binary(binary_t&) override {
    // JSON text has no binary values; only CBOR and friends do.
    return scalar([&] { raw_.set_other(label_); });
  }

  bool start_object(std::size_t) override {
    if (!not_array_) {
      if (depth_ == 0)
        not_array_ = true;
      else if (depth_ == pack_level)
        begin_record();
      else if (in_record())
        raw_.set_other(label_);
    }
    ++depth_;
    return true;
  }

  bool end_object() override {
    --depth_;
    if (!not_array_ && depth_ == pack_level) {
      resolver_.add(record_index_, raw_);
      in_record_ = false;
    }
    return true;
  }

  bool start_array(std::size_t) override {
    if (!not_array_) {
      if (depth_ == pack_level)
        resolver_.add_not_object(next_index_++);
      else if (in_record())
        raw_.set_other(label_);
    }
    ++depth_;
    return true;
  }

  bool end_array() override {
    --depth_;
    return true;
  }

  bool key(string_t& x) override {
    if (!in_record())
      return true;
    if (detect_ngsi_ && record_index_ == 0 && x == "id") {
      is_ngsi_ = true;
      return false; // stop reading: the caller parses NGSI-LD itself
    }
    label_ = detail::label_of(x);
    raw_.note_key(x);
    return true;
  }

  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) override {
    malformed_ = true;
    return false;
  }

  senml_pack finish(bool parsed) {
    if (is_ngsi_) {
      senml_pack result;
      result.is_ngsi_ld = true;
      return result;
    }
    // Malformed JSON wins over everything found before the error.
    if (!parsed || malformed_) {
      senml_pack result;
      result.failed = senml_rejection{0, reject_reason::malformed_payload,
                                      "malformed JSON"};
      return result;
    }
    if (not_array_)
      resolver_.fail(reject_reason::malformed_payload,
                     "a SenML pack is a JSON array");
    return resolver_.finish();
  }

private:
  template <class F>
  bool scalar(F set) {
    if (depth_ == 0)
      not_array_ = true;
    else if (not_array_)
      return true;
    else if (depth_ == pack_level)
      resolver_.add_not_object(next_index_++);
    else if (in_record())
      set();
    return true;
  }

  template <class Text>
  bool number(double x, Text text) {
    return scalar([&] {
      raw_.set_number(label_, x);
      // As the DOM would print it, for the rejection's detail.
      if (label_ == senml_label::bver && x > senml_version)
        raw_.bver_text = text();
    });
  }

  void begin_record() {
    raw_.clear();
    record_index_ = next_index_++;
    in_record_ = true;
  }

  // True for the members (and values) of a record, not deeper.
  bool in_record() const {
    return in_record_ && depth_ == record_level;
  }

  detail::senml_resolver resolver_;
  detail::raw_record raw_;
  senml_label label_ = senml_label::other;
  int depth_ = 0;
  size_t next_index_ = 0;
  size_t record_index_ = 0;
  bool detect_ngsi_;
  bool not_array_ = false;
  bool malformed_ = false;
  bool is_ngsi_ = false;
  bool in_record_ = false;
};

} // namespace

senml_pack parse_senml(std::string_view text, double now_s,
                       bool detect_ngsi) {
  senml_sax sax{now_s, detect_ngsi};
  bool parsed = json::sax_parse(text.begin(), text.end(), &sax);
  return sax.finish(parsed);
}

} // namespace citytwin::ingest
