// The supervisor actor's internals (the manual is in supervisors/supervisor.hpp).
// Split over three sources: supervisor_actor.cpp (states, start, exits,
// restarts), supervisor_stop.cpp (stops, deadlines, shutdown) and
// supervisor_api.cpp (dynamic children, introspection).
#pragma once

#include "messages/atoms.hpp"
#include "supervisors/detail/child_table.hpp"
#include "supervisors/detail/restart_window.hpp"
#include "supervisors/probe.hpp"
#include "supervisors/spec.hpp"

#include <caf/event_based_actor.hpp>
#include <functional>
#include <queue>
#include <random>
#include <spdlog/common.h>
#include <string>
#include <unordered_map>
#include <vector>

namespace arbor::detail {

/// supervisor → itself: send the next batch of a concurrent stop's exits.
using stop_batch_atom = caf::atom_constant<caf::atom("stopbatch")>;

class supervisor_actor : public probed<caf::event_based_actor> {
public:
  supervisor_actor(caf::actor_config& cfg, supervisor_spec spec, std::string path);

  caf::behavior make_behavior() override;
  void on_exit() override;
  const char* name() const override { return "arbor.supervisor"; }

private:
  using time_point = caf::actor_clock::time_point;

  // -- states -------------------------------------------------------------------
  caf::behavior starting();
  caf::behavior running();
  caf::behavior restarting();
  caf::behavior stopping();
  caf::message_handler introspection();
  caf::message_handler timers();
  enum class behavior_state { starting, running, restarting, stopping };
  void become_idle();
  void become_state(behavior_state next);
  caf::behavior behavior_for(behavior_state s);
  bool defer_if_busy();

  // -- start (supervisor_actor.cpp) ---------------------------------------------
  void begin_start(std::vector<std::string> ids, bool initial);
  void start_next();
  bool start_one(child& c);
  void await_ready(child& c);
  void finish_start();
  caf::expected<caf::actor> invoke_factory(child& c);
  void on_started(child& c);
  void on_start_failed(child& c, caf::error reason);
  void on_initial_start_failed(const child& c, const caf::error& reason);
  void on_ready_request();

  // -- exits and restarts (supervisor_actor.cpp) --------------------------------
  void on_down(caf::down_msg& msg);
  void on_child_exit(child& c, const caf::error& reason);
  bool should_restart(const child& c, const caf::error& reason) const;
  void request_restart(child& c, bool retry = false);
  void on_restart_timer(const std::string& id, uint64_t generation);
  void restart(child& c);
  std::vector<std::string> restart_group_of(const child& c);
  void after_terminated(child& c);
  void check_auto_shutdown();
  void escalate(const child& trigger); ///< the child whose restart was one too many
  void drain_pending();

  // -- stopping (supervisor_stop.cpp) -------------------------------------------
  struct stop_job {
    std::vector<std::shared_ptr<child>> queue; ///< in stop order
    size_t next = 0;
    bool concurrent = false;
    size_t pending = 0;
    bool batch_timer = false; ///< a zero-delay `stop_batch_atom` is on its way
    time_point started{};     ///< concurrent stops: every deadline counts from here
    std::function<void()> then;
  };
  void stop_children(std::vector<std::shared_ptr<child>> queue, bool concurrent,
                     std::function<void()> then);
  static std::shared_ptr<child> take_next(stop_job& job);
  void stop_next(uint64_t job_id);
  void stop_batch(uint64_t job_id);
  void on_batch_timer(uint64_t job_id);
  void finish_job(std::unordered_map<uint64_t, stop_job>::iterator job);
  static constexpr size_t stop_batch_size = 64; ///< exits per batch (concurrent stops)
  /// Sends `c` its exit; its deadline counts from `since` ({} = now).
  void stop_one(child& c, uint64_t job_id, time_point since);
  /// Sends `x` without an execution unit. `send` would schedule the child on
  /// this worker's own queue, where the other workers steal it in O(queue
  /// length) (see stop_batch): a hurry to every session, sent from one
  /// handler, would make that queue long. Without one, CAF hands the children
  /// to its workers in turn (a wake-up each). Exits do not use it: they go out
  /// in batches (stop_batch) or one per terminate request, and the wake-ups
  /// cost more than the short local queue (performance.md).
  template <class T>
  void send_spread(const caf::actor& child, T&& x) {
    child->enqueue(
        caf::make_mailbox_element(ctrl(), caf::make_message_id(), {}, std::forward<T>(x)), nullptr);
  }
  void on_child_stopped(child& c, const caf::error& reason);
  void complete_stop(child& c);
  caf::timespan stop_timeout(const child& c) const;
  void arm_deadline(child& c, caf::timespan timeout);
  void arm_deadline_at(child& c, time_point due);
  void arm_timer(time_point due);
  void drop_deadline(const child& c);
  void on_deadline_timer(uint64_t token);
  void on_deadline_passed(child& c);
  void report_stalled(const child& late);
  void shutdown(caf::error reason);
  void finish_shutdown();
  void hurry();
  std::vector<std::shared_ptr<child>> alive_in_stop_order();

  // -- requests (supervisor_api.cpp) --------------------------------------------
  caf::result<caf::actor> on_start_dynamic(std::string& id, caf::message& args);
  caf::result<caf::actor> on_start_static(child_spec& spec);
  caf::result<ok_atom> on_terminate(const std::string& id);
  caf::result<caf::actor> on_restart_request(const std::string& id);
  caf::result<ok_atom> on_delete(const std::string& id);
  caf::result<caf::actor> start_and_reply(const std::string& id);
  std::vector<child_info> which_children();
  child_counts count_children();
  caf::result<tree_node> snapshot();
  tree_node own_node();

  // -- logging ------------------------------------------------------------------
  void log_child(std::string_view event, spdlog::level::level_enum lvl, const child& c,
                 const caf::error* reason = nullptr,
                 std::optional<int64_t> duration_ms = std::nullopt);
  void log_self(std::string_view event, spdlog::level::level_enum lvl,
                const caf::error* reason = nullptr, std::optional<int64_t> duration_ms = {});

  std::string child_path(const child& c) const { return path_ + "/" + c.id; }
  time_point now() { return clock().now(); }

  supervisor_spec spec_;
  std::string path_;
  std::shared_ptr<const child_spec> template_; ///< dynamic: the one child template
  child_table children_;
  restart_window window_;
  std::mt19937_64 rng_;

  // start
  std::vector<std::string> start_queue_;
  size_t start_next_ = 0;
  bool initial_start_ = false;
  bool ready_ = false;
  std::vector<caf::response_promise> ready_waiters_;

  // restarts deferred while a group operation runs
  behavior_state state_ = behavior_state::starting;
  bool busy_ = false;
  std::vector<std::string> pending_restarts_;

  // stopping
  std::unordered_map<uint64_t, stop_job> jobs_;
  uint64_t next_job_ = 1;
  struct deadline_entry {
    time_point due;
    std::string id;
    uint64_t generation;
    bool operator>(const deadline_entry& other) const { return due > other.due; }
  };
  std::priority_queue<deadline_entry, std::vector<deadline_entry>, std::greater<>> deadlines_;
  uint64_t timer_token_ = 0;
  bool timer_pending_ = false;
  time_point timer_due_{};

  // shutdown
  bool shutting_down_ = false;
  bool hurried_ = false;
  caf::error exit_reason_;
  caf::error stop_failure_;
  time_point shutdown_began_{};
  uint64_t dynamic_ids_ = 0;
};

} // namespace arbor::detail
