// Atoms used across arbor, one place for all (CAF 0.17: at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace arbor {

/// supervisor → child: "report when you are ready"; child replies `ok_atom` or an error.
using ready_atom = caf::atom_constant<caf::atom("ready")>;
/// Generic positive reply.
using ok_atom = caf::atom_constant<caf::atom("ok")>;
/// caller → supervisor: start a child; reply `caf::actor`.
using start_child_atom = caf::atom_constant<caf::atom("startchild")>;
/// caller → supervisor: stop a child by id, keep its spec; reply `ok_atom`.
using terminate_child_atom = caf::atom_constant<caf::atom("termchild")>;
/// caller → supervisor: restart a stopped child by id; reply `caf::actor`.
using restart_child_atom = caf::atom_constant<caf::atom("restchild")>;
/// caller → supervisor: remove a stopped child's spec; reply `ok_atom`.
using delete_child_atom = caf::atom_constant<caf::atom("delchild")>;
/// caller → supervisor: look a child up by id; reply `caf::actor`.
using get_child_atom = caf::atom_constant<caf::atom("getchild")>;
/// caller → supervisor: reply `std::vector<child_info>`.
using which_children_atom = caf::atom_constant<caf::atom("whichchild")>;
/// caller → supervisor: reply `child_counts`.
using count_children_atom = caf::atom_constant<caf::atom("countchild")>;
/// caller → supervisor: reply `tree_node` (the whole subtree).
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
/// caller → supervisor: shorten every shutdown deadline (second signal).
using hurry_atom = caf::atom_constant<caf::atom("hurry")>;
/// supervisor → itself: timers and retries.
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
using start_timeout_atom = caf::atom_constant<caf::atom("starttmo")>;
/// task owner → task: run now.
using run_atom = caf::atom_constant<caf::atom("run")>;
/// caller → task supervisor: reply with the outcome of a task.
using result_atom = caf::atom_constant<caf::atom("result")>;

} // namespace arbor
