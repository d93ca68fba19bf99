// Stopping children: exit(user_shutdown), a deadline per child on one lazily
// re-armed timer, a `shutdown_stalled` report and exit(kill) when it passes, and
// the ordered shutdown of the whole supervisor.
#include "messages/errc.hpp"
#include "supervisors/detail/supervisor_actor.hpp"
#include "supervisors/supervisor_log.hpp"

#include <caf/all.hpp>

namespace arbor::detail {

void supervisor_actor::stop_children(std::vector<std::shared_ptr<child>> queue, bool concurrent,
                                     std::function<void()> then) {
  auto job_id = next_job_++;
  auto& job = jobs_[job_id];
  job.queue = std::move(queue);
  job.concurrent = concurrent;
  job.then = std::move(then);
  job.started = now();
  if (concurrent)
    stop_batch(job_id);
  else
    stop_next(job_id);
}

// A concurrent stop sends its exits in batches. CAF 0.17's work-stealing queue
// steals from the tail in O(length) under both of its locks, so scheduling
// 100,000 children from one handler took quadratic time (minutes). Between
// batches the supervisor lets its thread run them: the next batch is a
// zero-delay message, which CAF's clock delivers after this handler returned.
// The next batch also goes out as soon as half of the last one has stopped.
// Every exit still goes out within milliseconds, and all children share the
// job's deadline (counted from the job's start), so one timer tick finds every
// late child and one `shutdown_stalled` line reports them.
void supervisor_actor::stop_batch(uint64_t job_id) {
  auto i = jobs_.find(job_id);
  if (i == jobs_.end())
    return; // superseded (shutdown replaced a group stop)
  auto& job = i->second;
  auto end = std::min(job.queue.size(), job.next + stop_batch_size);
  while (job.next < end)
    if (auto held = take_next(job); !held->removed && held->alive()) {
      ++job.pending;
      stop_one(*held, job_id, job.started); // one deadline for the whole job
    }
  if (job.next < job.queue.size()) {
    if (!job.batch_timer) { // the next batch even if no child stops (all stubborn)
      job.batch_timer = true;
      delayed_send(caf::actor_cast<caf::actor>(this), caf::timespan{0}, stop_batch_atom::value,
                   job_id);
    }
  } else if (job.pending == 0) {
    finish_job(i); // nothing (left) to wait for
  }
}

void supervisor_actor::on_batch_timer(uint64_t job_id) {
  if (auto i = jobs_.find(job_id); i != jobs_.end()) {
    i->second.batch_timer = false;
    stop_batch(job_id);
  }
}

// The job lets go of each record as it sends the exit: from then on the child
// table (or nobody, for a removed child) holds it, and the end of a long job
// frees nothing in one go.
std::shared_ptr<child> supervisor_actor::take_next(stop_job& job) {
  return std::move(job.queue[job.next++]);
}

void supervisor_actor::stop_next(uint64_t job_id) {
  auto i = jobs_.find(job_id);
  if (i == jobs_.end())
    return;
  auto& job = i->second;
  while (job.next < job.queue.size()) {
    auto held = take_next(job);
    if (!held->removed && held->alive()) {
      stop_one(*held, job_id, time_point{});
      return;
    }
  }
  finish_job(i);
}

void supervisor_actor::finish_job(std::unordered_map<uint64_t, stop_job>::iterator i) {
  auto then = std::move(i->second.then);
  jobs_.erase(i);
  if (then)
    then();
}

caf::timespan supervisor_actor::stop_timeout(const child& c) const {
  auto sd = c.spec->effective_shutdown();
  if (hurried_)
    return spec_.hurry_deadline;
  if (sd.how == shutdown_policy::kind::infinity)
    return caf::timespan::max();
  return sd.timeout;
}

void supervisor_actor::stop_one(child& c, uint64_t job_id, time_point since) {
  c.stop_job = job_id;
  if (c.state == child_state::stopping)
    return; // already on its way down (a terminate request); this job waits too
  c.state = child_state::stopping;
  c.killing = false;
  c.stop_deadline = time_point{};
  auto t = now(); // the one clock read of a stop
  c.stop_started = t;
  if (c.spec->effective_shutdown().how == shutdown_policy::kind::brutal_kill) {
    c.killing = true;
    send_exit(c.handle, caf::exit_reason::kill);
    arm_deadline_at(c, t + spec_.kill_grace);
    return;
  }
  // On this worker's queue: the child runs next here or is stolen by an idle
  // worker. Handing it to another worker instead (no execution unit) wakes
  // that worker for every exit, which halved the terminate rate (performance.md).
  send_exit(c.handle, caf::exit_reason::user_shutdown);
  auto timeout = stop_timeout(c);
  if (hurried_ || since == time_point{})
    since = t; // after a hurry every new stop gets hurry_deadline from now
  if (timeout != caf::timespan::max())
    arm_deadline_at(c, since + timeout);
}

void supervisor_actor::on_child_stopped(child& c, const caf::error& reason) {
  bool failed = !is_clean_exit(reason) && !c.killing;
  if (failed && !stop_failure_)
    stop_failure_ = reason;    // the first failure surfaces once every child stopped
  std::optional<int64_t> took; // read the clock only for the log line
  if (supervisor_log_enabled())
    took = std::chrono::duration_cast<std::chrono::milliseconds>(now() - c.stop_started).count();
  log_child("child_stopped", failed ? spdlog::level::warn : spdlog::level::info, c, &reason, took);
  complete_stop(c);
}

void supervisor_actor::complete_stop(child& c) {
  c.state = child_state::stopped;
  c.killing = false;
  drop_deadline(c);
  ++c.generation; // invalidates its deadline entries
  for (auto& rp : c.stop_waiters)
    rp.deliver(ok_atom::value);
  c.stop_waiters.clear();
  auto job_id = std::exchange(c.stop_job, 0);
  if (c.remove_when_stopped)
    children_.remove(c.id); // `c` is gone from here on
  auto i = jobs_.find(job_id);
  if (i == jobs_.end())
    return;
  auto& job = i->second;
  if (!job.concurrent)
    stop_next(job_id);
  else if (--job.pending <= stop_batch_size / 2 && job.next < job.queue.size())
    stop_batch(job_id); // half a batch has stopped: the next one
  else if (job.pending == 0 && job.next == job.queue.size())
    finish_job(i);
}

void supervisor_actor::arm_deadline(child& c, caf::timespan timeout) {
  arm_deadline_at(c, now() + timeout);
}

void supervisor_actor::arm_deadline_at(child& c, time_point due) {
  c.stop_deadline = due;
  deadlines_.push({c.stop_deadline, c.id, c.generation});
  arm_timer(c.stop_deadline);
}

// A stopped child's deadline entry stays in the heap until its time comes,
// unless it is the earliest, as in an ordered stop (one child at a time): then
// it goes now, so the heap does not grow by one entry per child.
void supervisor_actor::drop_deadline(const child& c) {
  while (!deadlines_.empty() && deadlines_.top().generation == c.generation &&
         deadlines_.top().id == c.id)
    deadlines_.pop();
}

void supervisor_actor::arm_timer(time_point due) {
  if (timer_pending_ && timer_due_ <= due)
    return;
  timer_pending_ = true;
  timer_due_ = due;
  auto delay = std::max(due - now(), caf::actor_clock::duration_type{0});
  delayed_send(caf::actor_cast<caf::actor>(this), delay, deadline_atom::value, ++timer_token_);
}

void supervisor_actor::on_deadline_timer(uint64_t token) {
  if (token != timer_token_)
    return; // superseded by an earlier timer
  timer_pending_ = false;
  auto t = now();
  std::vector<std::string> late;
  while (!deadlines_.empty() && deadlines_.top().due <= t) {
    auto entry = deadlines_.top();
    deadlines_.pop();
    auto* c = children_.find(entry.id);
    if (c != nullptr && c->generation == entry.generation && c->state == child_state::stopping &&
        t >= c->stop_deadline)
      late.push_back(std::move(entry.id));
  }
  // One report for everyone late in this tick (a dynamic supervisor's children
  // share a deadline: one line per child, each listing all, would be quadratic).
  for (const auto& id : late)
    if (auto* c = children_.find(id); c != nullptr && !c->killing) {
      report_stalled(*c);
      break;
    }
  for (const auto& id : late) // a child may be listed twice (a hurry re-armed it)
    if (auto* c = children_.find(id);
        c != nullptr && c->state == child_state::stopping && t >= c->stop_deadline)
      on_deadline_passed(*c); // moves its deadline on: a second entry is skipped
  if (!deadlines_.empty())
    arm_timer(deadlines_.top().due);
}

void supervisor_actor::on_deadline_passed(child& c) {
  if (!c.killing) {
    log_child("child_killed", spdlog::level::err, c);
    c.killing = true;
    send_exit(c.handle, caf::exit_reason::kill);
    arm_deadline(c, spec_.kill_grace);
    return;
  }
  // The kill was not confirmed: the child is stuck inside a handler. Give up on
  // it so that shutdown goes on; its late down message is ignored.
  log_child("child_abandoned", spdlog::level::err, c);
  children_.unbind(c);
  complete_stop(c);
}

void supervisor_actor::report_stalled(const child& late) {
  if (!supervisor_log_enabled())
    return;
  std::string list = "[";
  for (auto* c : children_.in_order()) {
    if (!c->alive())
      continue;
    if (list.size() > 1)
      list += ',';
    list +=
        "{\"path\":" + json_quote(child_path(*c)) + ",\"state\":\"" + to_string(c->state) + "\"";
    if (auto probe = arbor::read_probe(c->handle))
      list += ",\"mailbox\":" + std::to_string(probe->mailbox) +
              ",\"idle_ms\":" + std::to_string(probe->idle_ms);
    list += '}';
  }
  list += ']';
  log_event ev{"shutdown_stalled", spdlog::level::warn, path_, late.id};
  ev.extra.emplace_back("deadline", json_quote(to_string(late.spec->effective_shutdown())));
  ev.extra.emplace_back("alive", std::move(list));
  log_supervisor_event(ev);
}

std::vector<std::shared_ptr<child>> supervisor_actor::alive_in_stop_order() {
  std::vector<std::shared_ptr<child>> queue;
  auto ordered = children_.in_order();
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
    if ((*it)->alive())
      queue.push_back((*it)->shared_from_this());
    else if ((*it)->state == child_state::restarting)
      (*it)->state = child_state::stopped; // its restart timer is ignored from now on
  }
  return queue;
}

void supervisor_actor::shutdown(caf::error reason) {
  if (shutting_down_)
    return; // idempotent: a second request changes nothing (hurry_atom shortens)
  shutting_down_ = true;
  exit_reason_ = std::move(reason);
  shutdown_began_ = now();
  log_self("shutdown_started", spdlog::level::info, &exit_reason_);
  become_state(behavior_state::stopping);
  pending_restarts_.clear();
  start_queue_.clear();
  jobs_.clear(); // a group restart in flight is superseded
  stop_children(alive_in_stop_order(), spec_.strat == strategy::dynamic,
                [this] { finish_shutdown(); });
}

void supervisor_actor::finish_shutdown() {
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(now() - shutdown_began_);
  auto reason = exit_reason_;
  // A child that failed to stop cleanly surfaces after all others stopped.
  if (is_clean_exit(reason) && stop_failure_)
    reason = stop_failure_;
  log_self("shutdown_completed", is_clean_exit(reason) ? spdlog::level::info : spdlog::level::warn,
           &reason, took.count());
  for (auto& rp : ready_waiters_)
    rp.deliver(reason ? reason : make_error(errc::shutting_down));
  ready_waiters_.clear();
  quit(reason);
}

void supervisor_actor::hurry() {
  if (hurried_)
    return;
  hurried_ = true;
  auto due = now() + spec_.hurry_deadline;
  for (auto* c : children_.running_now()) {      // order does not matter: no sort
    if (c->spec->kind == child_kind::supervisor) // thousands of sessions: spread them
      send_spread(c->handle, hurry_atom::value);
    if (c->state == child_state::stopping && !c->killing &&
        (c->stop_deadline == time_point{} || c->stop_deadline > due))
      arm_deadline(*c, spec_.hurry_deadline);
  }
}

void supervisor_actor::on_exit() {
  // Killed (or failed) while children still run: no child outlives its supervisor.
  for (auto* c : children_.running_now())
    caf::anon_send_exit(c->handle, caf::exit_reason::kill);
  probed<caf::event_based_actor>::on_exit();
}

} // namespace arbor::detail
