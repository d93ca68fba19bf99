// arbor's error codes: one enum, rendered as snake_case names for logs and clients.
#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <cstdint>
#include <string>

namespace arbor {

/// Every error arbor reports. Client-facing codes are these names in snake_case.
enum class errc : uint8_t {
  none = 0,
  invalid_spec,               ///< a supervisor or child spec failed validation
  duplicate_child,            ///< a child id is already in use
  unknown_child,              ///< no child with that id
  child_running,              ///< the operation needs a stopped child
  start_failed,               ///< a child's factory or readiness failed
  start_timeout,              ///< a child missed its start deadline
  restart_intensity_exceeded, ///< more than max_restarts in period
  shutting_down,              ///< the supervisor no longer takes work
  deadline_budget,            ///< a tree's shutdown deadlines do not fit
  task_failed,                ///< a task's function threw or returned an error
  system_stopped,             ///< the actor system no longer runs actors
  timeout,                    ///< a bounded wait expired
  exit_code,                  ///< a process exited with a non-zero code (context: the code)
  signal,                     ///< a process was killed by a signal (context: the signal)
  bad_json,                   ///< untrusted input was not valid JSON / not the expected shape
  bad_config,                 ///< configuration is invalid
  not_found,                  ///< unknown resource (session, file)
  limit_reached,              ///< a configured limit refuses the request
  io_error,                   ///< a file or pipe operation failed (context: what)
  queue_full,                 ///< a bounded queue refused the item (back-pressure)
  slow_consumer,              ///< a subscriber fell too far behind and was dropped
  unauthorized,               ///< missing or wrong token
  forbidden,                  ///< the request is not allowed (Origin, path outside the roots)
  too_large,                  ///< a body or frame exceeds its limit
  bad_request,        ///< a request that is not JSON-shaped (unknown route parts, bad query)
  method_not_allowed, ///< the route exists, not with this method
  not_ready,          ///< the server is starting or shutting down
};

/// The snake_case name of `x`.
const char* to_string(errc x) noexcept;

/// The CAF error category of arbor's errors.
constexpr caf::atom_value errc_category = caf::atom("arbor");

/// Makes a CAF error from `x` with an optional context string.
caf::error make_error(errc x, std::string context = {});

/// True when `err` is arbor's `x`.
bool is(const caf::error& err, errc x) noexcept;

/// Renders any exit reason / error for logs and clients: "normal", "shutdown",
/// "killed", "restart_intensity_exceeded", "exit_code:137", "system:request_timeout".
std::string describe(const caf::error& err);

/// The context string of an arbor error ("" when none).
std::string context_of(const caf::error& err);

/// True for exits that are not failures: none, normal and user_shutdown.
bool is_clean_exit(const caf::error& reason) noexcept;

} // namespace arbor
