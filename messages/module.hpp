// Registers arbor's message types and error category with an actor system config.
#pragma once

#include <caf/fwd.hpp>

namespace arbor {

/// Call once per config before the actor system starts (every arbor program does).
void add_message_types(caf::actor_system_config& cfg);

} // namespace arbor
