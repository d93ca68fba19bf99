#include "supervisors/scheduler.hpp"

#include "supervisors/detail/lean_clock.hpp"
#include "supervisors/probe.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/thread_hook.hpp>

namespace arbor {

namespace {

/// Marks every thread the actor system starts, so that blocking helpers
/// (stop_sync) know not to block there whichever actor calls them.
class actor_thread_marker : public caf::thread_hook {
public:
  void init(caf::actor_system&) override {}
  void thread_started() override { detail::mark_actor_thread(true); }
  void thread_terminates() override { detail::mark_actor_thread(false); }
};

} // namespace

void configure_scheduler(caf::actor_system_config& cfg, const scheduler_options& opts) {
  if (opts.workers > 0)
    cfg.set("scheduler.max-threads", opts.workers);
  if (!opts.idle_polling)
    cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
  cfg.add_thread_hook<actor_thread_marker>();
  auto policy = caf::get_or(cfg, "scheduler.policy", caf::atom("stealing"));
  bool profiled = caf::get_or(cfg, "scheduler.enable-profiling", false);
  if (opts.lean_clock && policy == caf::atom("stealing") && !profiled)
    cfg.module_factories.push_back([](caf::actor_system& sys) -> caf::actor_system::module* {
      return new detail::lean_coordinator(sys);
    });
}

std::optional<clock_stats> lean_clock_stats(caf::actor_system& sys) {
  if (auto* lean = dynamic_cast<detail::lean_coordinator*>(&sys.scheduler()))
    return lean->clock_stats();
  return std::nullopt;
}

} // namespace arbor
