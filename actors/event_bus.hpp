// Event bus: publish/subscribe of session events between actors.
//
// Parent: the root supervisor (permanent, shutdown 1 s).
// Takes: subscribe_atom → ok_atom (the sender is subscribed and monitored),
//        unsubscribe_atom → ok_atom,
//        publish_atom, session_event → sent on as (publish_atom, session_event)
//        to every subscriber; a subscriber that died is removed.
#pragma once
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace arbor {

caf::actor spawn_event_bus(caf::actor_system& sys);

} // namespace arbor
