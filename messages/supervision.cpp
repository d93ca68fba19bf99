#include "messages/supervision.hpp"

#include <array>
#include <utility>

namespace arbor {

namespace {

template <class Enum, size_t N>
std::optional<Enum> parse_enum(std::string_view x, const std::array<Enum, N>& values) noexcept {
  for (auto value : values)
    if (x == to_string(value))
      return value;
  return std::nullopt;
}

} // namespace

const char* to_string(strategy x) noexcept {
  switch (x) {
    case strategy::one_for_one:
      return "one_for_one";
    case strategy::one_for_all:
      return "one_for_all";
    case strategy::rest_for_one:
      return "rest_for_one";
    case strategy::dynamic:
      return "dynamic";
  }
  return "?";
}

const char* to_string(restart_type x) noexcept {
  switch (x) {
    case restart_type::permanent:
      return "permanent";
    case restart_type::transient:
      return "transient";
    case restart_type::temporary:
      return "temporary";
  }
  return "?";
}

const char* to_string(child_kind x) noexcept {
  return x == child_kind::worker ? "worker" : "supervisor";
}

const char* to_string(child_state x) noexcept {
  switch (x) {
    case child_state::starting:
      return "starting";
    case child_state::running:
      return "running";
    case child_state::restarting:
      return "restarting";
    case child_state::stopping:
      return "stopping";
    case child_state::stopped:
      return "stopped";
  }
  return "?";
}

const char* to_string(auto_shutdown x) noexcept {
  switch (x) {
    case auto_shutdown::never:
      return "never";
    case auto_shutdown::any_significant:
      return "any_significant";
    case auto_shutdown::all_significant:
      return "all_significant";
  }
  return "?";
}

std::optional<strategy> parse_strategy(std::string_view x) noexcept {
  return parse_enum(x, std::array{strategy::one_for_one, strategy::one_for_all,
                                  strategy::rest_for_one, strategy::dynamic});
}

std::optional<restart_type> parse_restart_type(std::string_view x) noexcept {
  return parse_enum(
      x, std::array{restart_type::permanent, restart_type::transient, restart_type::temporary});
}

std::optional<child_kind> parse_child_kind(std::string_view x) noexcept {
  return parse_enum(x, std::array{child_kind::worker, child_kind::supervisor});
}

std::optional<child_state> parse_child_state(std::string_view x) noexcept {
  return parse_enum(x,
                    std::array{child_state::starting, child_state::running, child_state::restarting,
                               child_state::stopping, child_state::stopped});
}

std::optional<auto_shutdown> parse_auto_shutdown(std::string_view x) noexcept {
  return parse_enum(x, std::array{auto_shutdown::never, auto_shutdown::any_significant,
                                  auto_shutdown::all_significant});
}

bool operator==(const tree_node& a, const tree_node& b) {
  return a.id == b.id && a.path == b.path && a.kind == b.kind && a.strategy == b.strategy &&
         a.state == b.state && a.restarts == b.restarts && a.counts == b.counts &&
         a.children == b.children;
}

} // namespace arbor
