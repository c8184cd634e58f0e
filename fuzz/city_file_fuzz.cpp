// fuzz/city_file_fuzz.cpp: city files (twin/city_file.cpp), the startup
// input of `citytwin serve`. A city that loads must write out and load
// again to the same text: the writer's output is a pure function of the
// city, so a second round trip that differs is a bug too.
#include "fuzz_input.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <cstdlib>
#include <sstream>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in{std::string{fuzz::as_text(data, size)}};
  auto city = twin::read_city(in, "fuzz.city");
  if (!city) {
    (void) twin::describe(city.error());
    return 0;
  }
  std::ostringstream first;
  twin::write_city(first, *city);
  std::istringstream again{first.str()};
  auto reread = twin::read_city(again, "rewritten.city");
  if (!reread)
    std::abort(); // what we wrote, we must be able to read
  std::ostringstream second;
  twin::write_city(second, *reread);
  if (second.str() != first.str())
    std::abort();
  return 0;
}
