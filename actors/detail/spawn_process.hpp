// Starting a kernel's process without copying the server's address space.
//
// fork() copies the page tables of the whole process, so its cost grows with
// the server's heap: on the project's machine 0.4 ms with a small heap, 1.8 ms
// once a benchmark's earlier rows had left their freed memory with tcmalloc,
// 9-16 ms with 256 MiB more touched; the I/O loop stalls meanwhile, and every
// page the server then writes takes a copy-on-write fault. `spawn_process`
// uses vfork(): the child borrows the parent's memory until it execs, and the
// parent thread waits for that exec, whatever the heap's size (posix_spawn
// works the same way, but it cannot set the parent-death signal).
//
// In the child, before exec: every signal back to its default action and none
// blocked (the server ignores SIGPIPE, and a handler must never run in a
// child that shares the server's memory), its own process group,
// `PR_SET_PDEATHSIG = SIGKILL`, the three pipes as stdin/stdout/stderr, every
// other descriptor closed, then the working directory. The child only makes
// system calls; what it needs (argv, environment, descriptors) is prepared
// here first. A step that fails is reported through a close-on-exec pipe, so
// the caller gets the step and errno, not a process that exits 127.
#pragma once

#include <caf/expected.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

namespace arbor::detail {

struct spawn_request {
  std::string exe;               ///< path of the program (no PATH search here)
  std::vector<std::string> argv; ///< argv[0] included
  std::vector<std::string> env;  ///< the whole environment, KEY=VALUE
  std::string dir;               ///< working directory; empty = the server's
};

/// The child's pid and the parent's ends of its pipes (close-on-exec; the
/// caller owns them).
struct spawned_process {
  pid_t pid = -1;
  int in = -1;  ///< write end of the child's stdin
  int out = -1; ///< read end of its stdout
  int err = -1; ///< read end of its stderr
};

/// Starts `req`; when it cannot, `start_failed` naming the program and what
/// failed ("No such file or directory", "cannot enter /srv: ..."). Any thread.
caf::expected<spawned_process> spawn_process(const spawn_request& req);

} // namespace arbor::detail
