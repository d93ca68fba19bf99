// A kernel's standard input, writable from any thread.
//
// Writers (the kernel host actor, the session channel on behalf of a
// WebSocket connection on the network loop) call `write`; while the pipe takes
// the bytes they go straight into it, so an input line costs no thread change.
// What the pipe cannot take at once is kept (at most `limit` bytes) and
// written by the I/O loop when the pipe reports writable: `wait_writable` asks
// the loop for that report, the loop answers with `on_writable`.
//
//   pending ──attach(fd)──▶ open ──close()──▶ closed
//   (lines kept)            (written)         (writes fail: not running)
//
// A write to a kernel that closed its end fails with EPIPE, which needs
// SIGPIPE ignored (io_loop does that for the program). The descriptor belongs
// to the kernel's I/O half; this object only writes to
// it between `attach` and `close`, under its lock, so the owner may close it
// right after `close` returns.
#pragma once
#include <caf/error.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace arbor::detail {

class kernel_stdin {
public:
  /// `limit`: bytes kept for the kernel before writes fail with queue_full.
  explicit kernel_stdin(size_t limit) : limit_(limit) {}

  /// Queues `line` and a newline; errc::queue_full when `limit` would be
  /// exceeded, errc::not_found once closed, errc::io_error when the kernel
  /// closed its end. Nothing is written partly on an error.
  caf::error write(std::string_view line);

  /// The pipe is ready: `fd` (non-blocking) takes what was queued so far.
  /// `wait_writable` is called (under this object's lock, must not call back)
  /// when bytes are left over; the loop then calls `on_writable`.
  void attach(int fd, std::function<void()> wait_writable);

  /// The pipe reported writable.
  void on_writable();

  /// No more writes; what is queued is dropped (the process ended).
  void close();

  /// Bytes accepted but not yet in the pipe.
  size_t queued() const;

  /// After `close` (the process was reaped).
  bool closed() const;

private:
  void flush_locked();

  mutable std::mutex mtx_;
  size_t limit_;
  int fd_ = -1;
  bool closed_ = false;
  bool broken_ = false; ///< the kernel closed its end (EPIPE)
  bool waiting_ = false;
  std::string pending_; ///< bytes [offset_, end) not written yet
  size_t offset_ = 0;
  std::function<void()> wait_writable_;
};

} // namespace arbor::detail
