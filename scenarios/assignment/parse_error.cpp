// scenarios/assignment/parse_error.cpp
#include "scenarios/assignment/parse_error.hpp"

namespace citytwin::scenarios::assignment {

std::string to_string(const parse_error& error) {
  return error.file + ":" + std::to_string(error.line) + ": " + error.message;
}

} // namespace citytwin::scenarios::assignment
