#include "actors/kernel.hpp"

#include "actors/detail/kernel_process.hpp"
#include "actors/session_channel.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "supervisors/probe.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/response_promise.hpp>
#include <csignal>
#include <sys/wait.h>
#include <vector>

namespace arbor {

using namespace detail;

caf::error exit_reason_of(int status) {
  if (WIFSIGNALED(status))
    return make_error(errc::signal, std::to_string(WTERMSIG(status)));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return make_error(errc::exit_code, std::to_string(WEXITSTATUS(status)));
  return caf::exit_reason::normal;
}

namespace {

class kernel_host : public probed<caf::event_based_actor> {
public:
  kernel_host(caf::actor_config& cfg, io_loop_ptr io, kernel_spec spec, caf::actor sink,
              session_channel_ptr chan)
    : probed<caf::event_based_actor>(cfg), io_(std::move(io)), spec_(std::move(spec)),
      sink_(std::move(sink)), chan_(std::move(chan)),
      in_(std::make_shared<kernel_stdin>(spec_.stdin_queue_bytes)) {}

  caf::behavior make_behavior() override {
    proc_ = std::make_shared<kernel_process>(io_->context(), caf::actor_cast<caf::actor>(this),
                                             sink_, spec_, in_, std::move(chan_));
    io_->post([proc = proc_, spec = spec_] { proc->launch(spec); });
    set_exit_handler([this](caf::exit_msg& msg) { on_exit_request(std::move(msg.reason)); });
    attach_functor([proc = proc_, io = io_] { io->post([proc] { proc->abandon(); }); });
    return {
        [this](ready_atom) -> caf::result<ok_atom> { return on_ready(); },
        [this](launched_atom, int64_t pid) { on_launched(pid); },
        [this](launch_failed_atom, caf::error& err) { on_launch_failed(std::move(err)); },
        [this](input_atom, std::string& line) -> caf::result<ok_atom> {
          return on_input(std::move(line));
        },
        [this](interrupt_atom) -> caf::result<ok_atom> { return signal_kernel(SIGINT); },
        [this](ping_atom) -> caf::result<pong_atom> { return on_ping(); },
        [this](credit_atom) { io_->post([proc = proc_] { proc->credit(1); }); },
        [this](eof_atom) {
          eof_ = true;
          maybe_quit();
        },
        [this](exited_atom, int32_t status) { on_exited(status); },
        [this](term_atom) { signal_group(static_cast<pid_t>(pid_), SIGKILL); },
        [this](drain_atom) {
          eof_ = true; // a grandchild keeps stdout open: stop waiting for it
          maybe_quit();
        },
    };
  }

  /// Terminated actors keep their members until the last handle goes: drop the
  /// ones that point at other actors so no cycle outlives them.
  void on_exit() override {
    proc_.reset();
    sink_ = nullptr;
    ready_.clear(); // promises hold their requesters
  }

private:
  caf::result<ok_atom> on_ready() {
    if (pid_ > 0)
      return ok_atom::value;
    if (start_error_)
      return start_error_;
    ready_.push_back(make_response_promise());
    return ready_.back();
  }

  void on_launched(int64_t pid) {
    pid_ = pid;
    send(sink_, status_atom::value, kernel_status{"running", pid, 0, {}});
    for (auto& rp : ready_)
      rp.deliver(ok_atom::value);
    ready_.clear();
  }

  void on_launch_failed(caf::error err) {
    start_error_ = err;
    for (auto& rp : ready_)
      rp.deliver(err);
    ready_.clear();
    quit(std::move(err));
  }

  caf::result<ok_atom> on_input(std::string line) {
    if (stopping_ || exited_)
      return make_error(errc::not_found, "kernel is not running");
    if (auto err = in_->write(line))
      return err;
    return ok_atom::value;
  }

  caf::result<ok_atom> signal_kernel(int sig) {
    if (pid_ <= 0 || exited_)
      return make_error(errc::not_found, "kernel is not running");
    signal_group(static_cast<pid_t>(pid_), sig);
    return ok_atom::value;
  }

  caf::result<pong_atom> on_ping() {
    if (exited_)
      return make_error(errc::not_found, "kernel exited");
    return pong_atom::value;
  }

  void on_exited(int32_t status) {
    exited_ = true;
    exit_status_ = status;
    delayed_send(this, spec_.drain_timeout, drain_atom::value);
    maybe_quit();
  }

  void on_exit_request(caf::error reason) {
    if (stopping_)
      return; // idempotent: a second request changes nothing
    stopping_ = true;
    stop_reason_ = std::move(reason);
    if (pid_ <= 0) {
      quit(stop_reason_);
      return;
    }
    signal_group(static_cast<pid_t>(pid_), SIGTERM);
    delayed_send(this, spec_.term_timeout, term_atom::value);
    maybe_quit();
  }

  void maybe_quit() {
    if (!exited_ || !eof_)
      return;
    quit(stopping_ ? stop_outcome() : exit_reason_of(exit_status_));
  }

  /// The reason a stopped host ends with (kernel.hpp, `stop_failures`).
  caf::error stop_outcome() const {
    bool by_term = WIFSIGNALED(exit_status_) && WTERMSIG(exit_status_) == SIGTERM;
    if (!spec_.stop_failures || by_term)
      return stop_reason_;
    auto own = exit_reason_of(exit_status_);
    return own ? own : stop_reason_;
  }

  io_loop_ptr io_;
  kernel_spec spec_;
  caf::actor sink_;
  session_channel_ptr chan_; ///< handed to the I/O half at start
  std::shared_ptr<kernel_stdin> in_;
  kernel_process_ptr proc_;
  int64_t pid_ = 0;
  bool eof_ = false;
  bool exited_ = false;
  bool stopping_ = false;
  int32_t exit_status_ = 0;
  caf::error stop_reason_;
  caf::error start_error_;
  std::vector<caf::response_promise> ready_;
};

} // namespace

caf::actor spawn_kernel(caf::actor_system& sys, io_loop_ptr io, kernel_spec spec, caf::actor sink,
                        session_channel_ptr chan) {
  return sys.spawn<kernel_host>(std::move(io), std::move(spec), std::move(sink), std::move(chan));
}

} // namespace arbor
