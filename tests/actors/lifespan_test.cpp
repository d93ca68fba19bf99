// Lifespans: ordered start with readiness rules, reverse stop, rollback on a
// failed start, and an exit while a lifespan is still starting.
//
//   /t/lifespans        rest_for_one
//   ├── banner          process, ready on a stdout line matching "READY"
//   ├── port            process, ready once 127.0.0.1:<port> accepts
//   └── inproc          in-process actor answering ready_atom
#include "actor_fixture.hpp"
#include "actors/lifespan.hpp"
#include "supervisors/probe.hpp"
#include "supervisors/supervisor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace arbor;
using namespace arbor::test;

namespace {

lifespan_spec banner(const std::string& name) {
  lifespan_spec ls;
  ls.name = name;
  ls.process.command = {"/bin/sh", "-c", "echo booting; echo READY now; exec sleep 60"};
  ls.ready_line = "^READY";
  return ls;
}

/// A free port on 127.0.0.1 (bound and released; the lifespan binds it next).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

lifespan_spec port_service(const std::string& name, uint16_t port) {
  lifespan_spec ls;
  ls.name = name;
  ls.process.command = {"python3", "-c",
                        "import socket,time\n"
                        "time.sleep(0.2)\n"
                        "s=socket.socket(); s.bind(('127.0.0.1'," +
                            std::to_string(port) +
                            "))\n"
                            "s.listen(); time.sleep(60)"};
  ls.ready_port = port;
  return ls;
}

lifespan_spec in_process(const std::string& name) {
  lifespan_spec ls;
  ls.name = name;
  child_spec c;
  c.await_ready = true;
  c.start = [](child_context& ctx) -> caf::expected<caf::actor> {
    return spawn_worker(ctx.system, [](worker_actor*) -> caf::behavior {
      return {[](ready_atom) { return ok_atom::value; }};
    });
  };
  ls.actor = c;
  return ls;
}

std::vector<std::string> children_of(log_capture& log, const std::string& event) {
  std::vector<std::string> ids;
  for (auto& ev : log.events(event))
    ids.push_back(std::string{ev.at("child").as_string()});
  return ids;
}

} // namespace

TEST_CASE_METHOD(actor_fixture, "lifespans start in order by their rules and stop in reverse",
                 "[lifespan][shutdown]") {
  auto spec = lifespans_spec(
      {banner("banner"), port_service("port", free_port()), in_process("inproc")}, io);
  auto sup = start_supervisor(*sys, spec, "/t/lifespans", 60s, 20s);
  REQUIRE(sup);
  CHECK(children_of(log, "child_started") == std::vector<std::string>{"banner", "port", "inproc"});
  (*self)->send_exit(*sup, caf::exit_reason::user_shutdown);
  CHECK(wait_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(children_of(log, "child_stopped") == std::vector<std::string>{"inproc", "port", "banner"});
}

TEST_CASE_METHOD(actor_fixture, "a lifespan that misses its start deadline rolls back the others",
                 "[lifespan]") {
  auto late = banner("late");
  late.process.command = {"/bin/sh", "-c", "exec sleep 60"}; // never prints READY
  late.start_timeout = 300ms;
  auto spec = lifespans_spec({banner("first"), late, in_process("never")}, io);
  auto sup = start_supervisor(*sys, spec, "/t/lifespans", 60s, 20s);
  REQUIRE_FALSE(sup);
  CHECK(describe(sup.error()).find("late") != std::string::npos);
  CHECK(children_of(log, "child_started") == std::vector<std::string>{"first"});
  CHECK(children_of(log, "child_start_failed") == std::vector<std::string>{"late"});
  CHECK(children_of(log, "child_stopped") == std::vector<std::string>{"first"});
}

TEST_CASE_METHOD(actor_fixture, "a lifespan whose process exits before ready fails the start",
                 "[lifespan]") {
  auto dying = banner("dying");
  dying.process.command = {"/bin/sh", "-c", "echo not yet; exit 4"};
  auto sup = start_supervisor(*sys, lifespans_spec({dying}, io), "/t/lifespans", 60s, 20s);
  REQUIRE_FALSE(sup);
  CHECK(describe(sup.error()).find("exit_code:4") != std::string::npos);
}

TEST_CASE_METHOD(actor_fixture, "an exit during starting aborts the start and still propagates",
                 "[lifespan][shutdown]") {
  auto slow = banner("slow");
  slow.process.command = {"/bin/sh", "-c", "exec sleep 60"};
  slow.start_timeout = 30s;
  auto sup = spawn_supervisor(*sys, lifespans_spec({banner("first"), slow}, io), "/t/lifespans");
  REQUIRE(sup);
  // Once "first" is up, "slow" is starting: stop the whole set now.
  REQUIRE(log.wait_for("child_started", "first", 10s));
  (*self)->send_exit(*sup, caf::exit_reason::user_shutdown);
  CHECK(wait_down(*sup, 10s) == caf::exit_reason::user_shutdown); // far below the 30 s
  CHECK(children_of(log, "child_started") == std::vector<std::string>{"first"});
}

//   /t/lifespans   rest_for_one, no lifespans at all
TEST_CASE_METHOD(actor_fixture, "an empty chain of lifespans starts and stops and does nothing",
                 "[lifespan]") {
  auto sup = start_supervisor(*sys, lifespans_spec({}, io), "/t/lifespans", 60s, 20s);
  REQUIRE(sup);
  CHECK(ask<child_counts>(*sup, count_children_atom::value)->specs == 0);
  (*self)->send_exit(*sup, caf::exit_reason::user_shutdown);
  CHECK(wait_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(log.names("/t/lifespans") ==
        std::vector<std::string>{"shutdown_started", "shutdown_completed"});
}

//   /t/lifespans   rest_for_one
//   ├── first      stops cleanly
//   ├── failing    exits 3 when told to stop: its teardown fails
//   └── last       stops cleanly
TEST_CASE_METHOD(actor_fixture,
                 "a lifespan whose teardown fails does not stop the others, and its error "
                 "surfaces after all ran",
                 "[lifespan][shutdown]") {
  auto failing = banner("failing");
  // Exits 3 on SIGTERM at once (a shell's trap would wait for its `sleep`).
  failing.process.command = {"python3", "-c",
                             "import signal, sys\n"
                             "signal.signal(signal.SIGTERM, lambda *a: sys.exit(3))\n"
                             "print('READY', flush=True)\n"
                             "while True: signal.pause()"};
  auto spec = lifespans_spec({banner("first"), failing, banner("last")}, io);
  auto sup = start_supervisor(*sys, spec, "/t/lifespans", 60s, 20s);
  REQUIRE(sup);
  (*self)->send_exit(*sup, caf::exit_reason::user_shutdown);
  CHECK(describe(wait_down(*sup)) == "exit_code:3");
  CHECK(children_of(log, "child_stopped") == std::vector<std::string>{"last", "failing", "first"});
  auto failed = log.events("child_stopped", "failing");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["level"] == "warn");
  CHECK(failed[0]["reason"] == "exit_code:3");
  CHECK(log.events("child_stopped", "first")[0]["reason"] == "shutdown");
  auto completed = log.events("shutdown_completed");
  REQUIRE(completed.size() == 1);
  CHECK(completed[0]["reason"] == "exit_code:3");
  CHECK(completed[0]["level"] == "warn");
}
