// twin/json_reader.cpp
#include "twin/json_reader.hpp"

#include <vector>

namespace citytwin::twin {

std::string_view to_string(json_refusal r) {
  switch (r) {
    case json_refusal::none:
      return "none";
    case json_refusal::syntax:
      return "json_syntax";
    case json_refusal::too_deep:
      return "json_too_deep";
    case json_refusal::too_many_elements:
      return "json_too_many_elements";
    case json_refusal::duplicate_key:
      return "json_duplicate_key";
  }
  return "json_unknown";
}

namespace {

using json = nlohmann::json;

// Builds the document like nlohmann's DOM parser, but keeps count and
// stops (returns false) at the first limit crossed.
class bounded_builder {
public:
  bounded_builder(json& root, const json_limits& limits)
      : root_(root), limits_(limits) {
  }

  bool null() {
    return add(json(nullptr));
  }
  bool boolean(bool x) {
    return add(json(x));
  }
  bool number_integer(json::number_integer_t x) {
    return add(json(x));
  }
  bool number_unsigned(json::number_unsigned_t x) {
    return add(json(x));
  }
  bool number_float(json::number_float_t x, const json::string_t&) {
    return add(json(x));
  }
  bool string(json::string_t& x) {
    return add(json(std::move(x)));
  }
  bool binary(json::binary_t&) {
    return refuse(json_refusal::syntax, "binary values are not JSON");
  }
  bool start_object(std::size_t) {
    return open(json::value_t::object);
  }
  bool key(json::string_t& k) {
    auto& object = *stack_.back();
    if (object.contains(k))
      return refuse(json_refusal::duplicate_key,
                    "duplicate key \"" + k + "\"");
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    return open(json::value_t::array);
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& e) {
    // nlohmann's message already names the byte offset.
    return refuse(json_refusal::syntax, e.what());
  }

  json_refusal refusal = json_refusal::none;
  std::string detail;

private:
  bool refuse(json_refusal why, std::string text) {
    refusal = why;
    detail = std::move(text);
    return false;
  }

  bool count() {
    if (++elements_ <= limits_.max_elements)
      return true;
    return refuse(json_refusal::too_many_elements,
                  "more than " + std::to_string(limits_.max_elements)
                      + " JSON values");
  }

  // Places a value in the array or object being read (or as the root)
  // and returns where it now lives.
  json* place(json&& x) {
    if (stack_.empty()) {
      root_ = std::move(x);
      return &root_;
    }
    auto& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(x));
      return &parent.back();
    }
    auto& slot = parent[key_];
    slot = std::move(x);
    return &slot;
  }

  bool add(json&& x) {
    if (!count())
      return false;
    place(std::move(x));
    return true;
  }

  bool open(json::value_t type) {
    if (!count())
      return false;
    if (stack_.size() + 1 > limits_.max_depth)
      return refuse(json_refusal::too_deep,
                    "JSON nested deeper than "
                        + std::to_string(limits_.max_depth) + " levels");
    stack_.push_back(place(json(type)));
    return true;
  }

  json& root_;
  const json_limits& limits_;
  std::vector<json*> stack_;
  std::string key_;
  size_t elements_ = 0;
};

} // namespace

json_read read_json(std::string_view text, const json_limits& limits) {
  json_read result;
  bounded_builder builder{result.value, limits};
  bool ok = json::sax_parse(text.begin(), text.end(), &builder);
  if (!ok || builder.refusal != json_refusal::none) {
    result.refusal = builder.refusal == json_refusal::none
                         ? json_refusal::syntax
                         : builder.refusal;
    result.detail = builder.detail.empty() ? "not valid JSON" : builder.detail;
    // Free what was built so far; the depth limit keeps this shallow.
    result.value = nullptr;
  }
  return result;
}

} // namespace citytwin::twin
