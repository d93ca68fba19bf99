#include "supervisors/probe.hpp"

#include <caf/actor_cast.hpp>
#include <ctime>

namespace arbor {

namespace {

thread_local int actor_depth = 0;
thread_local bool actor_system_thread = false;

} // namespace

namespace detail {

// The coarse monotonic clock: every handled message of every probed actor
// reads it, and the reading only has to be good to the millisecond (idle_ms).
// CLOCK_MONOTONIC_COARSE is a plain read of the kernel's last tick (1-4 ms
// resolution); CLOCK_MONOTONIC's vDSO path was 2 % of a stop-heavy profile.
int64_t probe_now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void mark_actor_thread(bool on) noexcept {
  actor_system_thread = on;
}

void enter_actor() noexcept {
  ++actor_depth;
}

void leave_actor() noexcept {
  --actor_depth;
}

} // namespace detail

bool on_actor_thread() noexcept {
  return actor_depth > 0 || actor_system_thread;
}

std::optional<probe_reading> read_probe(const caf::actor& handle) {
  auto ptr = caf::actor_cast<caf::abstract_actor*>(handle);
  if (auto source = dynamic_cast<const probe_source*>(ptr))
    return source->read_probe();
  return std::nullopt;
}

} // namespace arbor
