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
//
// arbor also replaces the scheduler's clock (`lean_clock = true`, the default):
// CAF 0.17 wakes its clock thread whenever any actor ends, to cancel timeouts
// the actor usually never set; arbor's clock skips that for actors that never
// set one (supervisors/detail/lean_clock.hpp). Stopping many children then
// costs less; timeouts and delayed messages behave exactly as in CAF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace caf {
class actor_system;
class actor_system_config;
} // namespace caf

namespace arbor {

/// How often arbor's clock skipped or forwarded an ending actor's cancellation.
struct clock_stats {
  uint64_t cancels_skipped = 0;   ///< the actor never set a timeout
  uint64_t cancels_forwarded = 0; ///< sent to the clock's dispatch thread
};

struct scheduler_options {
  size_t workers = 0;        ///< worker threads; 0 = CAF's default, max(cores, 4)
  bool idle_polling = false; ///< true = CAF's stock 50 µs polling before a worker blocks
  bool lean_clock = true;    ///< false = CAF's stock clock (woken by every actor's end)
};

/// Writes `opts` into `cfg` (call before constructing the actor_system).
/// With `lean_clock`, also installs arbor's work-stealing coordinator, unless
/// `cfg` asks for another scheduler policy (`scheduler.policy`, e.g. testing).
void configure_scheduler(caf::actor_system_config& cfg, const scheduler_options& opts);

/// The lean clock's counters, or nothing when `sys` runs CAF's own clock.
std::optional<clock_stats> lean_clock_stats(caf::actor_system& sys);

} // namespace arbor
