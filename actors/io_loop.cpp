#include "actors/io_loop.hpp"

#include <chrono>
#include <csignal>
#include <future>

namespace arbor {

// One thread runs the context (other threads only post to it): the hint lets
// Asio keep handlers posted from that thread in its private queue.
io_loop::io_loop() : ctx_(1), work_(boost::asio::make_work_guard(ctx_)) {
  // A kernel that dies with input pending must give EPIPE to the writer, not
  // SIGPIPE to the whole program.
  std::signal(SIGPIPE, SIG_IGN);
  auto done = std::make_shared<std::promise<void>>();
  done_ = done->get_future();
  thread_ = std::thread{[this, done] {
    ctx_.run();
    done->set_value();
  }};
}

io_loop::~io_loop() {
  stop();
}

void io_loop::stop() {
  if (!thread_.joinable())
    return;
  // Pending work (a kernel still being reaped) gets a bounded chance to end;
  // whatever remains after that is cancelled.
  work_.reset();
  if (done_.wait_for(std::chrono::seconds{3}) != std::future_status::ready)
    ctx_.stop();
  thread_.join();
}

} // namespace arbor
