// adapters/mqtt/library.hpp
#pragma once

namespace citytwin::mqtt {

/// Initialises libmosquitto once per process (its `mosquitto_lib_init` is
/// process-wide and not reentrant); every client calls this first.
void ensure_library();

} // namespace citytwin::mqtt
