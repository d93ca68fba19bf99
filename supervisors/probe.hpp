// Mailbox probes for arbor's own actors.
//
// A supervisor whose child misses its shutdown deadline writes one
// `shutdown_stalled` line listing every child still alive with its mailbox size
// and the time since it last handled a message. CAF 0.17 has no thread-safe way
// to read another actor's mailbox, so arbor's actors count for themselves:
// `probed<Base>` counts enqueued and handled messages in atomics and stamps the
// time of the last one. It also marks the thread while the actor runs, so
// blocking helpers (`stop_sync`) can tell they were called from inside an actor.
//
// `spawn_worker(sys, fun)` spawns a function-based event-based actor with probes;
// use it for workers that should show up in stall reports.
#pragma once

#include <atomic>
#include <caf/actor_config.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/invoke_message_result.hpp>
#include <caf/mailbox_element.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace arbor {

/// What a probe tells about an actor right now.
struct probe_reading {
  uint64_t mailbox = 0; ///< messages enqueued but not yet handled
  int64_t idle_ms = 0;  ///< since the last handled message (or since spawn)
};

/// Implemented by probed actors; read from any thread.
class probe_source {
public:
  virtual ~probe_source() = default;
  virtual probe_reading read_probe() const noexcept = 0;
};

/// Reads the probe of `handle` when it is a probed local actor.
std::optional<probe_reading> read_probe(const caf::actor& handle);

/// True on a thread that must not block on another actor: while it runs a
/// probed actor's handler (in any actor system), and on every thread of an
/// actor system set up with `configure_scheduler` (its scheduler workers,
/// clock and other threads), whatever actor runs there.
bool on_actor_thread() noexcept;

namespace detail {

int64_t probe_now_ns() noexcept;
void mark_actor_thread(bool on) noexcept; ///< by configure_scheduler's thread hook
void enter_actor() noexcept;
void leave_actor() noexcept;

} // namespace detail

template <class Base>
class probed : public Base, public probe_source {
public:
  template <class... Ts>
  explicit probed(caf::actor_config& cfg, Ts&&... xs)
    : Base(cfg, std::forward<Ts>(xs)...), last_ns_(detail::probe_now_ns()) {}

  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override {
    enqueued_.fetch_add(1, std::memory_order_relaxed);
    Base::enqueue(std::move(ptr), eu);
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    detail::enter_actor();
    auto result = Base::consume(x);
    detail::leave_actor();
    if (result != caf::invoke_message_result::skipped) {
      handled_.fetch_add(1, std::memory_order_relaxed);
      last_ns_.store(detail::probe_now_ns(), std::memory_order_relaxed);
    }
    return result;
  }

  probe_reading read_probe() const noexcept override {
    auto in = enqueued_.load(std::memory_order_relaxed);
    auto out = handled_.load(std::memory_order_relaxed);
    auto idle = detail::probe_now_ns() - last_ns_.load(std::memory_order_relaxed);
    return {in > out ? in - out : 0, idle / 1000000};
  }

private:
  std::atomic<uint64_t> enqueued_{0};
  std::atomic<uint64_t> handled_{0};
  std::atomic<int64_t> last_ns_;
};

/// A probed function-based actor: `fun(self)` returns the behavior.
class worker_actor : public probed<caf::event_based_actor> {
public:
  using init_fn = std::function<caf::behavior(worker_actor*)>;

  worker_actor(caf::actor_config& cfg, init_fn init)
    : probed<caf::event_based_actor>(cfg), init_(std::move(init)) {}

  /// Runs the init function once and drops it, so that nothing it captured
  /// (possibly a handle to this very actor) outlives the start.
  caf::behavior make_behavior() override {
    auto init = std::move(init_);
    init_ = nullptr;
    return init(this);
  }

private:
  init_fn init_;
};

/// Spawns `fun` (taking `worker_actor*`, returning a behavior) as a probed actor.
template <caf::spawn_options Os = caf::no_spawn_options, class F>
caf::actor spawn_worker(caf::actor_system& sys, F fun) {
  return sys.spawn<worker_actor, Os>(worker_actor::init_fn{std::move(fun)});
}

} // namespace arbor
