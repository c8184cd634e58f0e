// tests/adapters/mqtt/require_broker.hpp
// they skip (tests/skip.hpp) on a machine without mosquitto.
#pragma once

#include "adapters/mqtt/mosquitto_process.hpp"
#include "skip.hpp"

#include <catch2/catch.hpp>

namespace citytwin::test {

/// Whether a test publishes with `mosquitto_process::publish`, which runs
/// the `mosquitto_pub` command.
enum class publishes { no, with_mosquitto_pub };

/// Skips without mosquitto (and without mosquitto_pub if the test uses
/// it); a broker that is installed but does not start is a failure.
inline void require_broker(const mqtt::mosquitto_process& broker,
                           publishes how) {
  if (mqtt::mosquitto_process::binary().empty())
    skip("mosquitto is not installed (.ci/setup installs it)");
  if (how == publishes::with_mosquitto_pub)
    require_program("mosquitto_pub", "apt-get install mosquitto-clients");
  REQUIRE(broker.running());
}

} // namespace citytwin::test
