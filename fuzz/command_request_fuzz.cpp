// fuzz/command_request_fuzz.cpp: a command requested over MQTT, `topic %%
// payload`, as the ingest client hands it to mqtt::command_request_handler
// (adapters/mqtt/command_intake.cpp): topic levels, URN, bounded JSON, one
// setting. A request the parser accepts must pass or fail twin::validate
// without surprises, and its refusal topic is derived from its own.
#include "adapters/mqtt/command_intake.hpp"
#include "fuzz_input.hpp"
#include "twin/command.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::split(fuzz::as_text(data, size), "\n%%\n", 2);
  auto topic = parts.front();
  auto payload = parts.size() > 1 ? parts[1] : std::string_view{};
  auto cmd = mqtt::parse_command_request(topic, payload, "demo", "demo",
                                         1'700'000'000'000);
  if (!cmd)
    return 0;
  // Accepted: the topic was a request's, the target an actuator of ours.
  if (!twin::is_actuator(cmd->target.kind) || cmd->issuer != "mqtt")
    std::abort();
  if (mqtt::refusal_topic(topic).size() != topic.size() + 4) // set -> refused
    std::abort();
  (void) twin::validate(*cmd);
  (void) twin::describe(*cmd);
  return 0;
}
