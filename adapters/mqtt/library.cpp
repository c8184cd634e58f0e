// adapters/mqtt/library.cpp
#include "adapters/mqtt/library.hpp"

#include <mosquitto.h>

namespace citytwin::mqtt {

namespace {

struct library_guard {
  library_guard() {
    mosquitto_lib_init();
  }
  ~library_guard() {
    mosquitto_lib_cleanup();
  }
};

} // namespace

void ensure_library() {
  // A function-local static: initialised once, thread-safe, cleaned up at
  // exit. libmosquitto itself is the global state here, not us.
  static library_guard guard;
}

} // namespace citytwin::mqtt
