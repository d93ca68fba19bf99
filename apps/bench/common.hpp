// What the benchmark programs share: the open-files limit and the scheduler flags.
#pragma once

#include "supervisors/scheduler.hpp"

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <sys/resource.h>
#ifdef ARBOR_MALLOC_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

namespace arbor::bench {

/// Raises the soft limit on open files to the hard one (thousands of sockets,
/// pipes and kernels in one run).
inline void raise_fd_limit() {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

/// The allocator this program was linked with (ARBOR_MALLOC in CMake).
inline const char* allocator_name() {
#ifdef ARBOR_MALLOC_TCMALLOC
  return "tcmalloc_minimal";
#else
  return "glibc malloc";
#endif
}

/// Bytes currently allocated through malloc, as the allocator counts them (not
/// RSS: freed memory that the allocator keeps would hide what a new object costs).
inline long live_bytes() {
#ifdef ARBOR_MALLOC_TCMALLOC
  size_t bytes = 0;
  MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &bytes);
  return static_cast<long>(bytes);
#else
  return static_cast<long>(mallinfo2().uordblks);
#endif
}

/// `--workers N`, `--idle-polling` and `--stock-clock`. Without them a
/// benchmark runs arbord's defaults (`scheduler_options{}`: idle workers block
/// at once, arbor's lean clock), so it measures what arbord runs.
struct scheduler_flags {
  size_t workers = 0;
  bool idle_polling = false;
  bool stock_clock = false;

  void add_to(CLI::App& app) {
    app.add_option("--workers", workers, "CAF worker threads (0 = CAF's default)");
    app.add_flag("--idle-polling", idle_polling,
                 "CAF's stock idle polling (default: idle workers block at once, as in arbord)");
    app.add_flag("--stock-clock", stock_clock,
                 "CAF's own clock, woken by every actor's end (default: arbor's lean clock)");
  }

  scheduler_options options() const { return {workers, idle_polling, !stock_clock}; }
};

} // namespace arbor::bench
