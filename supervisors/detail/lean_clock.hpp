// CAF 0.17's work-stealing scheduler with a clock that is not woken by actors
// that never used it.
//
// Every actor's end (`local_actor::cleanup`) tells the system clock to cancel
// the actor's timeouts. CAF 0.17's clock does that on its own dispatch thread:
// the ending actor allocates an event, pushes it through a 64-slot ring buffer
// (blocking while it is full) and wakes the thread through a condition
// variable. Most actors never set a timeout, yet each one pays that wake-up
// when it ends: when 100,000 children stop, the clock thread is woken up to
// 100,000 times and competes with the workers for the cores.
//
// `lean_clock` is CAF's clock with one change: it remembers which actors set a
// timeout (ordinary, multi or request timeouts; delayed messages are not tied
// to their sender) and forwards `cancel_timeouts` only for those. Everything
// else, including when and where timeouts fire, is CAF's own code.
// `lean_coordinator` is CAF's work-stealing coordinator using it; CAF's own
// clock thread stays idle beside it.
#pragma once

#include "supervisors/scheduler.hpp"

#include <array>
#include <atomic>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace arbor::detail {

class lean_clock final : public caf::detail::thread_safe_actor_clock {
public:
  using super = caf::detail::thread_safe_actor_clock;

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                            uint64_t id) override;
  void set_request_timeout(time_point t, caf::abstract_actor* self, caf::message_id id) override;
  void set_multi_timeout(time_point t, caf::abstract_actor* self, caf::atom_value type,
                         uint64_t id) override;
  void cancel_timeouts(caf::abstract_actor* self) override;

  clock_stats stats() const noexcept;

private:
  struct shard {
    std::mutex mtx;
    std::unordered_set<caf::actor_id> ids;
  };

  shard& shard_of(caf::actor_id id) noexcept { return shards_[id % shards_.size()]; }
  void remember(caf::abstract_actor* self);
  bool forget(caf::abstract_actor* self);

  std::array<shard, 16> shards_;
  std::atomic<uint64_t> skipped_{0};
  std::atomic<uint64_t> forwarded_{0};
};

class lean_coordinator final : public caf::scheduler::coordinator<caf::policy::work_stealing> {
public:
  using super = caf::scheduler::coordinator<caf::policy::work_stealing>;

  explicit lean_coordinator(caf::actor_system& sys) : super(sys) {}

  caf::detail::thread_safe_actor_clock& clock() noexcept override { return clock_; }

  arbor::clock_stats clock_stats() const noexcept { return clock_.stats(); }

protected:
  void start() override;
  void stop() override;

private:
  lean_clock clock_;
  std::thread dispatch_;
};

} // namespace arbor::detail
