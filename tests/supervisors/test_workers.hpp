// Test helpers for supervision tests: workers that record their starts and
// stops in order, and waits bounded by timeouts (no sleeps).
#pragma once

#include "ask.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "supervisors/log_capture.hpp"
#include "supervisors/probe.hpp"
#include "supervisors/scheduler.hpp"
#include "supervisors/spec.hpp"
#include "supervisors/supervisor.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

namespace arbor::test {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;

/// Thread-safe ordered list of events ("start:a", "stop:b") with bounded waits.
class recorder {
public:
  void add(std::string event) {
    std::lock_guard<std::mutex> guard{mtx_};
    events_.push_back(std::move(event));
    cv_.notify_all();
  }

  std::vector<std::string> events() {
    std::lock_guard<std::mutex> guard{mtx_};
    return events_;
  }

  /// Waits until `event` was recorded `times` times; false after `timeout`.
  bool wait_for(const std::string& event, size_t times = 1,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, timeout, [&] {
      return static_cast<size_t>(std::count(events_.begin(), events_.end(), event)) >= times;
    });
  }

  /// The recorded events that start with `prefix`, in order.
  std::vector<std::string> with_prefix(const std::string& prefix) {
    std::vector<std::string> result;
    for (auto& ev : events())
      if (ev.rfind(prefix, 0) == 0)
        result.push_back(ev);
    return result;
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

enum class on_exit_do { stop, ignore };

/// A worker that records "start:<id>" and "stop:<id>", answers ping, crashes on
/// crash_atom (exit_code:1) and finishes normally on finish_atom.
inline child_spec test_worker(std::string id, std::shared_ptr<recorder> rec,
                              restart_type restart = restart_type::permanent,
                              on_exit_do exit_mode = on_exit_do::stop) {
  child_spec spec;
  spec.id = id;
  spec.restart = restart;
  spec.shutdown = shutdown_policy::deadline(std::chrono::milliseconds(2000));
  spec.start = [id, rec, exit_mode](child_context& ctx) -> caf::expected<caf::actor> {
    rec->add("start:" + id);
    return spawn_worker(ctx.system, [id, rec, exit_mode](worker_actor* self) -> caf::behavior {
      self->set_exit_handler([self, id, rec, exit_mode](caf::exit_msg& msg) {
        if (exit_mode == on_exit_do::ignore && msg.reason != caf::exit_reason::kill) {
          rec->add("ignored:" + id);
          return;
        }
        rec->add("stop:" + id);
        self->quit(msg.reason);
      });
      return {
          [](ping_atom) { return ok_atom::value; },
          [self](crash_atom) { self->quit(make_error(errc::exit_code, "1")); },
          [self](finish_atom) { self->quit(); },
      };
    });
  };
  return spec;
}

/// A system with arbor's types and a captured supervisor log.
struct fixture {
  log_capture log;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> self;
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();

  fixture() {
    add_message_types(cfg);
    configure_scheduler(cfg, {}); // as arbord runs: blocking idle workers, arbor's lean clock
    sys = std::make_unique<caf::actor_system>(cfg);
    self = std::make_unique<caf::scoped_actor>(*sys);
  }

  ~fixture() {
    self.reset();
    sys.reset();
  }

  caf::actor spawn(supervisor_spec spec, std::string path = "/t") {
    auto sup = spawn_supervisor(*sys, std::move(spec), std::move(path));
    REQUIRE(sup);
    return *sup;
  }

  /// Sends a request and returns its reply (or the error), bounded.
  template <class T, class... Ts>
  caf::expected<T> ask(const caf::actor& dest, Ts&&... xs) {
    return test::ask<T>(*self, dest, std::forward<Ts>(xs)...);
  }

  void require_ready(const caf::actor& sup) {
    auto ok = ask<ok_atom>(sup, ready_atom::value);
    REQUIRE(ok);
  }

  /// The running handle of child `id` (invalid when not running).
  caf::actor child(const caf::actor& sup, const std::string& id) {
    auto handle = ask<caf::actor>(sup, get_child_atom::value, id);
    return handle ? *handle : caf::actor{};
  }

  /// Waits for `who` to terminate and returns its exit reason.
  caf::error wait_down(const caf::actor& who,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    caf::error reason = make_error(errc::timeout, "no down message");
    (*self)->monitor(who);
    bool done = false;
    (*self)->receive_while([&] { return !done; })(
        [&](caf::down_msg& msg) {
          if (msg.source == who) {
            reason = std::move(msg.reason);
            done = true;
          }
        },
        caf::after(timeout) >> [&] { done = true; });
    return reason;
  }

  /// Asks for a shutdown and waits for it.
  caf::error stop(const caf::actor& sup) {
    (*self)->send_exit(sup, caf::exit_reason::user_shutdown);
    return wait_down(sup);
  }
};

} // namespace arbor::test
