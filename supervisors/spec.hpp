// Supervisor and child specifications (ARCHITECTURE.md §3), their validation and
// the shutdown deadline budget.
//
// A child spec says how to start a child (a factory), when to restart it
// (restart type), how to stop it (brutal_kill, a deadline, or infinity) and
// whether it reports readiness. A supervisor spec adds the strategy, the restart
// intensity (max_restarts in period), optional exponential backoff with jitter,
// auto-shutdown on significant children, and the children in start order.
//
// Defaults follow OTP: workers get a 5000 ms shutdown deadline, child
// supervisors `infinity`; intensity 3 restarts in 5 s.
#pragma once

#include "messages/supervision.hpp"

#include <caf/actor.hpp>
#include <caf/actor_config.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace arbor {

using std::chrono::milliseconds;

struct supervisor_spec;

/// What a factory knows about the child it starts.
struct child_context {
  caf::actor_system& system;
  std::string path;  ///< the child's path, e.g. "/app/sessions/s-7"
  caf::actor parent; ///< the supervisor starting it
  caf::message args; ///< start arguments (dynamic children)
  /// The supervisor's execution unit while it runs the factory (null outside one).
  caf::execution_unit* host = nullptr;

  /// Spawns a function-based child as the supervisor's own `self->spawn` would:
  /// its first run is queued on the supervisor's worker, not handed to another
  /// worker through the scheduler's shared queue. Same options as CAF's spawn,
  /// except `linked` / `monitored`: the supervisor monitors the child itself.
  template <caf::spawn_options Os = caf::no_spawn_options, class F, class... Ts>
  caf::infer_handle_from_fun_t<F> spawn(F fun, Ts&&... xs) {
    static_assert(caf::is_unbound(Os), "the supervisor links or monitors its children itself");
    using impl = caf::infer_impl_from_fun_t<F>;
    static constexpr bool spawnable = caf::detail::spawnable<F, impl, Ts...>();
    static_assert(spawnable, "cannot spawn function-based actor with given arguments");
    caf::actor_config cfg{host};
    return system.spawn_functor<Os>(caf::detail::bool_token<spawnable>{}, cfg, fun,
                                    std::forward<Ts>(xs)...);
  }

  /// Spawns a class-based child on the supervisor's execution unit (see above).
  template <class T, caf::spawn_options Os = caf::no_spawn_options, class... Ts>
  caf::infer_handle_from_class_t<T> spawn(Ts&&... xs) {
    static_assert(caf::is_unbound(Os), "the supervisor links or monitors its children itself");
    caf::actor_config cfg{host};
    return system.spawn_class<T, Os>(cfg, std::forward<Ts>(xs)...);
  }
};

/// Starts one child. Returns the child's handle or an error (a thrown exception
/// counts as an error too). The supervisor monitors the child; it must not link.
using child_factory = std::function<caf::expected<caf::actor>(child_context&)>;

/// How a child is stopped.
struct shutdown_policy {
  enum class kind : uint8_t { brutal_kill, deadline, infinity };
  kind how = kind::deadline;
  milliseconds timeout{5000}; ///< used when `how == deadline`

  static shutdown_policy brutal_kill() { return {kind::brutal_kill, milliseconds{0}}; }
  static shutdown_policy deadline(milliseconds ms) { return {kind::deadline, ms}; }
  static shutdown_policy infinity() { return {kind::infinity, milliseconds{0}}; }
};

std::string to_string(const shutdown_policy& x);

struct child_spec {
  std::string id;
  child_factory start;
  restart_type restart = restart_type::permanent;
  /// Unset: 5000 ms for workers, infinity for supervisors.
  std::optional<shutdown_policy> shutdown;
  child_kind kind = child_kind::worker;
  bool significant = false;
  /// When true the supervisor asks `ready_atom` and waits for `ok_atom`.
  bool await_ready = false;
  milliseconds start_timeout{5000};
  /// For child supervisors: their spec, so the deadline budget can see the tree.
  std::shared_ptr<const supervisor_spec> subtree;

  shutdown_policy effective_shutdown() const;
};

/// Exponential backoff between restarts: min * factor^(n-1), capped at max,
/// randomised by ±jitter (a fraction, 0.2 = ±20 %).
struct backoff_policy {
  bool enabled = false;
  milliseconds min{10};
  milliseconds max{5000};
  double factor = 2.0;
  double jitter = 0.2;
  uint64_t seed = 0; ///< 0 = seeded from the clock; tests set it for repeatable jitter

  /// Delay before restart number `n` (1-based) with jitter sample `u` in [0, 1).
  milliseconds delay(uint32_t n, double u) const;
};

struct supervisor_spec {
  std::string name = "supervisor";
  strategy strat = strategy::one_for_one;
  uint32_t max_restarts = 3;
  milliseconds period{5000};
  backoff_policy backoff;
  auto_shutdown auto_stop = auto_shutdown::never;
  /// Children in start order. For `dynamic`: exactly one, the template.
  std::vector<child_spec> children;
  /// Deadline for each kill to be confirmed by a down message.
  milliseconds kill_grace{1000};
  /// The deadline every stop uses after a `hurry_atom` (second signal).
  milliseconds hurry_deadline{200};
};

/// Checks a spec (and its subtrees): ids unique and non-empty, factories set,
/// sensible numbers, dynamic has one template, auto-shutdown needs significant
/// children that are not permanent. `errc::invalid_spec` naming the problem.
caf::error validate(const supervisor_spec& spec);

/// The longest the tree under `spec` may take to stop, or `errc::deadline_budget`
/// when a child supervisor's deadline does not cover its children's, or a worker
/// may never stop (`infinity`). `path` names the root in errors.
caf::expected<milliseconds> shutdown_budget(const supervisor_spec& spec, const std::string& path);

/// `shutdown_budget` of the root must fit `outer` (systemd TimeoutStopSec,
/// Kubernetes terminationGracePeriodSeconds).
caf::error check_deadline_budget(const supervisor_spec& spec, const std::string& path,
                                 milliseconds outer);

/// A child spec for a worker spawned from a plain CAF function-based actor.
template <class F>
child_spec worker_child(std::string id, F fun) {
  child_spec spec;
  spec.id = std::move(id);
  spec.start = [fun](child_context& ctx) -> caf::expected<caf::actor> {
    return ctx.system.spawn(fun);
  };
  return spec;
}

} // namespace arbor
