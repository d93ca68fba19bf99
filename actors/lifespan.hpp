// Lifespans: auxiliary services started before the server accepts work and
// stopped after it (a database proxy, a language server, a metrics agent).
//
//   lifespans           rest_for_one; children start in order, each ready
//   ├── <lifespan 1>    before the next; a failed or late start stops the
//   └── <lifespan n>    started ones in reverse and fails the whole set
//
// A lifespan is either an external process with an optional readiness rule (a
// stdout line matching `ready_line`, a regular expression; or `ready_port`
// accepting TCP connections on 127.0.0.1) and a start deadline, or an
// in-process actor given as a child spec (it answers `ready_atom` itself).
//
// Process lifespan actor, the rule of ARCHITECTURE.md §1:
//
//   starting ──rule met──▶ ready ──exit_msg──▶ stopping ──process reaped──▶ quit(reason)
//      │ exit_msg (abort: stop the process, never report ready)     ▲
//      └────────────────────────────────────────────────────────────┘
//
// The process is run by a kernel host (process group, parent-death signal,
// SIGTERM → SIGKILL at `process.term_timeout`, always reaped); its stdout lines
// go to the human log. A process that exits by itself ends the lifespan with
// its exit reason (so the supervisor restarts it by policy, permanent).
#pragma once
#include "actors/io_loop.hpp"
#include "actors/kernel.hpp"
#include "supervisors/spec.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace arbor {

struct lifespan_spec {
  std::string name;
  kernel_spec process;     ///< the program (empty command: `actor` is used)
  std::string ready_line;  ///< regex; "" = no line rule
  uint16_t ready_port = 0; ///< 0 = no port rule
  std::chrono::milliseconds start_timeout{10000};
  std::optional<child_spec> actor; ///< an in-process lifespan instead of a process
};

/// One lifespan as a child spec (awaits readiness within its start timeout).
child_spec lifespan_child(lifespan_spec spec, io_loop_ptr io);

/// The `lifespans` supervisor spec: rest_for_one over `specs` in order.
supervisor_spec lifespans_spec(std::vector<lifespan_spec> specs, io_loop_ptr io);

} // namespace arbor
