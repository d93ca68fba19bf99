// Heartbeat: periodic liveness of a session's kernel and of its clients.
//
// Parent: the session supervisor (last child, permanent, shutdown 1 s).
// Every `interval` it sends `tick_atom` to the distributor (which pings each
// client and detaches those that missed `max_missed_pongs`) and pings the
// kernel host; a kernel host that misses `max_missed` pings in a row is stopped
// with reason `timeout` ("kernel_unresponsive"), so the supervisor restarts it.
#pragma once
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <chrono>

namespace arbor {

struct heartbeat_config {
  std::chrono::milliseconds interval{5000};
  uint32_t max_missed = 3;
};

caf::actor spawn_heartbeat(caf::actor_system& sys, heartbeat_config cfg, caf::actor kernel,
                           caf::actor distributor);

} // namespace arbor
