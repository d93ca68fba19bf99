#include "actors/lifespan.hpp"

#include "actors/detail/kernel_process.hpp"
#include "actors/detail/line_splitter.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "supervisors/probe.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <regex>
#include <spdlog/spdlog.h>

namespace arbor {

namespace {

using probe_port_atom = caf::atom_constant<caf::atom("probeport")>;
using port_open_atom = caf::atom_constant<caf::atom("portopen")>;

constexpr std::chrono::milliseconds port_retry{50};

/// Tries one TCP connect to 127.0.0.1:port on the I/O loop; answers port_open_atom.
void probe_port(const io_loop_ptr& io, uint16_t port, caf::actor reply_to) {
  io->post([io, port, reply_to] {
    using boost::asio::ip::tcp;
    auto sock = std::make_shared<tcp::socket>(io->context());
    tcp::endpoint ep{boost::asio::ip::address_v4::loopback(), port};
    sock->async_connect(ep, [sock, reply_to](boost::system::error_code ec) {
      caf::anon_send(reply_to, port_open_atom::value, !ec);
    });
  });
}

class process_lifespan : public probed<caf::event_based_actor> {
public:
  process_lifespan(caf::actor_config& cfg, lifespan_spec spec, io_loop_ptr io)
    : probed<caf::event_based_actor>(cfg), spec_(std::move(spec)), io_(std::move(io)) {
    spec_.process.stop_failures = true; // a failed teardown surfaces (on_host_down)
    if (!spec_.ready_line.empty())
      pattern_ = std::regex{spec_.ready_line};
  }

  caf::behavior make_behavior() override {
    host_ = spawn_kernel(system(), io_, spec_.process, caf::actor_cast<caf::actor>(this));
    monitor(host_);
    attach_functor([host = host_] { caf::anon_send_exit(host, caf::exit_reason::kill); });
    set_down_handler([this](caf::down_msg& msg) { on_host_down(std::move(msg.reason)); });
    set_exit_handler([this](caf::exit_msg& msg) { on_exit_request(std::move(msg.reason)); });
    // A host that cannot start goes down with the reason: on_host_down handles it.
    request(host_, caf::infinite, ready_atom::value)
        .then([this](ok_atom) { on_started(); }, [](caf::error&) {});
    return {
        [this](ready_atom) -> caf::result<ok_atom> { return on_ready_request(); },
        [this](detail::chunk_atom, int64_t, const std::string& bytes) { on_output(bytes); },
        [](status_atom, const kernel_status&) {},
        [this](probe_port_atom) { probe_port(io_, spec_.ready_port, this); },
        [this](port_open_atom, bool open) {
          if (open)
            mark_ready();
          else if (!ready_ && !stopping_)
            delayed_send(this, port_retry, probe_port_atom::value);
        },
    };
  }

  void on_exit() override {
    host_ = nullptr;
    waiters_.clear(); // promises hold their requesters
  }

private:
  void on_started() {
    if (spec_.ready_port != 0)
      send(this, probe_port_atom::value);
    else if (spec_.ready_line.empty())
      mark_ready();
  }

  caf::result<ok_atom> on_ready_request() {
    if (ready_)
      return ok_atom::value;
    waiters_.push_back(make_response_promise());
    return waiters_.back();
  }

  void on_output(const std::string& bytes) {
    send(host_, detail::credit_atom::value);
    lines_.feed(bytes, [this](std::string&& line, bool) {
      spdlog::info("lifespan {}: {}", spec_.name, line);
      if (!ready_ && !spec_.ready_line.empty() && std::regex_search(line, pattern_))
        mark_ready();
    });
  }

  void mark_ready() {
    if (ready_ || stopping_)
      return;
    ready_ = true;
    for (auto& rp : waiters_)
      rp.deliver(ok_atom::value);
    waiters_.clear();
  }

  void on_exit_request(caf::error reason) {
    if (stopping_)
      return;
    stopping_ = true; // starting: abort; ready: stop. Either way the process goes.
    stop_reason_ = reason;
    fail_waiters(make_error(errc::shutting_down, spec_.name + " stopped while starting"));
    send_exit(host_, std::move(reason));
  }

  void on_host_down(caf::error reason) {
    if (stopping_) {
      // The host ends with the stop's reason, or with its process's own when
      // the teardown failed (exit code, SIGKILL at the deadline): that one
      // surfaces in the supervisor's child_stopped and shutdown_completed.
      quit(is_clean_exit(reason) ? stop_reason_ : std::move(reason));
      return;
    }
    if (!ready_) {
      auto err = make_error(errc::start_failed, spec_.name + " exited: " + describe(reason));
      fail_waiters(err);
      quit(err);
      return;
    }
    quit(std::move(reason));
  }

  void fail_waiters(const caf::error& err) {
    for (auto& rp : waiters_)
      rp.deliver(err);
    waiters_.clear();
  }

  lifespan_spec spec_;
  io_loop_ptr io_;
  std::regex pattern_;
  detail::line_splitter lines_{64u << 10};
  caf::actor host_;
  bool ready_ = false;
  bool stopping_ = false;
  caf::error stop_reason_;
  std::vector<caf::response_promise> waiters_;
};

} // namespace

child_spec lifespan_child(lifespan_spec spec, io_loop_ptr io) {
  if (spec.actor) {
    auto child = *spec.actor;
    child.id = spec.name;
    return child;
  }
  child_spec child;
  child.id = spec.name;
  child.await_ready = true;
  child.start_timeout = spec.start_timeout;
  child.shutdown = shutdown_policy::deadline(spec.process.term_timeout +
                                             spec.process.drain_timeout + milliseconds{500});
  child.start = [spec, io](child_context& ctx) -> caf::expected<caf::actor> {
    return ctx.system.spawn<process_lifespan>(spec, io);
  };
  return child;
}

supervisor_spec lifespans_spec(std::vector<lifespan_spec> specs, io_loop_ptr io) {
  supervisor_spec spec;
  spec.name = "lifespans";
  spec.strat = strategy::rest_for_one;
  for (auto& ls : specs)
    spec.children.push_back(lifespan_child(std::move(ls), io));
  return spec;
}

} // namespace arbor
