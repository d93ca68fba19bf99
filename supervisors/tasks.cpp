#include "supervisors/tasks.hpp"

#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/supervision.hpp"
#include "supervisors/probe.hpp"
#include "supervisors/supervisor_log.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <unordered_map>

namespace arbor {

namespace {

using adopt_atom = caf::atom_constant<caf::atom("adopt")>;
constexpr caf::atom_value registry_name = caf::atom("arbortasks");

} // namespace

// -- task_state ----------------------------------------------------------------------

void task_state::set_result(caf::message result) {
  std::lock_guard<std::mutex> guard{mtx_};
  result_ = std::move(result);
}

void task_state::finish(caf::error reason) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (done_)
    return;
  done_ = true;
  reason_ = std::move(reason);
  cv_.notify_all();
}

bool task_state::done() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return done_;
}

caf::error task_state::reason() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return reason_;
}

caf::message task_state::result() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return result_;
}

bool task_state::wait(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> guard{mtx_};
  return cv_.wait_for(guard, timeout, [this] { return done_; });
}

void task_state::set_thread(std::thread::id id) {
  std::lock_guard<std::mutex> guard{mtx_};
  thread_ = id;
}

bool task_state::on_task_thread() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return thread_ == std::this_thread::get_id();
}

caf::expected<caf::message> task_handle::wait(std::chrono::milliseconds timeout) const {
  if (!state->wait(timeout))
    return make_error(errc::timeout, "task '" + state->name() + "' still running");
  if (auto reason = state->reason())
    return reason;
  return state->result();
}

// -- the task actor ---------------------------------------------------------------

namespace {

caf::error run_task(task_fn& fn, const std::shared_ptr<task_state>& state) {
  state->set_thread(std::this_thread::get_id());
  task_context ctx{state};
  caf::expected<caf::message> outcome = make_error(errc::task_failed, "no result");
  try {
    outcome = fn(ctx);
  } catch (const std::exception& e) {
    outcome = make_error(errc::task_failed, e.what());
  } catch (...) {
    outcome = make_error(errc::task_failed, "unknown exception");
  }
  if (!outcome)
    return outcome.error();
  state->set_result(std::move(*outcome));
  if (state->stop_requested())
    return caf::exit_reason::user_shutdown; // ended because it was asked to
  return caf::none;
}

caf::behavior task_actor(worker_actor* self, task_fn fn, std::shared_ptr<task_state> state) {
  // Only reached before the task ran: it never runs.
  self->set_exit_handler([self](caf::exit_msg& msg) { self->quit(msg.reason); });
  return {[self, fn, state](run_atom) mutable { self->quit(run_task(fn, state)); }};
}

} // namespace

// -- the task supervisor ------------------------------------------------------------

namespace {

struct task_supervisor_state {
  std::string path;
  std::chrono::milliseconds stop_deadline;
  std::unordered_map<caf::actor_id, std::pair<caf::actor, std::shared_ptr<task_state>>> tasks;
  bool stopping = false;
  caf::error exit_reason;
};

void on_task_down(worker_actor* self, task_supervisor_state& st, caf::down_msg& msg) {
  auto i = st.tasks.find(msg.source.id());
  if (i == st.tasks.end())
    return;
  auto state = i->second.second;
  st.tasks.erase(i); // the owner forgets a finished task
  if (!is_clean_exit(msg.reason)) {
    if (state->on_failure) {
      state->on_failure(msg.reason);
    } else {
      log_event ev{"task_failed", spdlog::level::err, st.path, state->name()};
      ev.reason = describe(msg.reason);
      log_supervisor_event(ev);
    }
  }
  state->finish(msg.reason);
  if (st.stopping && st.tasks.empty())
    self->quit(st.exit_reason);
}

void stop_all_tasks(worker_actor* self, task_supervisor_state& st, caf::error reason) {
  if (st.stopping)
    return;
  st.stopping = true;
  st.exit_reason = std::move(reason);
  self->system().registry().erase(registry_name);
  if (st.tasks.empty()) {
    self->quit(st.exit_reason);
    return;
  }
  for (auto& entry : st.tasks) {
    entry.second.second->request_stop();
    self->send_exit(entry.second.first, caf::exit_reason::user_shutdown);
  }
  self->delayed_send(self, st.stop_deadline, deadline_atom::value);
}

caf::behavior task_supervisor_actor(worker_actor* self, std::string path,
                                    std::chrono::milliseconds stop_deadline) {
  auto st = std::make_shared<task_supervisor_state>();
  st->path = std::move(path);
  st->stop_deadline = stop_deadline;
  self->set_down_handler([self, st](caf::down_msg& msg) { on_task_down(self, *st, msg); });
  self->set_exit_handler([self, st](caf::exit_msg& msg) { stop_all_tasks(self, *st, msg.reason); });
  return {
      [self, st](adopt_atom, caf::actor& task, std::shared_ptr<task_state>& state) {
        if (st->stopping) {
          state->finish(make_error(errc::system_stopped, "the task supervisor is stopping"));
          self->send_exit(task, caf::exit_reason::kill);
          return;
        }
        self->monitor(task);
        st->tasks.emplace(task.id(), std::make_pair(task, state));
        self->send(task, run_atom::value);
      },
      [self, st](deadline_atom) {
        for (auto& entry : st->tasks)
          self->send_exit(entry.second.first, caf::exit_reason::kill);
      },
      [self, st](hurry_atom) {
        // A second signal: every task gets the short deadline from now on.
        constexpr std::chrono::milliseconds hurried{200};
        st->stop_deadline = std::min(st->stop_deadline, hurried);
        if (st->stopping)
          self->delayed_send(self, hurried, deadline_atom::value);
      },
      [](ready_atom) { return ok_atom::value; },
      [st](count_children_atom) {
        auto n = static_cast<uint32_t>(st->tasks.size());
        return child_counts{n, n, 0, n};
      },
      [st](snapshot_atom) {
        auto n = static_cast<uint32_t>(st->tasks.size());
        return tree_node{"tasks",
                         st->path,
                         child_kind::supervisor,
                         "dynamic",
                         st->stopping ? child_state::stopping : child_state::running,
                         0,
                         child_counts{n, n, 0, n},
                         {}};
      },
  };
}

} // namespace

caf::actor spawn_task_supervisor(caf::actor_system& sys, std::string path,
                                 std::chrono::milliseconds stop_deadline) {
  auto sup = spawn_worker(sys, [path, stop_deadline](worker_actor* self) {
    return task_supervisor_actor(self, path, stop_deadline);
  });
  sys.registry().put(registry_name, caf::actor_cast<caf::strong_actor_ptr>(sup));
  return sup;
}

caf::actor task_supervisor(caf::actor_system& sys) {
  return caf::actor_cast<caf::actor>(sys.registry().get(registry_name));
}

caf::expected<task_handle> spawn_task(caf::actor_system& sys, std::string name, task_fn fn,
                                      task_options opts) {
  auto owner = task_supervisor(sys);
  if (!owner)
    return make_error(errc::system_stopped, "no task supervisor runs; '" + name + "' not run");
  auto state = std::make_shared<task_state>(std::move(name));
  state->on_failure = std::move(opts.on_failure);
  auto task = spawn_worker<caf::detached>(
      sys, [fn = std::move(fn), state](worker_actor* self) { return task_actor(self, fn, state); });
  caf::anon_send(owner, adopt_atom::value, task, state);
  return task_handle{task, state};
}

caf::expected<task_handle> fire_and_forget(caf::actor_system& sys, std::string name, task_fn fn) {
  return spawn_task(sys, std::move(name), std::move(fn));
}

// -- stopping --------------------------------------------------------------------------

namespace {

/// A short-lived actor that stops `child` and answers `result_atom` with
/// `(result_atom, reason)` once `child` ended (killed at `deadline`).
caf::behavior stopper(worker_actor* self, caf::actor child, std::chrono::milliseconds deadline) {
  struct state {
    std::optional<caf::error> reason;
    std::vector<caf::response_promise> waiters;
  };
  auto st = std::make_shared<state>();
  self->monitor(child);
  self->send_exit(child, caf::exit_reason::user_shutdown);
  self->delayed_send(self, deadline, deadline_atom::value);
  // The down message of an already-dead child can arrive before the spawner's
  // result request: keep the reason and quit only once somebody got it.
  self->set_down_handler([self, st](caf::down_msg& msg) {
    st->reason = msg.reason;
    for (auto& rp : st->waiters)
      rp.deliver(result_atom::value, msg.reason);
    if (!st->waiters.empty())
      self->quit();
  });
  return {
      [self, child](deadline_atom) { self->send_exit(child, caf::exit_reason::kill); },
      [self, st](result_atom) -> caf::result<result_atom, caf::error> {
        auto rp = self->make_response_promise();
        if (!st->reason) {
          st->waiters.push_back(rp);
          return caf::delegated<result_atom, caf::error>{};
        }
        rp.deliver(result_atom::value, *st->reason);
        self->quit();
        return caf::delegated<result_atom, caf::error>{};
      },
  };
}

caf::actor spawn_stopper(caf::actor_system& sys, const caf::actor& child,
                         std::chrono::milliseconds deadline) {
  return spawn_worker(sys,
                      [child, deadline](worker_actor* s) { return stopper(s, child, deadline); });
}

} // namespace

caf::error stop_and_wait(caf::actor_system& sys, const task_handle& task,
                         std::chrono::milliseconds deadline) {
  using namespace std::chrono;
  if (task.state->done())
    return task.state->reason(); // already finished: its recorded reason, at once
  auto give_up = steady_clock::now() + deadline + task_kill_grace;
  auto left = [give_up] {
    return std::max(milliseconds(1), duration_cast<milliseconds>(give_up - steady_clock::now()));
  };
  task.state->request_stop();
  caf::scoped_actor self{sys};
  caf::error reason = make_error(errc::timeout, "task did not stop");
  self->request(spawn_stopper(sys, task.actor, deadline), left(), result_atom::value)
      .receive([&](result_atom, caf::error& r) { reason = std::move(r); }, [](caf::error&) {});
  // The stopper saw the task end; its owner records that on its own down
  // message, which can come a moment later. Wait for it (bounded by the same
  // end), so that the task is `done()` once this returns.
  task.state->wait(left());
  return task.state->done() ? task.state->reason() : reason;
}

void stop_and_wait(caf::event_based_actor* self, const caf::actor& child,
                   std::chrono::milliseconds deadline, std::function<void(caf::error)> then) {
  self->request(spawn_stopper(self->system(), child, deadline), caf::infinite, result_atom::value)
      .then([then](result_atom, caf::error& reason) { then(std::move(reason)); },
            [then](caf::error& err) { then(std::move(err)); });
}

stop_status stop_sync(caf::actor_system& sys, const task_handle& task,
                      std::chrono::milliseconds timeout) {
  if (task.state->done())
    return stop_status::stopped;
  if (task.state->on_task_thread() || on_actor_thread()) {
    // Blocking here would deadlock (or stall a scheduler thread): ask and return.
    task.state->request_stop();
    caf::anon_send_exit(task.actor, caf::exit_reason::user_shutdown);
    return stop_status::stopping;
  }
  stop_and_wait(sys, task, timeout);
  return task.state->done() ? stop_status::stopped : stop_status::timed_out;
}

} // namespace arbor
