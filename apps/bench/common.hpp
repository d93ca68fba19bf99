// What the benchmark programs share: the open-files limit and the scheduler flags.
#pragma once

#include "supervisors/scheduler.hpp"

#include <CLI/CLI.hpp>
#include <sys/resource.h>

namespace arbor::bench {

/// Raises the soft limit on open files to the hard one (thousands of sockets,
/// pipes and kernels in one run).
inline void raise_fd_limit() {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

/// `--workers N` and `--idle-blocking`. Without them a benchmark runs on CAF's
/// stock scheduler, as any program embedding arbor does; `--idle-blocking` is
/// arbord's default (`scheduler.idle_polling: false`).
struct scheduler_flags {
  size_t workers = 0;
  bool idle_blocking = false;

  void add_to(CLI::App& app) {
    app.add_option("--workers", workers, "CAF worker threads (0 = CAF's default)");
    app.add_flag("--idle-blocking", idle_blocking,
                 "idle workers block at once (arbord's default, scheduler.idle_polling false)");
  }

  scheduler_options options() const { return {workers, !idle_blocking}; }
};

} // namespace arbor::bench
