#include "supervisors/scheduler.hpp"

#include <caf/actor_system_config.hpp>

namespace arbor {

void configure_scheduler(caf::actor_system_config& cfg, const scheduler_options& opts) {
  if (opts.workers > 0)
    cfg.set("scheduler.max-threads", opts.workers);
  if (!opts.idle_polling)
    cfg.set("work-stealing.moderate-poll-attempts", size_t{0});
}

} // namespace arbor
