// Session: a supervisor (rest_for_one) over the actors of one user session.
//
//   session/<id>        rest_for_one, auto-shutdown any_significant
//   ├── distributor     significant, transient: stdout lines, replay, clients, TTL
//   ├── kernel          permanent: the kernel process (restarted within intensity)
//   ├── watcher         permanent, only when the session is bound to a file
//   └── heartbeat       permanent: kernel and client liveness
//
// Order: the distributor starts first so that clients, the replay buffer and
// `seq` survive a kernel restart (rest_for_one restarts only the children after
// the one that failed); the kernel, watcher and heartbeat are wired to the
// current distributor when they start. (ARCHITECTURE.md draws kernel first; see
// docs/session-runtime.md for why arbor does not.)
//
// Closing: an exit to the session stops heartbeat, watcher, then the kernel
// (SIGTERM, SIGKILL at its deadline, reaped, stdout drained into the
// distributor), then the distributor, which flushes the last partial line and
// sends `closing` to every client. A kernel that crashes more often than the
// intensity allows takes the session down with `restart_intensity_exceeded`;
// the TTL ends the distributor normally, which auto-shuts the session down.
#pragma once
#include "actors/distributor.hpp"
#include "actors/heartbeat.hpp"
#include "actors/io_loop.hpp"
#include "actors/kernel.hpp"
#include "actors/watcher.hpp"
#include "supervisors/spec.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <string>

namespace arbor {

struct session_config {
  std::string id;
  kernel_spec kernel;
  distributor_config output; ///< `session_id` and `last_seq` are filled in
  heartbeat_config heartbeat;
  std::string file; ///< "" = no watcher
  watcher_config watch;
  uint32_t max_restarts = 3;
  std::chrono::milliseconds period{5000};
  backoff_policy backoff;
};

/// The supervisor spec of one session (name "session").
supervisor_spec session_spec(session_config cfg, io_loop_ptr io);

} // namespace arbor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(arbor::session_config)
