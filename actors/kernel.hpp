// Kernel host: runs one kernel program (any line-oriented process) for a session.
//
// Parent: the session supervisor (rest_for_one), restart type permanent, shutdown
// deadline `term_timeout + drain_timeout + 500 ms` (see `kernel_child`).
// The process runs in its own process group with a parent-death signal
// (SIGKILL), so no kernel outlives its host program even when that program is
// killed with SIGKILL. stdout goes to the sink (the distributor) in chunks;
// stderr is logged line by line to the "kernel" logger.
//
// Takes:
//   ready_atom            → ok_atom once the process runs (error when it cannot start)
//   input_atom, string    → ok_atom; the line (plus '\n') is written to stdin, or
//                           kept while the pipe is full; errc::queue_full when
//                           `stdin_queue_bytes` would be exceeded (kernel_stdin.hpp)
//   interrupt_atom        → ok_atom; SIGINT to the kernel's process group
//   ping_atom             → pong_atom while the process runs (heartbeat)
//   credit (sink)         one stdout chunk consumed; reading resumes (without a
//                         channel; the channel resumes the I/O half itself)
//   exit_msg              ordered stop: SIGTERM to the group, SIGKILL after
//                         `term_timeout`, wait for the reap and stdout EOF, then quit
// Sends: (status_atom, kernel_status{"running", pid}) to the sink when started.
//
//   launching ──launched──▶ running ──process exited + stdout EOF──▶ quit(exit reason)
//        │                    │ exit_msg
//        ▼ launch failed      ▼
//      quit(start_failed)   terminating ──SIGTERM… SIGKILL, reaped + EOF──▶ quit(exit_msg reason)
//
// With `stop_failures` (lifespans set it), a stop the process did not end
// cleanly (a non-zero exit code, or a signal other than SIGTERM: SIGKILL at
// `term_timeout` among them) ends the host with the process's own reason.
//
// Exit reason when the kernel ends by itself: normal for status 0,
// errc::exit_code ("exit_code:N") or errc::signal ("signal:N", from WTERMSIG),
// so the session supervisor restarts it by policy. The process is always reaped;
// a host that is killed kills the group and the I/O loop still reaps it.
#pragma once
#include "actors/io_loop.hpp"
#include "supervisors/spec.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace arbor {

namespace detail {
class kernel_pool;
}

struct kernel_spec {
  /// argv; argv[0] without a '/' is looked up in PATH.
  std::vector<std::string> command;
  /// Added to (or overriding) the inherited environment.
  std::map<std::string, std::string> env;
  std::string cwd; ///< "" = the host's working directory
  size_t stdin_queue_bytes = 1u << 20;
  std::chrono::milliseconds term_timeout{2000};  ///< SIGTERM → SIGKILL
  std::chrono::milliseconds drain_timeout{1000}; ///< after the exit, wait this long for EOF
  size_t chunk_size = 64u << 10;                 ///< largest stdout read
  size_t max_chunks_in_flight = 4;               ///< unconsumed chunks before reading pauses
  /// On a stop, end with the process's reason when it did not end cleanly
  /// (see above); otherwise a stop always ends with the exit_msg's reason.
  bool stop_failures = false;
  /// Processes started ahead of demand (the session manager keeps a pool per
  /// kernel name); 0 = start each kernel when its session starts.
  size_t prestart = 0;
  /// Set by the session manager when `prestart > 0`.
  std::shared_ptr<detail::kernel_pool> warm;
};

class session_channel;

/// Spawns a kernel host. Its stdout goes to `chan` when given (published on
/// the I/O loop; `sink` still gets the status), else as chunks to `sink`.
caf::actor spawn_kernel(caf::actor_system& sys, io_loop_ptr io, kernel_spec spec, caf::actor sink,
                        std::shared_ptr<session_channel> chan = nullptr);

/// The exit reason for a native wait status (normal, exit_code:N, signal:N).
caf::error exit_reason_of(int native_status);

} // namespace arbor
