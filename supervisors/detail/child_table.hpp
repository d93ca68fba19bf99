// The children of one supervisor: records indexed by id and by running actor,
// ordered by start order. Every lookup and removal is O(1) on average, so one
// child's stop does not depend on how many siblings it has.
#pragma once

#include "messages/supervision.hpp"
#include "supervisors/spec.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/response_promise.hpp>
#include <memory>
#include <string>
#include <vector>

namespace arbor::detail {

/// One child as its supervisor sees it. Shared, so that a stop job can hold
/// its children without looking each one up again (see `removed`).
struct child : std::enable_shared_from_this<child> {
  std::shared_ptr<const child_spec> spec;
  std::string id;
  caf::message args; ///< start arguments (dynamic children)
  caf::actor handle; ///< valid while the child runs
  child_state state = child_state::stopped;
  uint32_t restarts = 0;
  uint64_t order = 0;      ///< start order key
  uint64_t generation = 0; ///< bumped on each start; stale timers are ignored
  caf::error last_reason;
  // -- while stopping --
  caf::actor_clock::time_point stop_deadline{};
  caf::actor_clock::time_point stop_started{}; ///< when the exit (or kill) was sent
  bool killing = false;                        ///< kill sent, waiting for the down message
  bool remove_when_stopped = false;
  bool removed = false;  ///< gone from the table; a job still holding it skips it
  uint64_t stop_job = 0; ///< the job waiting for this child, 0 = none
  // Inline room for the usual one waiter: no allocation per terminate request.
  boost::container::small_vector<caf::response_promise, 1> stop_waiters;
  std::vector<caf::response_promise> start_waiters; ///< start/restart requests

  bool alive() const noexcept { return static_cast<bool>(handle); }
};

class child_table {
public:
  /// Adds a stopped child at the end of the start order; nullptr (and nothing
  /// added) when `id` is taken. One hash operation: no separate lookup first.
  child* add(std::shared_ptr<const child_spec> spec, std::string id, caf::message args = {});

  child* find(const std::string& id);
  child* find(caf::actor_id aid);

  void bind(child& c, caf::actor handle);
  void unbind(child& c);
  void remove(const std::string& id);

  /// All children in start order (O(n): for group operations and reports).
  std::vector<child*> in_order() const;

  /// The children that run now, in no particular order (O(running)).
  std::vector<child*> running_now() const;

  size_t size() const noexcept { return by_id_.size(); }
  size_t running() const noexcept { return by_actor_.size(); }

private:
  // Open addressing (Boost 1.81): a lookup reads one contiguous group of slots
  // instead of chasing list nodes; with 100,000 children the node-based map's
  // cache misses were the supervisor's largest own cost in a start.
  boost::unordered_flat_map<std::string, std::shared_ptr<child>> by_id_;
  boost::unordered_flat_map<caf::actor_id, child*> by_actor_;
  // Start order: appended by add, so no sort is needed. A removed record stays
  // (marked) until removed ones are half of the list, then all go at once:
  // removal stays O(1) amortised and a shutdown walks the records in the order
  // they were allocated instead of sorting hash-ordered pointers (1.3 ms of an
  // ordered shutdown of 10,000 children).
  std::vector<std::shared_ptr<child>> order_;
  size_t removed_in_order_ = 0;
  uint64_t next_order_ = 0;
};

} // namespace arbor::detail
