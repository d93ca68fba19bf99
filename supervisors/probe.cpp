#include "supervisors/probe.hpp"

#include <caf/actor_cast.hpp>

namespace arbor {

namespace {

thread_local int actor_depth = 0;

} // namespace

namespace detail {

int64_t probe_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void enter_actor() noexcept {
  ++actor_depth;
}

void leave_actor() noexcept {
  --actor_depth;
}

} // namespace detail

bool inside_arbor_actor() noexcept {
  return actor_depth > 0;
}

std::optional<probe_reading> read_probe(const caf::actor& handle) {
  auto ptr = caf::actor_cast<caf::abstract_actor*>(handle);
  if (auto source = dynamic_cast<const probe_source*>(ptr))
    return source->read_probe();
  return std::nullopt;
}

} // namespace arbor
