// Test fixture for the session runtime: an I/O loop (created before the actor
// system, destroyed after it), an actor system with arbor's types, a scoped
// actor for requests and a captured supervisor log. Every wait is bounded.
#pragma once
#include "actors/io_loop.hpp"
#include "ask.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "messages/session.hpp"
#include "supervisors/log_capture.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace arbor::test {

using namespace std::chrono_literals;

inline const std::string demo_kernel = DEMO_KERNEL_PATH;

struct actor_fixture {
  log_capture log;
  io_loop_ptr io = std::make_shared<io_loop>();
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> self;

  actor_fixture() {
    add_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    self = std::make_unique<caf::scoped_actor>(*sys);
  }

  ~actor_fixture() {
    self.reset();
    sys.reset();
    io->stop();
  }

  template <class T, class... Ts>
  caf::expected<T> ask(const caf::actor& dest, Ts&&... xs) {
    return test::ask<T>(*self, dest, std::forward<Ts>(xs)...);
  }

  /// Waits (bounded) for the down message of `who`; its reason, or timeout.
  caf::error wait_down(const caf::actor& who, std::chrono::milliseconds timeout = 10s) {
    caf::error reason = make_error(errc::timeout);
    (*self)->monitor(who);
    bool done = false;
    (*self)->receive_while([&] { return !done; })(
        [&](caf::down_msg& msg) {
          if (msg.source == who.address()) {
            reason = msg.reason;
            done = true;
          }
        },
        [](caf::message&) {}, caf::after(timeout) >> [&] { done = true; });
    return reason;
  }
};

/// A scratch directory, removed with everything in it.
struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/arbor-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::string cmd = "rm -rf '" + path + "'";
    [[maybe_unused]] int rc = std::system(cmd.c_str());
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(path.c_str())) {
      while (auto* e = ::readdir(d))
        if (e->d_name[0] != '.' || (e->d_name[1] != '\0' && e->d_name[1] != '.'))
          names.push_back(e->d_name);
      ::closedir(d);
    }
    return names;
  }
};

/// Subscribes `client` to `dist` (bounded); fails the test on an error.
inline subscription attach(caf::scoped_actor& client, const caf::actor& dist, int64_t since = -1) {
  subscription result;
  client->request(dist, 10s, subscribe_atom::value, subscribe_request{since})
      .receive([&](subscription& s) { result = s; }, [](caf::error& err) { FAIL(describe(err)); });
  return result;
}

/// Sends one input line through `dist` and waits for it to be queued.
inline void input(caf::scoped_actor& client, const caf::actor& dist, const std::string& line) {
  client->request(dist, 10s, input_atom::value, line)
      .receive([](ok_atom) {}, [](caf::error& err) { FAIL(describe(err)); });
}

/// What a subscriber saw: output lines (acked as they come), status, gaps, etc.
struct client_view {
  std::vector<output_line> lines;
  std::vector<kernel_status> statuses;
  std::vector<gap_notice> gaps;
  std::vector<file_event> files;
  std::string dropped;
  std::string closing;
  uint32_t pings = 0;

  std::vector<std::string> texts() const {
    std::vector<std::string> result;
    for (auto& l : lines)
      result.push_back(l.data);
    return result;
  }
};

/// Receives as `self` until `done(view)` holds or `timeout` passes; acks output
/// to `distributor` unless `ack` is false. Returns whether `done` held.
template <class Pred>
bool receive_until(caf::scoped_actor& self, const caf::actor& distributor, client_view& view,
                   Pred done, std::chrono::milliseconds timeout = 10s, bool ack = true) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(view)) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= 0ms)
      return false;
    bool timed_out = false;
    self->receive(
        [&](output_atom, const output_batch& b) {
          view.lines.insert(view.lines.end(), b.lines.begin(), b.lines.end());
          if (ack && !b.lines.empty())
            self->send(distributor, ack_atom::value, b.lines.back().seq);
        },
        [&](status_atom, const kernel_status& st) { view.statuses.push_back(st); },
        [&](gap_atom, const gap_notice& g) { view.gaps.push_back(g); },
        [&](file_changed_atom, const file_event& ev) { view.files.push_back(ev); },
        [&](dropped_atom, const std::string& why) { view.dropped = why; },
        [&](closing_atom, const std::string& why) { view.closing = why; },
        [&](ping_atom) {
          ++view.pings;
          self->send(distributor, pong_atom::value);
        },
        [](caf::message&) {},
        caf::after(std::chrono::duration_cast<std::chrono::milliseconds>(left)) >>
            [&] { timed_out = true; });
    if (timed_out)
      return done(view);
  }
  return true;
}

} // namespace arbor::test
