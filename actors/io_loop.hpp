// The I/O loop: one Asio io_context on one thread of its own, shared by every
// kernel pipe, process wait and inotify descriptor of a program.
//
// Actors never block on I/O. An actor that owns an I/O resource keeps it in an
// object that lives on this loop (created, used and destroyed only by handlers
// posted here); the actor talks to it by `post`, and the loop answers with
// messages to the actor. So a pipe reader is bound to one thread for its whole
// life, whichever scheduler thread runs its owner (the reference server's
// "remove_reader on the wrong loop" problem cannot happen).
//
// Lifetime: create the loop before the actor system and destroy it after, so
// that a kernel killed in an actor's destructor is still reaped here. Child
// processes are forked from this thread; their parent-death signal fires when
// this thread ends, i.e. when the program ends. Creating a loop sets SIGPIPE to
// ignored for the program (writes to a dead kernel fail with EPIPE instead).
#pragma once
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <thread>

namespace arbor {

class io_loop {
public:
  io_loop();
  ~io_loop();
  io_loop(const io_loop&) = delete;
  io_loop& operator=(const io_loop&) = delete;

  boost::asio::io_context& context() noexcept { return ctx_; }

  /// Runs `fn` on the loop thread.
  template <class F>
  void post(F&& fn) {
    boost::asio::post(ctx_, std::forward<F>(fn));
  }

  /// Lets pending handlers finish (bounded by their own timers), then joins.
  void stop();

private:
  boost::asio::io_context ctx_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::future<void> done_;
  std::thread thread_;
};

using io_loop_ptr = std::shared_ptr<io_loop>;

} // namespace arbor
