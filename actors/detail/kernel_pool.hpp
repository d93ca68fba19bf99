// Pre-started kernels: a few processes of one kernel spec, started ahead of
// demand on the I/O loop, so that a new session adopts a running process
// instead of paying fork + exec + program start-up on its create path.
//
// A pooled process has its pipes open but nobody reads them yet; it is checked
// alive when taken (a dead one is reaped and skipped). After each take the pool
// refills itself after `refill_delay`. `close` SIGKILLs and reaps what is left;
// the parent-death signal covers a crash of the program. Used on the io_loop
// thread only, except `make_kernel_pool`.
#pragma once
#include "actors/io_loop.hpp"

#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <caf/error.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>

namespace arbor {
struct kernel_spec;
}

namespace arbor::detail {

/// A started process and the parent's ends of its pipes.
struct started_process {
  started_process(boost::asio::io_context& ctx) : out(ctx), err(ctx), in(ctx) {}
  boost::asio::readable_pipe out;
  boost::asio::readable_pipe err;
  boost::asio::writable_pipe in;
  std::optional<boost::process::v2::process> proc;
};

/// Starts `spec` with pipes (spawn_process: vfork + exec, own process group,
/// parent-death signal).
caf::error start_process(boost::asio::io_context& ctx, const kernel_spec& spec,
                         started_process& out);

class kernel_pool : public std::enable_shared_from_this<kernel_pool> {
public:
  kernel_pool(io_loop_ptr io, std::shared_ptr<const kernel_spec> spec, size_t size,
              std::chrono::milliseconds refill_delay);

  /// A live pre-started process, or nothing (the caller starts its own).
  std::unique_ptr<started_process> take();
  void fill();
  void close();
  const io_loop_ptr& loop() const noexcept { return io_; }

private:
  void schedule_refill();

  io_loop_ptr io_;
  std::shared_ptr<const kernel_spec> spec_;
  size_t size_;
  std::chrono::milliseconds refill_delay_;
  boost::asio::steady_timer timer_;
  std::deque<std::unique_ptr<started_process>> ready_;
  bool closed_ = false;
  bool refill_pending_ = false;
};

using kernel_pool_ptr = std::shared_ptr<kernel_pool>;

/// Creates a pool and fills it on the loop (from any thread).
kernel_pool_ptr make_kernel_pool(io_loop_ptr io, const kernel_spec& spec, size_t size);

/// Closes `pool` on its loop (from any thread).
void close_kernel_pool(const kernel_pool_ptr& pool);

} // namespace arbor::detail
