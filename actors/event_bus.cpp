#include "actors/event_bus.hpp"

#include "messages/atoms.hpp"
#include "messages/session.hpp"
#include "supervisors/probe.hpp"

#include <unordered_map>

namespace arbor {

caf::actor spawn_event_bus(caf::actor_system& sys) {
  return spawn_worker(sys, [](worker_actor* self) -> caf::behavior {
    auto subs = std::make_shared<std::unordered_map<caf::actor_addr, caf::actor>>();
    self->set_down_handler([subs](caf::down_msg& msg) { subs->erase(msg.source); });
    return {
        [self, subs](subscribe_atom) {
          auto who = caf::actor_cast<caf::actor>(self->current_sender());
          if (who && subs->emplace(who.address(), who).second)
            self->monitor(who);
          return ok_atom::value;
        },
        [self, subs](unsubscribe_atom) {
          auto who = caf::actor_cast<caf::actor>(self->current_sender());
          if (who && subs->erase(who.address()) > 0)
            self->demonitor(who);
          return ok_atom::value;
        },
        [self, subs](publish_atom a, const session_event& ev) {
          auto msg = caf::make_message(a, ev);
          for (auto& kv : *subs)
            self->send(kv.second, msg);
        },
    };
  });
}

} // namespace arbor
