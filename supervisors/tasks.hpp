// Task helpers (ARCHITECTURE.md §1): background work that someone owns.
//
//   spawn_task(sys, name, fn, opts) a task owned by the system's task supervisor;
//                                   a failure is logged once (`task_failed`) unless
//                                   `opts.on_failure` takes it (then only the callback,
//                                   exactly once); the caller can always wait for it.
//   fire_and_forget(sys, name, fn)  the same from any thread, actor or not; with no
//                                   running task supervisor nothing runs and the
//                                   error says so (`system_stopped`).
//   stop_and_wait(...)              exit(user_shutdown), wait for the end, kill at the
//                                   deadline; an already finished task or actor gives
//                                   its recorded reason at once, never throws.
//   stop_sync(task, timeout)        from a non-actor thread: blocks until stopped (kills
//                                   at `timeout`, gives up `task_kill_grace` later); from an
//                                   actor's thread (on_actor_thread) or the task's own:
//                                   never blocks, asks the task to stop cooperatively
//                                   and returns `stopping`.
//
// A task function runs on a detached actor (its own thread), so it may block. It
// sees stop requests through `task_context::stop_requested()`: stopping a task is
// cooperative; a task that never looks is killed at the deadline once it returns.
//
// The task supervisor (`spawn_task_supervisor`) is one actor per system,
// registered by name; it adopts every task, monitors it and forgets it when it
// ends. On exit it stops all running tasks concurrently under one deadline.
#pragma once

#include <atomic>
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace arbor {

/// What a task and its handles share. Thread-safe.
class task_state {
public:
  explicit task_state(std::string name) : name_(std::move(name)) {}

  const std::string& name() const noexcept { return name_; }
  bool stop_requested() const noexcept { return stop_.load(); }
  void request_stop() noexcept { stop_.store(true); }

  /// Keeps the task function's result until the task is finished.
  void set_result(caf::message result);
  /// Records the outcome once (later calls are ignored) and wakes waiters. Called
  /// by the task supervisor after it forgot the task, so a finished task is never
  /// still counted by its owner.
  void finish(caf::error reason);
  bool done() const;
  caf::error reason() const;
  caf::message result() const;
  /// Blocks until done; false after `timeout`.
  bool wait(std::chrono::milliseconds timeout) const;

  void set_thread(std::thread::id id);
  bool on_task_thread() const;

  std::function<void(const caf::error&)> on_failure;

private:
  std::string name_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  bool done_ = false;
  caf::error reason_;
  caf::message result_;
  std::thread::id thread_;
};

/// Handed to the task function.
class task_context {
public:
  explicit task_context(std::shared_ptr<task_state> state) : state_(std::move(state)) {}
  bool stop_requested() const noexcept { return state_->stop_requested(); }
  const std::string& name() const noexcept { return state_->name(); }

private:
  std::shared_ptr<task_state> state_;
};

/// A task's work: a result message or an error.
using task_fn = std::function<caf::expected<caf::message>(task_context&)>;

struct task_options {
  /// Takes the failure instead of the log (called once, on the supervisor's thread).
  std::function<void(const caf::error&)> on_failure;
};

/// A started task.
struct task_handle {
  caf::actor actor;
  std::shared_ptr<task_state> state;

  bool done() const { return state->done(); }
  /// Blocks (non-actor threads) until the task ended: its result or its error.
  caf::expected<caf::message> wait(std::chrono::milliseconds timeout) const;
};

/// Spawns the system's task supervisor at `path` and registers it.
caf::actor spawn_task_supervisor(caf::actor_system& sys, std::string path = "/app/tasks",
                                 std::chrono::milliseconds stop_deadline = std::chrono::seconds(5));

/// The registered task supervisor, or an invalid handle.
caf::actor task_supervisor(caf::actor_system& sys);

caf::expected<task_handle> spawn_task(caf::actor_system& sys, std::string name, task_fn fn,
                                      task_options opts = {});

caf::expected<task_handle> fire_and_forget(caf::actor_system& sys, std::string name, task_fn fn);

/// After a kill, how long the blocking stops wait for the task to end. A task
/// whose function blocks ends only when the function returns: the wait gives
/// up then, and the task ends later on its own.
constexpr std::chrono::milliseconds task_kill_grace{1000};

/// Blocking stop of a task (non-actor threads); returns the task's exit reason,
/// or `errc::timeout` when it has not ended `deadline + task_kill_grace` after the
/// call (it was killed at `deadline`; its function still blocks).
caf::error stop_and_wait(caf::actor_system& sys, const task_handle& task,
                         std::chrono::milliseconds deadline);

/// Stop of any actor from inside an actor: `then(reason)` runs on `self` once
/// `child` ended (killed at `deadline` if it ignores the exit).
void stop_and_wait(caf::event_based_actor* self, const caf::actor& child,
                   std::chrono::milliseconds deadline, std::function<void(caf::error)> then);

/// `stopped`: the task has ended. `stopping`: asked to stop, not waited for
/// (called on an actor's thread or the task's own). `timed_out`: still running
/// `timeout + task_kill_grace` after the call; it was killed at `timeout` and ends
/// when its function returns.
enum class stop_status { stopped, stopping, timed_out };

stop_status stop_sync(caf::actor_system& sys, const task_handle& task,
                      std::chrono::milliseconds timeout);

} // namespace arbor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<arbor::task_state>)
