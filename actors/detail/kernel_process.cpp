#include "actors/detail/kernel_process.hpp"

#include "actors/detail/spawn_process.hpp"
#include "actors/session_channel.hpp"
#include "messages/errc.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/process.hpp>
#include <caf/send.hpp>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace bp = boost::process::v2;

namespace arbor::detail {

namespace {

std::vector<std::string> merged_environment(const kernel_spec& spec) {
  std::vector<std::string> result;
  for (char** e = environ; e && *e; ++e) {
    std::string kv{*e};
    auto key = kv.substr(0, kv.find('='));
    if (spec.env.count(key) == 0)
      result.push_back(std::move(kv));
  }
  for (auto& [key, value] : spec.env)
    result.push_back(key + "=" + value);
  return result;
}

bp::filesystem::path resolve(const std::string& exe) {
  if (exe.find('/') != std::string::npos)
    return exe;
  return bp::environment::find_executable(exe);
}

/// Closes `fd` unless `pipe` took it.
template <class Pipe>
void close_unless_held(const Pipe& pipe, int fd) {
  if (!pipe.is_open())
    ::close(fd);
}

} // namespace

void signal_group(pid_t pid, int sig) noexcept {
  if (pid > 0)
    ::kill(-pid, sig);
}

kernel_process::kernel_process(boost::asio::io_context& ctx, caf::actor owner, caf::actor sink,
                               const kernel_spec& spec, std::shared_ptr<kernel_stdin> in,
                               std::shared_ptr<session_channel> chan)
  : ctx_(ctx), owner_(caf::actor_cast<caf::weak_actor_ptr>(owner)), sink_(std::move(sink)),
    name_(spec.command.empty() ? std::string{} : spec.command.front()),
    chunk_size_(spec.chunk_size), max_in_flight_(spec.max_chunks_in_flight), in_(std::move(in)),
    chan_(std::move(chan)) {}

kernel_process::~kernel_process() {
  // Only reached once every handler let go, i.e. after the reap (or when the
  // launch failed); a process that was never reaped is killed here anyway.
  if (pid_ > 0 && !reaped_)
    signal_group(pid_, SIGKILL);
}

void kernel_process::send_owner(caf::message msg) {
  if (auto owner = caf::actor_cast<caf::actor>(owner_))
    caf::anon_send(owner, std::move(msg));
}

namespace {

/// Hands a started child's pipes to Asio and its pid to a process handle. When
/// Asio cannot take a pipe (the loop's epoll refuses it), the child is killed
/// and reaped and every descriptor closed: nothing is left running unowned,
/// and no exception escapes onto the I/O loop.
caf::error adopt(boost::asio::io_context& ctx, const spawned_process& child, started_process& out) {
  boost::system::error_code ec;
  out.in.assign(child.in, ec);
  if (!ec)
    out.out.assign(child.out, ec);
  if (!ec)
    out.err.assign(child.err, ec);
  if (ec) {
    close_unless_held(out.in, child.in);
    close_unless_held(out.out, child.out);
    close_unless_held(out.err, child.err);
    signal_group(child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
    return make_error(errc::start_failed, "kernel pipes: " + ec.message());
  }
  out.proc.emplace(ctx.get_executor(), child.pid);
  return {};
}

} // namespace

caf::error start_process(boost::asio::io_context& ctx, const kernel_spec& spec,
                         started_process& out) {
  if (spec.command.empty())
    return make_error(errc::bad_config, "kernel command is empty");
  auto exe = resolve(spec.command.front()).string();
  if (exe.empty())
    return make_error(errc::start_failed, spec.command.front() + ": not found in PATH");
  spawn_request req{exe, {exe}, merged_environment(spec), spec.cwd};
  req.argv.insert(req.argv.end(), spec.command.begin() + 1, spec.command.end());
  auto child = spawn_process(req);
  if (!child)
    return std::move(child.error());
  return adopt(ctx, *child, out);
}

void kernel_process::launch(const kernel_spec& spec) {
  if (spec.warm)
    if (auto started = spec.warm->take()) {
      run(std::move(started));
      return;
    }
  auto started = std::make_unique<started_process>(ctx_);
  if (auto err = start_process(ctx_, spec, *started)) {
    send_owner(caf::make_message(launch_failed_atom::value, std::move(err)));
    return;
  }
  run(std::move(started));
}

namespace {

void set_non_blocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0)
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

} // namespace

void kernel_process::run(std::unique_ptr<started_process> started) {
  p_ = std::move(started);
  pid_ = p_->proc->id();
  // The loop reads only after a readiness report, and a blocking read after a
  // spurious one would stop every kernel on this loop: reads must not block.
  set_non_blocking(p_->out.native_handle());
  set_non_blocking(p_->err.native_handle());
  set_non_blocking(p_->in.native_handle()); // writers never block (kernel_stdin)
  std::weak_ptr<kernel_process> weak = shared_from_this();
  auto& ctx = ctx_;
  in_->attach(p_->in.native_handle(), [weak, &ctx] {
    boost::asio::post(ctx, [weak] {
      if (auto self = weak.lock())
        self->wait_stdin();
    });
  });
  if (chan_)
    chan_->kernel_started(kernel_link{pid_, in_, [weak, &ctx](size_t n) {
                                        boost::asio::post(ctx, [weak, n] {
                                          if (auto self = weak.lock())
                                            self->credit(n);
                                        });
                                      }});
  send_owner(caf::make_message(launched_atom::value, static_cast<int64_t>(pid_)));
  read_stdout();
  read_stderr();
  wait_exit();
}

namespace {

/// The I/O loop's one read buffer. Pipes are read into it in turn, once they
/// report readable, so an idle kernel holds no buffer of its own.
std::string& loop_buffer() {
  static thread_local std::string buf(64u << 10, '\0');
  return buf;
}

/// Waits until `pipe` is readable, then reads what is there into the loop's
/// buffer and calls `fn(ec, bytes)` (`ec` set at EOF or on an error). The pipe
/// is non-blocking (see `run`): a readiness report with nothing to read —
/// epoll may give those — means waiting again, never blocking the loop.
template <class F>
void read_when_ready(boost::asio::readable_pipe& pipe, size_t max, F fn) {
  pipe.async_read_some(boost::asio::null_buffers(),
                       [&pipe, max, fn](boost::system::error_code ec, size_t) mutable {
                         auto& buf = loop_buffer();
                         ssize_t n = 0;
                         if (!ec)
                           n = ::read(pipe.native_handle(), buf.data(), std::min(max, buf.size()));
                         if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                           return read_when_ready(pipe, max, std::move(fn));
                         if (n < 0)
                           ec.assign(errno, boost::system::system_category());
                         else if (n == 0 && !ec)
                           ec = boost::asio::error::eof;
                         fn(ec, std::string_view{buf.data(), n > 0 ? static_cast<size_t>(n) : 0});
                       });
}

} // namespace

void kernel_process::read_stdout() {
  if (!p_ || reading_ || stdout_done_ || in_flight_ >= max_in_flight_)
    return;
  reading_ = true;
  read_when_ready(
      p_->out, chunk_size_,
      [self = shared_from_this()](boost::system::error_code ec, std::string_view bytes) {
        self->reading_ = false;
        if (!bytes.empty())
          self->publish(bytes);
        if (ec) {
          self->stdout_done_ = true;
          self->send_owner(caf::make_message(eof_atom::value));
          return;
        }
        self->read_stdout();
      });
}

void kernel_process::publish(std::string_view bytes) {
  if (!chan_) {
    ++in_flight_;
    caf::anon_send(sink_, chunk_atom::value, static_cast<int64_t>(pid_), std::string{bytes});
  } else if (!chan_->publish(pid_, bytes)) {
    ++in_flight_; // a client lags: the channel resumes us
  }
}

void kernel_process::read_stderr() {
  read_when_ready(
      p_->err, 4096,
      [self = shared_from_this()](boost::system::error_code ec, std::string_view bytes) {
        auto& line = self->err_line_;
        for (char c : bytes) {
          if (c == '\n' || line.size() >= 4096) {
            spdlog::warn("kernel {} (pid {}) stderr: {}", self->name_, self->pid_, line);
            line.clear();
          }
          if (c != '\n')
            line.push_back(c);
        }
        if (ec) {
          if (!line.empty())
            spdlog::warn("kernel {} (pid {}) stderr: {}", self->name_, self->pid_, line);
          return;
        }
        self->read_stderr();
      });
}

void kernel_process::wait_exit() {
  p_->proc->async_wait([self = shared_from_this()](boost::system::error_code, int) {
    self->reaped_ = true;
    auto status = self->p_->proc->native_exit_code();
    self->send_owner(caf::make_message(exited_atom::value, static_cast<int32_t>(status)));
    // Nobody writes to a dead process: pending stdin lines are dropped with it.
    self->close_stdin();
  });
}

/// Writers get not_found from now on. The channel keeps this kernel until
/// its host is down (stdout may still be draining, and a paused read must
/// still be resumed).
void kernel_process::close_stdin() {
  in_->close(); // no writer touches the descriptor after this
  boost::system::error_code ignored;
  if (p_)
    p_->in.close(ignored);
}

void kernel_process::wait_stdin() {
  if (!p_ || !p_->in.is_open())
    return;
  p_->in.async_write_some(boost::asio::null_buffers(),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            if (ec != boost::asio::error::operation_aborted)
                              self->in_->on_writable();
                          });
}

void kernel_process::credit(size_t n) {
  in_flight_ -= std::min(in_flight_, n);
  read_stdout();
}

void kernel_process::abandon() {
  owner_.reset();
  if (pid_ > 0 && !reaped_)
    signal_group(pid_, SIGKILL);
  // Stop forwarding output nobody will read; the reap still completes.
  close_stdin();
  in_flight_ = 0;
  read_stdout();
}

} // namespace arbor::detail
