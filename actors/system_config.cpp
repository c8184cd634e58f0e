// actors/system_config.cpp
#include "actors/system_config.hpp"

#include "actors/type_ids.hpp"

#include <caf/message.hpp>

namespace citytwin::actors {

void register_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::citytwin>();
  // The templated overload of add_error_category does not compile on
  // 0.17.6; the renderer overload does.
  cfg.add_error_category(caf::atom("twin"), [](uint8_t code, caf::atom_value,
                                               const caf::message& context) {
    return twin::describe(caf::error{code, caf::atom("twin"), context});
  });
}

} // namespace citytwin::actors
