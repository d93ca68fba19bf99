#include "supervisors/detail/supervisor_actor.hpp"

#include "messages/errc.hpp"
#include "supervisors/supervisor_log.hpp"

#include <caf/all.hpp>

namespace arbor::detail {

namespace {

uint64_t seed_of(const backoff_policy& b) {
  if (b.seed != 0)
    return b.seed;
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

} // namespace

supervisor_actor::supervisor_actor(caf::actor_config& cfg, supervisor_spec spec, std::string path)
  : probed<caf::event_based_actor>(cfg), spec_(std::move(spec)), path_(std::move(path)),
    window_(spec_.max_restarts, spec_.period), rng_(seed_of(spec_.backoff)) {
  if (spec_.strat == strategy::dynamic) {
    template_ = std::make_shared<const child_spec>(spec_.children.front());
    return;
  }
  for (auto& c : spec_.children)
    children_.add(std::make_shared<const child_spec>(c), c.id);
}

// -- states ---------------------------------------------------------------------

caf::behavior supervisor_actor::make_behavior() {
  set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
  set_exit_handler([this](caf::exit_msg& msg) { shutdown(std::move(msg.reason)); });
  std::vector<std::string> ids;
  for (auto* c : children_.in_order())
    ids.push_back(c->id);
  begin_start(std::move(ids), true);
  // The start may already have moved on (all started: running; a child failed
  // at once: stopping); otherwise it is still starting.
  return behavior_for(state_);
}

caf::message_handler supervisor_actor::timers() {
  return {
      [this](deadline_atom, uint64_t token) { on_deadline_timer(token); },
      [this](stop_batch_atom, uint64_t job_id) { on_batch_timer(job_id); },
      [this](restart_atom, const std::string& id, uint64_t gen) { on_restart_timer(id, gen); },
      [this](hurry_atom) { hurry(); },
  };
}

caf::behavior supervisor_actor::starting() {
  set_default_handler(caf::skip);
  return timers().or_else(introspection()).or_else([this](ready_atom) {
    ready_waiters_.push_back(make_response_promise());
    return caf::delegated<ok_atom>{};
  });
}

caf::behavior supervisor_actor::restarting() {
  set_default_handler(caf::skip);
  return timers().or_else(introspection()).or_else([](ready_atom) { return ok_atom::value; });
}

caf::behavior supervisor_actor::stopping() {
  set_default_handler([](caf::scheduled_actor*, caf::message_view&) -> caf::result<caf::message> {
    return make_error(errc::shutting_down, "the supervisor is shutting down");
  });
  return timers().or_else(introspection()).or_else([this](ready_atom) -> caf::result<ok_atom> {
    if (ready_)
      return make_error(errc::shutting_down, "the supervisor is shutting down");
    // Never ready (its start failed or was stopped): answered with the reason
    // once the rollback ends (finish_shutdown).
    ready_waiters_.push_back(make_response_promise());
    return caf::delegated<ok_atom>{};
  });
}

void supervisor_actor::become_idle() {
  busy_ = false;
  become_state(behavior_state::running);
  drain_pending();
}

bool supervisor_actor::defer_if_busy() {
  if (!busy_)
    return false;
  // The request is skipped and looked at again when the start job ends (the
  // state change back to running re-examines skipped messages).
  become_state(behavior_state::restarting);
  return true;
}

caf::behavior supervisor_actor::behavior_for(behavior_state s) {
  switch (s) {
    case behavior_state::starting:
      return starting();
    case behavior_state::running:
      return running();
    case behavior_state::restarting:
      return restarting();
    case behavior_state::stopping:
      break;
  }
  return stopping();
}

void supervisor_actor::become_state(behavior_state next) {
  if (state_ == next)
    return;
  state_ = next;
  become(behavior_for(next));
}

// -- start ----------------------------------------------------------------------

void supervisor_actor::begin_start(std::vector<std::string> ids, bool initial) {
  start_queue_ = std::move(ids);
  start_next_ = 0;
  initial_start_ = initial;
  busy_ = true;
  start_next();
}

void supervisor_actor::start_next() {
  // A loop, not recursion: a tree may have tens of thousands of static children.
  while (start_next_ < start_queue_.size()) {
    auto* c = children_.find(start_queue_[start_next_]);
    if (c != nullptr && !c->alive() && !start_one(*c))
      return; // waiting for its ready reply, or the start failed
    ++start_next_;
  }
  finish_start();
}

void supervisor_actor::finish_start() {
  start_queue_.clear();
  if (initial_start_) {
    initial_start_ = false;
    ready_ = true;
    for (auto& rp : ready_waiters_)
      rp.deliver(ok_atom::value);
    ready_waiters_.clear();
  }
  if (!shutting_down_)
    become_idle();
}

caf::expected<caf::actor> supervisor_actor::invoke_factory(child& c) {
  child_context ctx{system(), child_path(c), caf::actor_cast<caf::actor>(this), c.args, context()};
  try {
    auto result = c.spec->start(ctx);
    if (result && !*result)
      return make_error(errc::start_failed, "factory returned no actor");
    return result;
  } catch (const std::exception& e) {
    return make_error(errc::start_failed, e.what());
  } catch (...) {
    return make_error(errc::start_failed, "unknown exception");
  }
}

bool supervisor_actor::start_one(child& c) {
  ++c.generation;
  c.state = child_state::starting;
  auto handle = invoke_factory(c);
  if (!handle) {
    on_start_failed(c, std::move(handle.error()));
    return false;
  }
  children_.bind(c, *handle);
  monitor(c.handle);
  if (!c.spec->await_ready) {
    on_started(c);
    return true;
  }
  await_ready(c);
  return false;
}

void supervisor_actor::await_ready(child& c) {
  auto id = c.id;
  auto gen = c.generation;
  auto current = [this, id, gen]() -> child* {
    auto* ch = children_.find(id);
    return ch && ch->generation == gen && ch->state == child_state::starting ? ch : nullptr;
  };
  request(c.handle, c.spec->start_timeout, ready_atom::value)
      .then(
          [current, this](ok_atom) {
            if (auto* ch = current()) {
              on_started(*ch);
              if (start_next_ < start_queue_.size() && start_queue_[start_next_] == ch->id) {
                ++start_next_;
                start_next();
              }
            }
          },
          [current, this](caf::error& err) {
            if (auto* ch = current())
              on_start_failed(*ch, err == caf::sec::request_timeout
                                       ? make_error(errc::start_timeout, "no ready reply")
                                       : std::move(err));
          });
}

void supervisor_actor::on_started(child& c) {
  c.state = child_state::running;
  log_child("child_started", spdlog::level::info, c);
  for (auto& rp : c.start_waiters)
    rp.deliver(c.handle);
  c.start_waiters.clear();
}

void supervisor_actor::on_start_failed(child& c, caf::error reason) {
  if (c.alive()) {
    demonitor(c.handle);
    send_exit(c.handle, caf::exit_reason::kill);
    children_.unbind(c);
  }
  c.state = child_state::stopped;
  c.last_reason = reason;
  log_child("child_start_failed", spdlog::level::err, c, &reason);
  for (auto& rp : c.start_waiters)
    rp.deliver(reason);
  c.start_waiters.clear();
  if (shutting_down_)
    return;
  if (spec_.strat == strategy::dynamic && c.restarts == 0) {
    children_.remove(c.id); // never started: the requester got the error
    return;
  }
  if (initial_start_) {
    on_initial_start_failed(c, reason);
    return;
  }
  // A failed restart is retried by a message to self, counted against intensity.
  start_queue_.clear();
  become_idle();
  request_restart(c, true);
}

void supervisor_actor::on_initial_start_failed(const child& c, const caf::error& reason) {
  auto why = make_error(errc::start_failed, c.id + ": " + describe(reason));
  start_queue_.clear();
  // The ready waiters get `why` from finish_shutdown, after the rollback: a
  // parent supervisor that heard of the failure earlier would kill this one
  // (on_start_failed) and cut the ordered stop of its children short.
  shutdown(std::move(why));
}

// -- exits and restarts -----------------------------------------------------------

void supervisor_actor::on_down(caf::down_msg& msg) {
  auto* c = children_.find(msg.source.id());
  if (c == nullptr)
    return; // already forgotten (killed after a failed start, or removed)
  children_.unbind(*c);
  c->last_reason = msg.reason;
  switch (c->state) {
    case child_state::starting:
      on_start_failed(*c, std::move(msg.reason));
      break;
    case child_state::stopping:
      on_child_stopped(*c, msg.reason);
      break;
    default:
      on_child_exit(*c, msg.reason);
  }
}

bool supervisor_actor::should_restart(const child& c, const caf::error& reason) const {
  switch (c.spec->restart) {
    case restart_type::permanent:
      return true;
    case restart_type::transient:
      return !is_clean_exit(reason);
    default:
      return false;
  }
}

void supervisor_actor::on_child_exit(child& c, const caf::error& reason) {
  auto lvl = is_clean_exit(reason) ? spdlog::level::info : spdlog::level::warn;
  c.state = child_state::stopped;
  log_child("child_exited", lvl, c, &reason);
  if (shutting_down_)
    return;
  if (!should_restart(c, reason)) {
    after_terminated(c);
    return;
  }
  if (busy_) {
    c.state = child_state::restarting;
    pending_restarts_.push_back(c.id);
    return;
  }
  request_restart(c);
}

void supervisor_actor::request_restart(child& c, bool retry) {
  if (!window_.add(now())) {
    escalate(c);
    return;
  }
  c.state = child_state::restarting;
  ++c.generation;
  auto self = caf::actor_cast<caf::actor>(this);
  if (spec_.backoff.enabled) {
    std::uniform_real_distribution<double> jitter{0.0, 1.0};
    auto delay = spec_.backoff.delay(window_.count(), jitter(rng_));
    delayed_send(self, delay, restart_atom::value, c.id, c.generation);
  } else if (retry) {
    send(self, restart_atom::value, c.id, c.generation);
  } else {
    restart(c);
  }
}

void supervisor_actor::on_restart_timer(const std::string& id, uint64_t generation) {
  auto* c = children_.find(id);
  if (c == nullptr || c->generation != generation || c->state != child_state::restarting ||
      shutting_down_)
    return;
  if (busy_) {
    pending_restarts_.push_back(id);
    return;
  }
  restart(*c);
}

void supervisor_actor::restart(child& c) {
  ++c.restarts;
  log_child("child_restarted", spdlog::level::info, c);
  auto group = restart_group_of(c);
  std::vector<std::shared_ptr<child>> to_stop;
  for (auto it = group.rbegin(); it != group.rend(); ++it)
    if (auto* sibling = children_.find(*it); sibling && sibling->alive())
      to_stop.push_back(sibling->shared_from_this());
  if (to_stop.empty()) {
    begin_start(std::move(group), false);
    return;
  }
  busy_ = true;
  become_state(behavior_state::restarting);
  stop_children(std::move(to_stop), false, [this, group] {
    std::vector<std::string> restartable;
    for (const auto& id : group)
      if (auto* sibling = children_.find(id); sibling != nullptr)
        restartable.push_back(id);
    begin_start(std::move(restartable), false);
  });
}

std::vector<std::string> supervisor_actor::restart_group_of(const child& c) {
  if (spec_.strat != strategy::one_for_all && spec_.strat != strategy::rest_for_one)
    return {c.id};
  std::vector<std::string> group;
  for (auto* sibling : children_.in_order()) {
    if (spec_.strat == strategy::rest_for_one && sibling->order < c.order)
      continue;
    // Temporary siblings are stopped with the group but never restarted.
    if (sibling != &c && sibling->spec->restart == restart_type::temporary)
      sibling->remove_when_stopped = true;
    group.push_back(sibling->id);
  }
  return group;
}

void supervisor_actor::after_terminated(child& c) {
  bool significant = c.spec->significant;
  if (c.spec->restart == restart_type::temporary || spec_.strat == strategy::dynamic)
    children_.remove(c.id);
  if (significant)
    check_auto_shutdown();
}

void supervisor_actor::check_auto_shutdown() {
  if (spec_.auto_stop == auto_shutdown::never || shutting_down_)
    return;
  bool any_left = false;
  for (auto* sibling : children_.in_order())
    if (sibling->spec->significant && sibling->alive())
      any_left = true;
  if (spec_.auto_stop == auto_shutdown::any_significant || !any_left)
    shutdown(caf::exit_reason::user_shutdown);
}

void supervisor_actor::escalate(const child& trigger) {
  auto reason = make_error(errc::restart_intensity_exceeded);
  log_event ev{"restart_intensity_exceeded", spdlog::level::err, path_, trigger.id};
  ev.restarts = window_.count();
  ev.window_s = std::chrono::duration<double>(spec_.period).count();
  log_supervisor_event(ev);
  shutdown(std::move(reason));
}

void supervisor_actor::drain_pending() {
  while (!pending_restarts_.empty() && !busy_ && !shutting_down_) {
    auto id = std::move(pending_restarts_.front());
    pending_restarts_.erase(pending_restarts_.begin());
    if (auto* c = children_.find(id); c && !c->alive() && c->state == child_state::restarting)
      request_restart(*c);
  }
}

// -- logging ----------------------------------------------------------------------

void supervisor_actor::log_child(std::string_view event, spdlog::level::level_enum lvl,
                                 const child& c, const caf::error* reason,
                                 std::optional<int64_t> duration_ms) {
  if (!supervisor_log_enabled())
    return;
  log_event ev{event, lvl, path_, c.id};
  if (reason != nullptr)
    ev.reason = describe(*reason);
  ev.restarts = c.restarts;
  ev.duration_ms = duration_ms;
  log_supervisor_event(ev);
}

void supervisor_actor::log_self(std::string_view event, spdlog::level::level_enum lvl,
                                const caf::error* reason, std::optional<int64_t> duration_ms) {
  log_event ev{event, lvl, path_};
  if (reason != nullptr)
    ev.reason = describe(*reason);
  ev.duration_ms = duration_ms;
  log_supervisor_event(ev);
}

} // namespace arbor::detail
