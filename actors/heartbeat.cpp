#include "actors/heartbeat.hpp"

#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "supervisors/probe.hpp"

#include <spdlog/spdlog.h>

namespace arbor {

namespace {

struct heartbeat_state {
  uint32_t missed = 0;
  bool waiting = false;
};

void on_tick(worker_actor* self, const heartbeat_config& cfg, const caf::actor& kernel,
             const caf::actor& distributor, std::shared_ptr<heartbeat_state> st) {
  self->send(distributor, tick_atom::value);
  self->delayed_send(self, cfg.interval, tick_atom::value);
  if (!kernel || st->waiting)
    return;
  st->waiting = true;
  self->request(kernel, cfg.interval, ping_atom::value)
      .then([st](pong_atom) { *st = heartbeat_state{}; },
            [self, st, cfg, kernel](caf::error&) {
              st->waiting = false;
              if (++st->missed < cfg.max_missed)
                return;
              spdlog::warn("heartbeat: kernel missed {} pings, stopping it", st->missed);
              self->send_exit(kernel, make_error(errc::timeout, "kernel_unresponsive"));
              st->missed = 0;
            });
}

} // namespace

caf::actor spawn_heartbeat(caf::actor_system& sys, heartbeat_config cfg, caf::actor kernel,
                           caf::actor distributor) {
  return spawn_worker(sys, [cfg, kernel, distributor](worker_actor* self) -> caf::behavior {
    auto st = std::make_shared<heartbeat_state>();
    self->delayed_send(self, cfg.interval, tick_atom::value);
    return {
        [=](tick_atom) { on_tick(self, cfg, kernel, distributor, st); },
    };
  });
}

} // namespace arbor
