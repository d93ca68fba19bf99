// Sessions end to end with real demo kernels:
//
//   manager (/t/sessions)
//   └── s-<id>              rest_for_one
//       ├── distributor     ◀── test client (scoped actor)
//       ├── kernel          arbor-demo-kernel
//       └── heartbeat
#include "actor_fixture.hpp"
#include "actors/event_bus.hpp"
#include "actors/session_manager.hpp"

#include <csignal>
#include <dirent.h>
#include <fstream>
#include <future>
#include <unistd.h>

using namespace arbor;
using namespace arbor::test;

namespace {

struct session_fixture : actor_fixture {
  caf::actor bus = spawn_event_bus(*sys);
  caf::scoped_actor listener{*sys};
  caf::actor manager;

  explicit session_fixture(uint32_t max_sessions = 10) {
    listener->request(bus, 10s, subscribe_atom::value).receive([](ok_atom) {}, [](caf::error&) {});
    session_manager_config cfg;
    cfg.path = "/t/sessions";
    cfg.kernels["default"].command = {demo_kernel};
    cfg.kernels["failing"].command = {"/bin/sh", "-c", "exit 1"};
    cfg.defaults.max_restarts = 2;
    cfg.defaults.period = 10s;
    cfg.max_sessions = max_sessions;
    cfg.event_bus = bus;
    manager = spawn_session_manager(*sys, cfg, io);
  }

  ~session_fixture() {
    (*self)->send_exit(manager, caf::exit_reason::user_shutdown);
    wait_down(manager);
    (*self)->send_exit(bus, caf::exit_reason::user_shutdown);
  }

  session_event next_event() {
    session_event ev;
    listener->receive([&](publish_atom, const session_event& e) { ev = e; },
                      caf::after(10s) >> [] {});
    return ev;
  }

  caf::actor distributor(const std::string& id) {
    auto d = ask<caf::actor>(manager, get_child_atom::value, id);
    REQUIRE(d);
    return *d;
  }
};

} // namespace

TEST_CASE_METHOD(session_fixture, "create, attach, talk to the kernel, close", "[session]") {
  auto info = ask<session_info>(manager, create_atom::value, session_request{});
  REQUIRE(info);
  CHECK(info->id.size() == 34);
  CHECK(info->kernel.state == "running");
  CHECK(info->kernel.pid > 0);
  CHECK(next_event().kind == "session_created");
  auto dist = distributor(info->id);
  caf::scoped_actor client{*sys};
  attach(client, dist);
  input(client, dist, "upper hello");
  client_view v;
  REQUIRE(receive_until(client, dist, v, [](auto& x) { return !x.lines.empty(); }));
  CHECK(v.lines[0].data == "HELLO");
  CHECK(v.lines[0].seq == 1);
  auto list = ask<std::vector<session_info>>(manager, list_atom::value);
  REQUIRE(list);
  CHECK(list->size() == 1);
  REQUIRE(ask<ok_atom>(manager, close_atom::value, info->id));
  REQUIRE(receive_until(client, dist, v, [](auto& x) { return !x.closing.empty(); }));
  CHECK(v.closing == "shutdown");
  auto closed = next_event();
  CHECK(closed.kind == "session_closed");
  CHECK(closed.id == info->id);
  CHECK(::kill(static_cast<pid_t>(info->kernel.pid), 0) == -1); // reaped
  CHECK(ask<std::vector<session_info>>(manager, list_atom::value)->empty());
  CHECK(log.events("session_created").size() == 1);
  CHECK(log.events("session_closed").size() == 1);
}

TEST_CASE_METHOD(session_fixture, "a kernel crash restarts it, clients stay and see status",
                 "[session][restart]") {
  auto info = ask<session_info>(manager, create_atom::value, session_request{});
  REQUIRE(info);
  auto dist = distributor(info->id);
  caf::scoped_actor client{*sys};
  attach(client, dist);
  input(client, dist, "crash");
  client_view v;
  REQUIRE(receive_until(client, dist, v, [](auto& x) { return x.statuses.size() >= 2; }));
  CHECK(v.statuses[0].state == "restarting");
  CHECK(v.statuses[0].reason == "signal:6");
  CHECK(v.statuses[1].state == "running");
  CHECK(v.statuses[1].restarts == 1);
  CHECK(v.statuses[1].pid != info->kernel.pid);
  input(client, dist, "after");
  REQUIRE(receive_until(client, dist, v, [](auto& x) { return !x.lines.empty(); }));
  CHECK(v.lines.back().data == "after");
}

TEST_CASE_METHOD(session_fixture,
                 "a kernel beyond its restart budget closes and removes the session",
                 "[session][restart]") {
  auto info = ask<session_info>(manager, create_atom::value, session_request{"failing", ""});
  // The kernel may die before or after the create answered; either way the
  // session ends with the intensity error and leaves no entry behind.
  session_event closed;
  for (int i = 0; i < 2 && closed.kind != "session_closed"; ++i)
    closed = next_event();
  CHECK(closed.kind == "session_closed");
  CHECK(closed.reason == "restart_intensity_exceeded");
  CHECK(ask<std::vector<session_info>>(manager, list_atom::value)->empty());
  CHECK(log.events("restart_intensity_exceeded").size() == 1);
}

TEST_CASE("limits and unknown names are clear errors", "[session]") {
  session_fixture f{1};
  auto one = f.ask<session_info>(f.manager, create_atom::value, session_request{});
  REQUIRE(one);
  auto two = f.ask<session_info>(f.manager, create_atom::value, session_request{});
  REQUIRE_FALSE(two);
  CHECK(is(two.error(), errc::limit_reached));
  auto bad = f.ask<session_info>(f.manager, create_atom::value, session_request{"nope", ""});
  REQUIRE_FALSE(bad);
  CHECK(is(bad.error(), errc::limit_reached)); // the limit is checked first
  auto unknown = f.ask<session_info>(f.manager, info_atom::value, std::string{"s-0"});
  REQUIRE_FALSE(unknown);
  CHECK(is(unknown.error(), errc::not_found));
  REQUIRE(f.ask<ok_atom>(f.manager, close_atom::value, one->id));
  auto nope = f.ask<session_info>(f.manager, create_atom::value, session_request{"nope", ""});
  REQUIRE_FALSE(nope);
  CHECK(is(nope.error(), errc::not_found));
}

namespace {

/// Processes whose parent is this test process and whose name is the demo kernel.
size_t demo_kernels_alive() {
  size_t count = 0;
  auto me = std::to_string(::getpid());
  if (DIR* d = ::opendir("/proc")) {
    while (auto* e = ::readdir(d)) {
      std::ifstream stat{std::string{"/proc/"} + e->d_name + "/stat"};
      std::string pid, comm, state, ppid;
      if (stat >> pid >> comm >> state >> ppid && ppid == me &&
          comm.find("arbor-demo-ker") != std::string::npos && state != "Z")
        ++count;
    }
    ::closedir(d);
  }
  return count;
}

/// Waits until everything posted to `io` before this call has run.
void drain_loop(const io_loop_ptr& io) {
  std::promise<void> done;
  io->post([&done] { done.set_value(); });
  done.get_future().wait_for(10s);
}

} // namespace

//   manager with a warm pool of 2 demo kernels
//   ├── s-a    adopts a pre-started kernel
//   └── s-b    adopts the second (or starts its own)
TEST_CASE_METHOD(actor_fixture, "pre-started kernels are adopted, refilled and reaped on close",
                 "[session][pool]") {
  session_manager_config cfg;
  cfg.path = "/t/sessions";
  cfg.kernels["default"].command = {demo_kernel};
  cfg.kernels["default"].prestart = 2;
  auto manager = spawn_session_manager(*sys, cfg, io);
  for (int i = 0; i < 3; ++i) {
    auto info = ask<session_info>(manager, create_atom::value, session_request{});
    REQUIRE(info);
    auto dist = *ask<caf::actor>(manager, get_child_atom::value, info->id);
    caf::scoped_actor client{*sys};
    attach(client, dist);
    input(client, dist, "upper warm");
    client_view v;
    REQUIRE(receive_until(client, dist, v, [](auto& x) { return !x.lines.empty(); }));
    CHECK(v.lines.front().data == "WARM");
    CHECK(v.lines.front().seq == 1); // nothing the kernel did before adoption leaks in
  }
  (*self)->send_exit(manager, caf::exit_reason::user_shutdown);
  CHECK(wait_down(manager) == caf::exit_reason::user_shutdown);
  drain_loop(io); // the pool's close ran: pooled kernels were killed and reaped
  CHECK(demo_kernels_alive() == 0);
}
