// Message types of the supervision core: enums of the supervisor contract
// (ARCHITECTURE.md §3) and the introspection replies. All inspectable, so they
// cross node boundaries unchanged.
#pragma once

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arbor {

/// How a supervisor reacts to one child's exit.
enum class strategy : uint8_t { one_for_one, one_for_all, rest_for_one, dynamic };
/// When a child is restarted: always, after an abnormal exit, or never.
enum class restart_type : uint8_t { permanent, transient, temporary };
/// A worker or a supervisor (changes the default shutdown: deadline vs infinity).
enum class child_kind : uint8_t { worker, supervisor };
/// Where a child is in its life, as seen by its supervisor.
enum class child_state : uint8_t { starting, running, restarting, stopping, stopped };
/// OTP 24 auto-shutdown: what the end of a significant child does to its supervisor.
enum class auto_shutdown : uint8_t { never, any_significant, all_significant };

const char* to_string(strategy x) noexcept;
const char* to_string(restart_type x) noexcept;
const char* to_string(child_kind x) noexcept;
const char* to_string(child_state x) noexcept;
const char* to_string(auto_shutdown x) noexcept;

std::optional<strategy> parse_strategy(std::string_view x) noexcept;
std::optional<restart_type> parse_restart_type(std::string_view x) noexcept;
std::optional<child_kind> parse_child_kind(std::string_view x) noexcept;
std::optional<child_state> parse_child_state(std::string_view x) noexcept;
std::optional<auto_shutdown> parse_auto_shutdown(std::string_view x) noexcept;

/// One row of `which_children`. caller → supervisor (`which_children_atom`).
struct child_info {
  std::string id;
  caf::actor handle; ///< invalid while the child is not running
  child_kind kind = child_kind::worker;
  child_state state = child_state::stopped;
  restart_type restart = restart_type::permanent;
  uint32_t restarts = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_info& x) {
  return f(caf::meta::type_name("arbor.child_info"), x.id, x.handle, x.kind, x.state, x.restart,
           x.restarts);
}

/// Reply to `count_children_atom`, as OTP's count_children.
struct child_counts {
  uint32_t specs = 0;       ///< children known (running or not)
  uint32_t active = 0;      ///< children running
  uint32_t supervisors = 0; ///< of the specs, how many are supervisors
  uint32_t workers = 0;     ///< of the specs, how many are workers
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_counts& x) {
  return f(caf::meta::type_name("arbor.child_counts"), x.specs, x.active, x.supervisors, x.workers);
}

inline bool operator==(const child_counts& a, const child_counts& b) {
  return a.specs == b.specs && a.active == b.active && a.supervisors == b.supervisors &&
         a.workers == b.workers;
}

/// One node of a whole-tree snapshot (reply to `snapshot_atom`). Workers have an
/// empty `strategy` and no children.
struct tree_node {
  std::string id;
  std::string path;
  child_kind kind = child_kind::worker;
  std::string strategy;
  child_state state = child_state::running;
  uint32_t restarts = 0;
  child_counts counts;
  std::vector<tree_node> children;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tree_node& x) {
  return f(caf::meta::type_name("arbor.tree_node"), x.id, x.path, x.kind, x.strategy, x.state,
           x.restarts, x.counts, x.children);
}

bool operator==(const tree_node& a, const tree_node& b);

} // namespace arbor
