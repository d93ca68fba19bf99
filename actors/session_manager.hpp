// Session manager: creates, finds, lists and closes sessions.
//
// Parent: the root supervisor (kind supervisor, permanent, shutdown infinity).
// It owns a dynamic supervisor (the pool, at `path`) with one `session/<id>`
// child per session, and a registry by id. Ids are 128 random bits ("s-" and
// 32 hex digits), so they cannot be guessed.
//
// Takes:
//   create_atom, session_request     → session_info once the kernel runs;
//                                      errc::limit_reached at `max_sessions`,
//                                      errc::not_found for an unknown kernel name
//   list_atom                        → std::vector<session_info>
//   info_atom, string id             → session_info | errc::not_found
//   get_child_atom, string id        → the session's distributor (where clients
//                                      subscribe and send input) | errc::not_found
//   close_atom, string id            → ok_atom after the ordered close
//   export_atom, string id           → path of the transcript written (atomically,
//                                      on a detached actor) to `export_dir`;
//                                      errc::io_error (disk full, ...) changes nothing
//                                      else, errc::bad_config without an export_dir
//   ready_atom, snapshot_atom, which_children_atom, count_children_atom
//                                    → answered by the pool (a supervisor node)
//   exit_msg                         → the pool stops every session concurrently,
//                                      then the manager quits with the same reason
// Publishes session_created / session_closed on the event bus and writes them
// to the supervisor log. A session that ends by itself (TTL, kernel beyond its
// restart budget) is removed from the registry the moment its supervisor ends.
#pragma once
#include "actors/io_loop.hpp"
#include "actors/session.hpp"
#include "supervisors/spec.hpp"

#include <map>
#include <string>

namespace arbor {

struct session_manager_config {
  std::string path = "/app/sessions";
  std::map<std::string, kernel_spec> kernels; ///< by name; "default" is used when none is named
  session_config defaults;                    ///< everything but id, kernel and file
  uint32_t max_sessions = 1000;
  caf::actor event_bus;   ///< may be empty
  std::string export_dir; ///< where transcripts go; "" = export refused
};

caf::actor spawn_session_manager(caf::actor_system& sys, session_manager_config cfg,
                                 io_loop_ptr io);

/// A child spec for the manager under a supervisor (kind supervisor, awaits ready).
child_spec session_manager_child(std::string id, session_manager_config cfg, io_loop_ptr io);

/// A fresh unguessable session id.
std::string make_session_id();

} // namespace arbor
