// Watcher: tells its owner when a file changes, is deleted or comes back.
//
// Parent: the session supervisor (permanent, shutdown 1 s); owner: the
// distributor, which forwards `file_changed` to clients.
// Sends: (file_changed_atom, file_event{path, kind}) with kind "changed",
// "deleted" or "recreated"; a burst of events within `debounce` is coalesced
// into one (the net effect: deleted-then-recreated within the window is
// "recreated", many writes are one "changed").
//
// inotify watches the file's directory, not the file, so editors that save by
// writing a temp file and renaming it over the original keep being followed,
// and a deleted file is noticed when it comes back. When inotify cannot be used
// (no instance or watch left: the limits, or `force_polling`) the watcher polls
// the file's status every `poll_interval` instead; both run on the I/O loop.
#pragma once
#include "actors/io_loop.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <chrono>
#include <string>

namespace arbor {

struct watcher_config {
  std::chrono::milliseconds debounce{100};
  std::chrono::milliseconds poll_interval{500};
  bool force_polling = false;
};

caf::actor spawn_watcher(caf::actor_system& sys, io_loop_ptr io, std::string path,
                         watcher_config cfg, caf::actor owner);

} // namespace arbor
