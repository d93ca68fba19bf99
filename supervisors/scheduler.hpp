// How CAF's scheduler runs arbor's actors: a few settings of CAF 0.17's
// work-stealing scheduler, applied to an `actor_system_config` before the
// system starts (arbord reads them from its config's `scheduler` section).
//
// CAF 0.17's stock behaviour: `max(cores, 4)` worker threads; a worker that
// runs out of work spins for 100 polls, then polls every 50 µs for 500 more
// rounds (about 25 ms), and only then blocks on a condition variable. A message
// that reaches a worker while it sleeps in that middle phase waits for the end
// of the sleep (50 µs plus the kernel's timer slack, often ~100 µs in all), and
// a request that crosses several actors can meet it at every hop.
//
// arbor's default (`idle_polling = false`) skips the middle phase: an idle
// worker blocks at once and the next message wakes it through the condition
// variable (a futex wake, ~10 µs here). On the project's 2-core machine this
// halves arbord's WebSocket echo round trip (p50 ~220 → ~85 µs) and cuts idle
// CPU; throughput figures stay within run-to-run noise (docs/performance.md).
// `idle_polling = true` restores CAF's stock phases.
#pragma once

#include <cstddef>

namespace caf {
class actor_system_config;
} // namespace caf

namespace arbor {

struct scheduler_options {
  size_t workers = 0;        ///< worker threads; 0 = CAF's default, max(cores, 4)
  bool idle_polling = false; ///< true = CAF's stock 50 µs polling before a worker blocks
};

/// Writes `opts` into `cfg` (call before constructing the actor_system).
void configure_scheduler(caf::actor_system_config& cfg, const scheduler_options& opts);

} // namespace arbor
