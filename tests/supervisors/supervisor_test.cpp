// Restart strategies, restart types, intensity and escalation.
#include "supervisors/test_workers.hpp"

#include <atomic>
#include <functional>

using namespace arbor;
using namespace arbor::test;

namespace {

supervisor_spec three_workers(strategy strat, std::shared_ptr<recorder> rec) {
  supervisor_spec spec;
  spec.name = "t";
  spec.strat = strat;
  spec.max_restarts = 5;
  for (auto id : {"a", "b", "c"})
    spec.children.push_back(test_worker(id, rec));
  return spec;
}

} // namespace

//   t (one_for_one)
//   ├── a
//   ├── b   ← crashes
//   └── c
TEST_CASE("one_for_one restarts only the crashed child", "[supervisor][restart]") {
  fixture f;
  auto sup = f.spawn(three_workers(strategy::one_for_one, f.rec));
  f.require_ready(sup);
  auto a = f.child(sup, "a");
  auto c = f.child(sup, "c");
  (*f.self)->send(f.child(sup, "b"), crash_atom::value);
  REQUIRE(f.rec->wait_for("start:b", 2));
  f.require_ready(sup);
  CHECK(f.child(sup, "a") == a);
  CHECK(f.child(sup, "c") == c);
  CHECK(f.ask<ok_atom>(f.child(sup, "b"), ping_atom::value));
  CHECK(f.rec->with_prefix("stop:").empty());
  auto exited = f.log.events("child_exited", "b");
  REQUIRE(exited.size() == 1);
  CHECK(exited[0]["reason"] == "exit_code:1");
  CHECK(exited[0]["level"] == "warn");
  CHECK(f.log.events("child_restarted", "b").size() == 1);
  CHECK(is_clean_exit(f.stop(sup)));
}

//   t (one_for_all)
//   ├── a   stopped, restarted
//   ├── b   ← crashes
//   └── c   stopped first, restarted last
TEST_CASE("one_for_all stops the others in reverse order and restarts all in order",
          "[supervisor][restart]") {
  fixture f;
  auto sup = f.spawn(three_workers(strategy::one_for_all, f.rec));
  f.require_ready(sup);
  (*f.self)->send(f.child(sup, "b"), crash_atom::value);
  REQUIRE(f.rec->wait_for("start:c", 2));
  f.require_ready(sup);
  auto events = f.rec->events();
  std::vector<std::string> after_crash(events.begin() + 3, events.end());
  CHECK(after_crash ==
        std::vector<std::string>{"stop:c", "stop:a", "start:a", "start:b", "start:c"});
  CHECK(is_clean_exit(f.stop(sup)));
}

//   t (rest_for_one)
//   ├── a   untouched
//   ├── b   ← crashes
//   └── c   stopped, restarted after b
TEST_CASE("rest_for_one restarts the crashed child and those started after it",
          "[supervisor][restart]") {
  fixture f;
  auto sup = f.spawn(three_workers(strategy::rest_for_one, f.rec));
  f.require_ready(sup);
  auto a = f.child(sup, "a");
  (*f.self)->send(f.child(sup, "b"), crash_atom::value);
  REQUIRE(f.rec->wait_for("start:c", 2));
  f.require_ready(sup);
  auto events = f.rec->events();
  std::vector<std::string> after_crash(events.begin() + 3, events.end());
  CHECK(after_crash == std::vector<std::string>{"stop:c", "start:b", "start:c"});
  CHECK(f.child(sup, "a") == a);
  CHECK(is_clean_exit(f.stop(sup)));
}

//   t (one_for_one)
//   ├── p  permanent   finishes normally → restarted
//   ├── tr transient   finishes normally → stays stopped; crashes → restarted
//   └── tm temporary   crashes → removed
TEST_CASE("restart types decide who comes back", "[supervisor][restart]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.max_restarts = 10;
  spec.children = {test_worker("p", f.rec, restart_type::permanent),
                   test_worker("tr", f.rec, restart_type::transient),
                   test_worker("tm", f.rec, restart_type::temporary)};
  auto sup = f.spawn(spec);
  f.require_ready(sup);

  SECTION("permanent: even a normal exit is restarted") {
    (*f.self)->send(f.child(sup, "p"), finish_atom::value);
    REQUIRE(f.rec->wait_for("start:p", 2));
  }
  SECTION("transient: a normal exit is final") {
    auto tr = f.child(sup, "tr");
    (*f.self)->send(tr, finish_atom::value);
    REQUIRE(f.log.wait_for("child_exited", "tr"));
    auto kids = f.ask<std::vector<child_info>>(sup, which_children_atom::value);
    REQUIRE(kids);
    REQUIRE(kids->size() == 3);
    CHECK(kids->at(1).state == child_state::stopped);
    CHECK(f.log.events("child_exited", "tr").at(0)["level"] == "info");
    CHECK(f.log.events("child_restarted", "tr").empty());
  }
  SECTION("transient: a crash is restarted") {
    (*f.self)->send(f.child(sup, "tr"), crash_atom::value);
    REQUIRE(f.rec->wait_for("start:tr", 2));
  }
  SECTION("temporary: a crash removes the child") {
    auto tm = f.child(sup, "tm");
    (*f.self)->send(tm, crash_atom::value);
    REQUIRE(f.log.wait_for("child_exited", "tm"));
    auto counts = f.ask<child_counts>(sup, count_children_atom::value);
    REQUIRE(counts);
    CHECK(counts->specs == 2);
    CHECK(f.rec->with_prefix("start:tm").size() == 1);
  }
  CHECK(is_clean_exit(f.stop(sup)));
}

//   root (one_for_one, max_restarts 1)
//   └── mid (one_for_one, max_restarts 0)
//       └── w   ← crashes, twice
TEST_CASE("exceeded intensity escalates two levels up", "[supervisor][restart]") {
  fixture f;
  supervisor_spec mid;
  mid.name = "mid";
  mid.max_restarts = 0;
  mid.children = {test_worker("w", f.rec)};
  supervisor_spec root;
  root.name = "root";
  root.max_restarts = 1;
  root.period = std::chrono::milliseconds(60000);
  root.children = {supervisor_child("mid", mid)};
  auto sup = f.spawn(root, "/root");
  f.require_ready(sup);
  auto mid_sup = f.child(sup, "mid");
  (*f.self)->send(f.ask<caf::actor>(mid_sup, get_child_atom::value, std::string{"w"}).value(),
                  crash_atom::value);
  REQUIRE(f.rec->wait_for("start:w", 2)); // root restarted mid, mid started w again
  f.require_ready(sup);
  mid_sup = f.child(sup, "mid");
  (*f.self)->send(f.ask<caf::actor>(mid_sup, get_child_atom::value, std::string{"w"}).value(),
                  crash_atom::value);
  auto reason = f.wait_down(sup);
  CHECK(is(reason, errc::restart_intensity_exceeded));
  auto exceeded = f.log.events("restart_intensity_exceeded");
  REQUIRE(exceeded.size() == 3); // mid twice, then root
  CHECK(exceeded[0]["supervisor"] == "/root/mid");
  CHECK(exceeded[0]["child"] == "w"); // the child whose restart was one too many
  CHECK(exceeded[2]["supervisor"] == "/root");
  CHECK(exceeded[2]["child"] == "mid");
  CHECK(exceeded[2]["level"] == "error");
  // mid's failure was logged once by root, as a child exit with that reason.
  auto mid_exits = f.log.events("child_exited", "mid");
  REQUIRE(mid_exits.size() == 2);
  CHECK(mid_exits[0]["reason"] == "restart_intensity_exceeded");
}

namespace {

/// `w` (test_worker) whose factory throws on the attempts `fails` says.
child_spec flaky_worker(std::shared_ptr<recorder> rec, std::shared_ptr<std::atomic<int>> attempts,
                        std::function<bool(int)> fails) {
  auto w = test_worker("w", std::move(rec));
  w.start = [start = w.start, attempts, fails](child_context& ctx) -> caf::expected<caf::actor> {
    if (fails(++*attempts))
      throw std::runtime_error("port in use");
    return start(ctx);
  };
  return w;
}

/// `id` cannot start, with "port in use": its factory throws, or (`throws`
/// false) the child answers its ready request with that error.
child_spec fails_to_start(std::string id, bool throws) {
  child_spec spec;
  spec.id = std::move(id);
  spec.await_ready = true;
  spec.start = [throws](child_context& ctx) -> caf::expected<caf::actor> {
    if (throws)
      throw std::runtime_error("port in use");
    return spawn_worker(ctx.system, [](worker_actor*) -> caf::behavior {
      return {[](ready_atom) -> caf::result<ok_atom> {
        return make_error(errc::start_failed, "port in use");
      }};
    });
  };
  return spec;
}

/// t (one_for_one, `max_restarts`) over one flaky_worker, started; then w is
/// crashed. Returns t.
caf::actor crash_flaky(fixture& f, uint32_t max_restarts,
                       std::shared_ptr<std::atomic<int>> attempts, std::function<bool(int)> fails) {
  supervisor_spec spec;
  spec.name = "t";
  spec.max_restarts = max_restarts;
  spec.children = {flaky_worker(f.rec, std::move(attempts), std::move(fails))};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  (*f.self)->send(f.child(sup, "w"), crash_atom::value);
  return sup;
}

} // namespace

//   t (one_for_one, max_restarts 5)
//   └── w   crashes; the first restart's factory throws, the retry (a message
//           to self) starts it
TEST_CASE("a failed restart is retried by a message to self and counted", "[supervisor][restart]") {
  fixture f;
  auto attempts = std::make_shared<std::atomic<int>>(0);
  auto sup = crash_flaky(f, 5, attempts, [](int n) { return n == 2; });
  REQUIRE(f.rec->wait_for("start:w", 2));
  f.require_ready(sup);
  CHECK(*attempts == 3);
  CHECK(f.ask<ok_atom>(f.child(sup, "w"), ping_atom::value));
  auto failed = f.log.events("child_start_failed", "w");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["reason"] == "start_failed:port in use");
  auto restarted = f.log.events("child_restarted", "w");
  REQUIRE(restarted.size() == 2); // the failed attempt, then the retry
  CHECK(restarted[0]["restarts"] == 1);
  CHECK(restarted[1]["restarts"] == 2);
  CHECK(is_clean_exit(f.stop(sup)));
}

//   t (one_for_one, max_restarts 3)
//   └── w   crashes; every restart's factory throws → intensity exceeded
TEST_CASE("restarts that keep failing exceed the intensity and escalate", "[supervisor][restart]") {
  fixture f;
  auto attempts = std::make_shared<std::atomic<int>>(0);
  auto sup = crash_flaky(f, 3, attempts, [](int n) { return n > 1; });
  CHECK(is(f.wait_down(sup), errc::restart_intensity_exceeded));
  CHECK(*attempts == 1 + 3); // the first start, then max_restarts attempts
  CHECK(f.log.events("child_start_failed", "w").size() == 3);
  CHECK(f.log.events("restart_intensity_exceeded").size() == 1);
}

//   t (one_for_one)
//   ├── a  started
//   ├── b  started
//   └── c  ← factory throws
TEST_CASE("a failed start stops the started siblings in reverse order and names the child",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {test_worker("a", f.rec), test_worker("b", f.rec), fails_to_start("c", true)};
  auto sup = f.spawn(spec);
  auto reason = f.wait_down(sup);
  CHECK(is(reason, errc::start_failed));
  CHECK(describe(reason) == "start_failed:c: start_failed:port in use");
  CHECK(f.rec->events() == std::vector<std::string>{"start:a", "start:b", "stop:b", "stop:a"});
  CHECK(f.log.events("child_start_failed", "c").size() == 1);
}

namespace {

/// Records "stop:<id>" when its exit message comes and ends 100 ms later (a
/// timer), recording "stopped:<id>": a child whose stop takes a while.
child_spec slow_stopper(std::string id, std::shared_ptr<recorder> rec) {
  auto spec = test_worker(id, rec);
  spec.start = [id, rec](child_context& ctx) -> caf::expected<caf::actor> {
    rec->add("start:" + id);
    return spawn_worker(ctx.system, [id, rec](worker_actor* self) -> caf::behavior {
      self->set_exit_handler([self, id, rec](caf::exit_msg&) {
        rec->add("stop:" + id);
        self->delayed_send(self, std::chrono::milliseconds(100), finish_atom::value);
      });
      return {[self, id, rec](finish_atom) {
        rec->add("stopped:" + id);
        self->quit(caf::exit_reason::user_shutdown);
      }};
    });
  };
  return spec;
}

} // namespace

//   root (one_for_one)
//   └── mid (one_for_one)   its start fails: mid rolls back, then root
//       ├── a  started
//       ├── b  started, takes 100 ms to stop
//       └── c  throws in its factory (mid fails at once, while it is spawned),
//              or answers its ready request with an error (mid fails later)
TEST_CASE("a nested supervisor whose start fails stops its started children in reverse order",
          "[supervisor][shutdown]") {
  bool throws = GENERATE(true, false);
  CAPTURE(throws);
  fixture f;
  supervisor_spec mid;
  mid.name = "mid";
  mid.children = {test_worker("a", f.rec), slow_stopper("b", f.rec), fails_to_start("c", throws)};
  supervisor_spec root;
  root.name = "root";
  root.children = {supervisor_child("mid", mid)};
  auto sup = f.spawn(root, "/root");
  auto reason = f.wait_down(sup);
  CHECK(describe(reason) == "start_failed:mid: start_failed:c: start_failed:port in use");
  // mid stopped b and a itself (exit messages, in reverse order, each awaited), not killed.
  CHECK(f.rec->events() ==
        std::vector<std::string>{"start:a", "start:b", "stop:b", "stopped:b", "stop:a"});
  auto stopped = f.log.events("child_stopped");
  REQUIRE(stopped.size() == 2);
  CHECK(stopped[0]["supervisor"] == "/root/mid");
  CHECK(stopped[0]["child"] == "b");
  CHECK(stopped[1]["child"] == "a");
  CHECK(f.log.events("child_killed").empty());
  CHECK(f.log.events("child_start_failed", "mid").size() == 1);
}

//   t (one_for_one)
//   ├── a      started, then stopped again
//   └── slow   takes its ready request and never answers (start_timeout 200 ms)
TEST_CASE("a child that misses its start deadline fails the start", "[supervisor]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  auto slow = test_worker("slow", f.rec);
  slow.await_ready = true;
  slow.start_timeout = std::chrono::milliseconds(200);
  slow.start = [](child_context& ctx) -> caf::expected<caf::actor> {
    // Takes the ready request and never answers it.
    return spawn_worker(ctx.system, [](worker_actor* self) -> caf::behavior {
      return {[self](ready_atom) {
        auto never = self->make_response_promise<ok_atom>();
        return never;
      }};
    });
  };
  spec.children = {test_worker("a", f.rec), slow};
  auto sup = f.spawn(spec);
  auto reason = f.wait_down(sup);
  CHECK(describe(reason) == "start_failed:slow: start_timeout:no ready reply");
  CHECK(f.rec->events().front() == "start:a");
  CHECK(f.rec->wait_for("stop:a"));
}

//   t (one_for_one)
//   ├── a
//   └── b   ← crashes once, is restarted; then t is told to stop
TEST_CASE("a crash, its restart and the stop are logged once each, in order, with their fields",
          "[supervisor][supervisor_log]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.max_restarts = 5;
  spec.children = {test_worker("a", f.rec), test_worker("b", f.rec)};
  auto sup = f.spawn(spec, "/t");
  f.require_ready(sup);
  (*f.self)->send(f.child(sup, "b"), crash_atom::value);
  REQUIRE(f.rec->wait_for("start:b", 2));
  f.require_ready(sup);
  CHECK(is_clean_exit(f.stop(sup)));
  auto events = f.log.events();
  std::vector<std::string> seen;
  for (auto& ev : events) {
    CHECK(ev["v"] == 1);
    CHECK(ev["node"] == "test");
    CHECK(ev["supervisor"] == "/t");
    CHECK(ev["ts"].is_string());
    auto child = ev.contains("child") ? std::string{ev["child"].as_string()} : std::string{};
    seen.push_back(std::string{ev["event"].as_string()} + ":" + child);
  }
  REQUIRE(seen == std::vector<std::string>{"child_started:a", "child_started:b", "child_exited:b",
                                           "child_restarted:b", "child_started:b",
                                           "shutdown_started:", "child_stopped:b",
                                           "child_stopped:a", "shutdown_completed:"});
  // The crash: once, as a warning with its reason and the count before the restart.
  CHECK(events[2]["level"] == "warn");
  CHECK(events[2]["reason"] == "exit_code:1");
  CHECK(events[2]["restarts"] == 0);
  CHECK(events[3]["level"] == "info");
  CHECK(events[3]["restarts"] == 1);
  CHECK(events[4]["restarts"] == 1);
  CHECK(events[5]["reason"] == "shutdown");
  for (size_t i : {6, 7}) {
    CHECK(events[i]["level"] == "info");
    CHECK(events[i]["reason"] == "shutdown");
    CHECK(events[i]["duration_ms"].is_int64());
  }
  CHECK(events[8]["level"] == "info");
  CHECK(events[8]["reason"] == "shutdown");
  CHECK(events[8]["duration_ms"].as_int64() >= 0);
}
