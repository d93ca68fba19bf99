// Supervisor: an actor that starts, watches, restarts and stops other actors by
// a spec, like an Erlang/OTP supervisor (contract: ARCHITECTURE.md §3).
//
// Parent: another supervisor (kind `supervisor`, shutdown `infinity` by default),
// or the program's main for the root. Restart type: whatever its parent says.
//
// Takes (all requests answer within the supervisor's own mailbox turn unless said):
//   ready_atom                              → ok_atom once every child started
//   start_child_atom, std::string id, caf::message args
//                                           → caf::actor   (dynamic: from the template;
//                                             an empty id gets "<template id>-<n>")
//   start_child_atom, child_spec            → caf::actor   (static strategies; local only)
//   terminate_child_atom, std::string id    → ok_atom after the child stopped
//                                             (dynamic: the child is also forgotten)
//   restart_child_atom, std::string id      → caf::actor   (a stopped static child)
//   delete_child_atom, std::string id       → ok_atom      (a stopped static child)
//   get_child_atom, std::string id          → caf::actor
//   which_children_atom                     → std::vector<child_info>
//   count_children_atom                     → child_counts
//   snapshot_atom                           → tree_node (asks child supervisors, 1 s each)
//   hurry_atom                              → every stop deadline becomes hurry_deadline
//   exit_msg (any reason but kill)          → ordered shutdown, then quit(reason)
// Sends: exit_msg(user_shutdown) and exit_msg(kill) to children; supervisor log lines.
//
// States:
//
//     starting ──all ready──▶ running ◀──────────────┐
//        │                    │  │ child exit        │ group restarted
//        │ start failed       │  └──▶ restarting ────┘ (one_for_all, rest_for_one)
//        ▼                    ▼ exit_msg / intensity exceeded / auto-shutdown
//   stop started siblings   stopping ──all children down──▶ quit(reason)
//   in reverse, quit(start_failed)
//
// Shutdown: children in reverse start order (dynamic: all at once), each with
// exit(user_shutdown), then exit(kill) at its deadline, after one
// `shutdown_stalled` line naming every child still alive. Longest it takes: the
// sum of the children's deadlines plus `kill_grace` each (see shutdown_budget).
// A kill of the supervisor itself kills its children (no orphans).
#pragma once

#include "messages/atoms.hpp"
#include "messages/supervision.hpp"
#include "supervisors/spec.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <chrono>
#include <string>

namespace arbor {

/// Spawns a supervisor for `spec` at `path` (e.g. "/app"). Validates the spec
/// first; an invalid spec is an error and nothing is spawned. The supervisor
/// starts its children at once; ask `ready_atom` to wait for them.
caf::expected<caf::actor> spawn_supervisor(caf::actor_system& sys, supervisor_spec spec,
                                           std::string path);

/// Validates `spec`, checks its shutdown budget against `outer_deadline`, spawns
/// it and waits (up to `start_timeout`) until every child reported ready. On any
/// failure the partly started tree is stopped again and the error returned.
caf::expected<caf::actor> start_supervisor(caf::actor_system& sys, supervisor_spec spec,
                                           std::string path,
                                           std::chrono::milliseconds outer_deadline,
                                           std::chrono::milliseconds start_timeout);

/// A child spec that runs a supervisor for `spec` under the parent (kind
/// supervisor, awaits readiness, shutdown infinity unless set afterwards).
child_spec supervisor_child(std::string id, supervisor_spec spec);

} // namespace arbor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(arbor::child_spec)
