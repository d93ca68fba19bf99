// The supervisor's request handlers: dynamic children and introspection.
#include "messages/errc.hpp"
#include "supervisors/detail/supervisor_actor.hpp"
#include "supervisors/supervisor_log.hpp"

#include <caf/all.hpp>

namespace arbor::detail {

caf::behavior supervisor_actor::running() {
  set_default_handler(caf::print_and_drop);
  return timers()
      .or_else(introspection())
      .or_else([](ready_atom) { return ok_atom::value; },
               [this](start_child_atom, std::string& id, caf::message& args) {
                 return on_start_dynamic(id, args);
               },
               [this](start_child_atom, child_spec& spec) { return on_start_static(spec); },
               [this](terminate_child_atom, const std::string& id) { return on_terminate(id); },
               [this](restart_child_atom, const std::string& id) { return on_restart_request(id); },
               [this](delete_child_atom, const std::string& id) { return on_delete(id); });
}

caf::message_handler supervisor_actor::introspection() {
  return {
      [this](get_child_atom, const std::string& id) -> caf::result<caf::actor> {
        auto* c = children_.find(id);
        if (c == nullptr || !c->alive())
          return make_error(errc::unknown_child, id);
        return c->handle;
      },
      [this](which_children_atom) { return which_children(); },
      [this](count_children_atom) { return count_children(); },
      [this](snapshot_atom) { return snapshot(); },
  };
}

caf::result<caf::actor> supervisor_actor::on_start_dynamic(std::string& id, caf::message& args) {
  if (spec_.strat != strategy::dynamic)
    return make_error(errc::invalid_spec, "start_child with args needs a dynamic supervisor");
  if (id.empty())
    id = template_->id + "-" + std::to_string(++dynamic_ids_);
  auto* added = children_.add(template_, id, std::move(args));
  if (added == nullptr)
    return make_error(errc::duplicate_child, id);
  auto& c = *added;
  auto handle = invoke_factory(c);
  if (!handle) {
    auto err = handle.error();
    log_child("child_start_failed", spdlog::level::err, c, &err);
    children_.remove(id);
    return err;
  }
  ++c.generation;
  children_.bind(c, *handle);
  monitor(c.handle);
  if (!template_->await_ready) {
    c.state = child_state::running;
    log_child("child_started", spdlog::level::info, c);
    return c.handle;
  }
  c.state = child_state::starting;
  auto rp = make_response_promise<caf::actor>();
  auto gen = c.generation;
  request(c.handle, template_->start_timeout, ready_atom::value)
      .then(
          [this, id, gen, rp](ok_atom) mutable {
            auto* ch = children_.find(id);
            if (ch == nullptr || ch->generation != gen || ch->state != child_state::starting) {
              rp.deliver(make_error(errc::start_failed, id + ": exited before ready"));
              return;
            }
            ch->state = child_state::running;
            log_child("child_started", spdlog::level::info, *ch);
            rp.deliver(ch->handle);
          },
          [this, id, gen, rp](caf::error& err) mutable {
            if (auto* ch = children_.find(id); ch && ch->generation == gen && ch->alive()) {
              demonitor(ch->handle);
              send_exit(ch->handle, caf::exit_reason::kill);
              log_child("child_start_failed", spdlog::level::err, *ch, &err);
              children_.remove(id);
            }
            rp.deliver(std::move(err));
          });
  return rp;
}

caf::result<caf::actor> supervisor_actor::on_start_static(child_spec& spec) {
  if (defer_if_busy())
    return caf::skip;
  if (spec_.strat == strategy::dynamic)
    return make_error(errc::invalid_spec, "a dynamic supervisor starts children from its template");
  if (children_.find(spec.id) != nullptr)
    return make_error(errc::duplicate_child, spec.id);
  supervisor_spec probe_spec;
  probe_spec.name = spec_.name;
  probe_spec.children.push_back(spec);
  if (auto err = validate(probe_spec))
    return err;
  // The child's own budget: a subtree its deadline covers, no unbounded worker.
  // (How this supervisor's stop fits its parent's deadline was checked when
  // the tree was built, with the children it had then.)
  probe_spec.kill_grace = spec_.kill_grace;
  if (auto budget = shutdown_budget(probe_spec, path_); !budget)
    return std::move(budget.error());
  auto id = spec.id;
  children_.add(std::make_shared<const child_spec>(std::move(spec)), id);
  return start_and_reply(id);
}

caf::result<caf::actor> supervisor_actor::start_and_reply(const std::string& id) {
  auto rp = make_response_promise<caf::actor>();
  children_.find(id)->start_waiters.push_back(rp);
  begin_start({id}, false); // answers the promise when started or failed
  return rp;
}

caf::result<ok_atom> supervisor_actor::on_terminate(const std::string& id) {
  if (spec_.strat != strategy::dynamic && defer_if_busy())
    return caf::skip;
  auto* c = children_.find(id);
  if (c == nullptr)
    return make_error(errc::unknown_child, id);
  if (spec_.strat == strategy::dynamic)
    c->remove_when_stopped = true;
  if (!c->alive()) {
    if (c->remove_when_stopped)
      children_.remove(id);
    else
      c->state = child_state::stopped;
    return ok_atom::value;
  }
  auto rp = make_response_promise<ok_atom>();
  c->stop_waiters.push_back(rp);
  if (c->state != child_state::stopping)
    stop_one(*c, 0, time_point{});
  return rp;
}

caf::result<caf::actor> supervisor_actor::on_restart_request(const std::string& id) {
  if (defer_if_busy())
    return caf::skip;
  auto* c = children_.find(id);
  if (c == nullptr)
    return make_error(errc::unknown_child, id);
  if (c->alive() || c->state == child_state::restarting)
    return make_error(errc::child_running, id);
  return start_and_reply(id);
}

caf::result<ok_atom> supervisor_actor::on_delete(const std::string& id) {
  if (defer_if_busy())
    return caf::skip;
  auto* c = children_.find(id);
  if (c == nullptr)
    return make_error(errc::unknown_child, id);
  if (c->alive() || c->state == child_state::restarting)
    return make_error(errc::child_running, id);
  children_.remove(id);
  return ok_atom::value;
}

std::vector<child_info> supervisor_actor::which_children() {
  std::vector<child_info> result;
  for (auto* c : children_.in_order())
    result.push_back({c->id, c->handle, c->spec->kind, c->state, c->spec->restart, c->restarts});
  return result;
}

child_counts supervisor_actor::count_children() {
  child_counts result;
  result.specs = static_cast<uint32_t>(children_.size());
  result.active = static_cast<uint32_t>(children_.running());
  if (template_ && template_->kind == child_kind::supervisor)
    result.supervisors = result.specs;
  else if (template_)
    result.workers = result.specs;
  else
    for (auto* c : children_.in_order())
      ++(c->spec->kind == child_kind::supervisor ? result.supervisors : result.workers);
  return result;
}

tree_node supervisor_actor::own_node() {
  tree_node node;
  auto slash = path_.find_last_of('/');
  node.id = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  node.path = path_;
  node.kind = child_kind::supervisor;
  node.strategy = to_string(spec_.strat);
  node.state = shutting_down_ ? child_state::stopping
                              : (initial_start_ ? child_state::starting : child_state::running);
  node.counts = count_children();
  return node;
}

caf::result<tree_node> supervisor_actor::snapshot() {
  struct collector {
    tree_node node;
    size_t pending = 0;
    caf::response_promise rp;
    void done_one() {
      if (--pending == 0)
        rp.deliver(node);
    }
  };
  auto state = std::make_shared<collector>();
  state->node = own_node();
  for (auto* c : children_.in_order()) {
    tree_node leaf{c->id, child_path(*c), c->spec->kind, "", c->state, c->restarts, {}, {}};
    state->node.children.push_back(std::move(leaf));
  }
  auto ordered = children_.in_order();
  for (size_t i = 0; i < ordered.size(); ++i) {
    auto* c = ordered[i];
    if (c->spec->kind != child_kind::supervisor || !c->alive())
      continue;
    ++state->pending;
    request(c->handle, std::chrono::seconds(1), snapshot_atom::value)
        .then(
            [state, i](tree_node& sub) {
              auto restarts = state->node.children[i].restarts;
              auto id = state->node.children[i].id;
              state->node.children[i] = std::move(sub);
              state->node.children[i].restarts = restarts;
              state->node.children[i].id = id;
              state->done_one();
            },
            [state](caf::error&) { state->done_one(); });
  }
  if (state->pending == 0)
    return state->node;
  state->rp = make_response_promise();
  return caf::delegated<tree_node>{};
}

} // namespace arbor::detail
