#include "actors/watcher.hpp"

#include "actors/detail/file_watch.hpp"
#include "messages/session.hpp"
#include "supervisors/probe.hpp"

#include <unistd.h>

namespace arbor {

namespace {

using flush_atom = caf::atom_constant<caf::atom("flush")>;

/// Coalesces raw events within the debounce window into one event.
struct watch_state {
  bool existed = false; ///< at the start of the current window
  bool exists = false;
  bool pending = false;
  bool vanished = false; ///< the file was missing at some point of the window
  std::string mode;
};

const char* net_kind(const watch_state& st) {
  if (!st.exists)
    return "deleted";
  return st.existed && !st.vanished ? "changed" : "recreated";
}

} // namespace

caf::actor spawn_watcher(caf::actor_system& sys, io_loop_ptr io, std::string path,
                         watcher_config cfg, caf::actor owner) {
  return spawn_worker(sys, [=](worker_actor* self) -> caf::behavior {
    auto watch = std::make_shared<detail::file_watch>(
        io->context(), path, caf::actor_cast<caf::actor>(self), cfg.poll_interval);
    io->post([watch, force = cfg.force_polling] { watch->start(force); });
    self->attach_functor([watch, io] { io->post([watch] { watch->stop(); }); });
    auto st = std::make_shared<watch_state>();
    st->existed = st->exists = ::access(path.c_str(), F_OK) == 0;
    return {
        [=](detail::fs_event_atom, bool exists) {
          st->exists = exists;
          st->vanished = st->vanished || !exists;
          if (st->pending)
            return;
          st->pending = true;
          self->delayed_send(self, cfg.debounce, flush_atom::value);
        },
        [=](flush_atom) {
          st->pending = false;
          if (!(st->existed == false && st->exists == false))
            self->send(owner, file_changed_atom::value, file_event{path, net_kind(*st)});
          st->existed = st->exists;
          st->vanished = false;
        },
        [=](detail::fs_mode_atom, std::string& mode) { st->mode = mode; },
        [=](info_atom) { return st->mode; },
    };
  });
}

} // namespace arbor
