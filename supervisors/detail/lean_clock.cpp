#include "supervisors/detail/lean_clock.hpp"

#include <caf/actor_system.hpp>
#include <caf/detail/set_thread_name.hpp>

namespace arbor::detail {

void lean_clock::set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                                      uint64_t id) {
  remember(self);
  super::set_ordinary_timeout(t, self, type, id);
}

void lean_clock::set_request_timeout(time_point t, caf::abstract_actor* self, caf::message_id id) {
  remember(self);
  super::set_request_timeout(t, self, id);
}

void lean_clock::set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                                   uint64_t id) {
  remember(self);
  super::set_multi_timeout(t, self, type, id);
}

// Called once, when `self` ends. An actor that set a timeout and saw it fire
// is still remembered: its (now empty) cancellation is forwarded, as CAF does.
void lean_clock::cancel_timeouts(caf::abstract_actor* self) {
  if (!forget(self)) {
    skipped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  forwarded_.fetch_add(1, std::memory_order_relaxed);
  super::cancel_timeouts(self);
}

clock_stats lean_clock::stats() const noexcept {
  return {skipped_.load(std::memory_order_relaxed), forwarded_.load(std::memory_order_relaxed)};
}

void lean_clock::remember(caf::abstract_actor* self) {
  auto& s = shard_of(self->id());
  std::lock_guard<std::mutex> guard{s.mtx};
  s.ids.insert(self->id());
}

bool lean_clock::forget(caf::abstract_actor* self) {
  auto& s = shard_of(self->id());
  std::lock_guard<std::mutex> guard{s.mtx};
  return s.ids.erase(self->id()) > 0;
}

// The dispatch thread starts before the workers (an actor may set a timeout as
// soon as it runs) and stops after them (their ends still cancel timeouts).
void lean_coordinator::start() {
  dispatch_ = std::thread{[this] {
    caf::detail::set_thread_name("arbor.clock");
    system().thread_started();
    clock_.run_dispatch_loop();
    system().thread_terminates();
  }};
  super::start();
}

void lean_coordinator::stop() {
  super::stop();
  clock_.cancel_dispatch_loop();
  dispatch_.join();
}

} // namespace arbor::detail
