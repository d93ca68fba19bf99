// Ordered shutdown, deadlines, stall reports, kills and idempotence.
#include "supervisors/test_workers.hpp"

using namespace arbor;
using namespace arbor::test;

namespace {

/// A supervisor `name` with one child that ignores its exit (deadline 60 s).
supervisor_spec with_stubborn_child(const fixture& f, std::string name,
                                    std::chrono::milliseconds hurry_deadline) {
  supervisor_spec spec;
  spec.name = std::move(name);
  spec.hurry_deadline = hurry_deadline;
  auto stubborn = test_worker("stubborn", f.rec, restart_type::permanent, on_exit_do::ignore);
  stubborn.shutdown = shutdown_policy::deadline(std::chrono::milliseconds(60000));
  spec.children = {stubborn};
  return spec;
}

} // namespace

//   t (one_for_one)
//   ├── w0 … w9   stopped w9 first, w0 last
TEST_CASE("shutdown stops children in reverse start order and logs each step",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i)
    spec.children.push_back(test_worker("w" + std::to_string(i), f.rec));
  for (int i = 9; i >= 0; --i)
    expected.push_back("stop:w" + std::to_string(i));
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  auto reason = f.stop(sup);
  CHECK(describe(reason) == "shutdown");
  CHECK(f.rec->with_prefix("stop:") == expected);
  auto names = f.log.names("/t");
  REQUIRE(names.size() == 10 + 1 + 10 + 1);
  CHECK(names[10] == "shutdown_started");
  CHECK(names.back() == "shutdown_completed");
  auto stopped = f.log.events("child_stopped");
  REQUIRE(stopped.size() == 10);
  CHECK(stopped.front()["child"] == "w9");
  CHECK(stopped.back()["child"] == "w0");
  auto done = f.log.events("shutdown_completed").at(0);
  CHECK(done["duration_ms"].is_int64());
  CHECK(done["level"] == "info");
}

//   t (one_for_one)
//   ├── ok
//   └── stubborn   traps exit(shutdown) and never quits → killed at 150 ms
TEST_CASE("a child that ignores its exit is killed at its deadline after a stall report",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  auto stubborn = test_worker("stubborn", f.rec, restart_type::permanent, on_exit_do::ignore);
  stubborn.shutdown = shutdown_policy::deadline(std::chrono::milliseconds(150));
  spec.children = {test_worker("ok", f.rec), stubborn};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  auto reason = f.stop(sup);
  CHECK(describe(reason) == "shutdown");
  CHECK(f.rec->events() ==
        std::vector<std::string>{"start:ok", "start:stubborn", "ignored:stubborn", "stop:ok"});
  auto stalled = f.log.events("shutdown_stalled");
  REQUIRE(stalled.size() == 1);
  CHECK(stalled[0]["child"] == "stubborn");
  CHECK(stalled[0]["deadline"] == "150ms");
  auto alive = stalled[0]["alive"].as_array();
  REQUIRE(alive.size() == 2);
  CHECK(alive[0].as_object().at("path") == "/t/ok");
  CHECK(alive[1].as_object().at("path") == "/t/stubborn");
  CHECK(alive[1].as_object().at("state") == "stopping");
  CHECK(alive[1].as_object().contains("mailbox"));
  CHECK(alive[1].as_object().at("idle_ms").as_int64() >= 0);
  auto killed = f.log.events("child_killed", "stubborn");
  REQUIRE(killed.size() == 1);
  CHECK(killed[0]["level"] == "error");
  // From its exit to its down message: the deadline, then the kill at once.
  auto took = f.log.events("child_stopped", "stubborn").at(0)["duration_ms"].as_int64();
  CHECK(took >= 150);
  CHECK(took < 150 + 1000);
  auto names = f.log.names("/t");
  auto pos = [&](const std::string& n) { return std::find(names.begin(), names.end(), n); };
  CHECK(pos("shutdown_stalled") < pos("child_killed"));
  CHECK(pos("child_killed") < pos("shutdown_completed"));
}

//   t (one_for_one)   three exit(shutdown) in a row
//   ├── a
//   └── b
TEST_CASE("shutdown is idempotent: repeated stop requests change nothing",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {test_worker("a", f.rec), test_worker("b", f.rec)};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  for (int i = 0; i < 3; ++i)
    (*f.self)->send_exit(sup, caf::exit_reason::user_shutdown);
  CHECK(describe(f.wait_down(sup)) == "shutdown");
  CHECK(f.log.events("shutdown_started").size() == 1);
  CHECK(f.log.events("shutdown_completed").size() == 1);
  CHECK(f.rec->with_prefix("stop:") == std::vector<std::string>{"stop:b", "stop:a"});
}

//   t (one_for_one)   stopped, then hurried (hurry deadline 50 ms)
//   └── stubborn      ignores its exit; 60 s deadline, killed at the hurry's
TEST_CASE("hurry shortens a long deadline", "[supervisor][shutdown]") {
  fixture f;
  auto sup = f.spawn(with_stubborn_child(f, "t", std::chrono::milliseconds(50)));
  f.require_ready(sup);
  (*f.self)->send_exit(sup, caf::exit_reason::user_shutdown);
  REQUIRE(f.rec->wait_for("ignored:stubborn"));
  (*f.self)->send(sup, hurry_atom::value);
  auto reason = f.wait_down(sup, std::chrono::seconds(10));
  CHECK(describe(reason) == "shutdown");
  CHECK(f.log.events("child_killed", "stubborn").size() == 1);
}

//   t (one_for_one), killed
//   └── a   must not outlive t
TEST_CASE("killing a supervisor kills its children", "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {test_worker("a", f.rec)};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  auto a = f.child(sup, "a");
  (*f.self)->send_exit(sup, caf::exit_reason::kill);
  CHECK(describe(f.wait_down(a)) == "killed");
}

//   t (one_for_one, auto_shutdown any_significant)
//   ├── helper
//   └── main   transient, significant: its normal exit ends t
TEST_CASE("a significant child's end shuts the supervisor down", "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.auto_stop = auto_shutdown::any_significant;
  auto main_child = test_worker("main", f.rec, restart_type::transient);
  main_child.significant = true;
  spec.children = {test_worker("helper", f.rec), main_child};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  (*f.self)->send(f.child(sup, "main"), finish_atom::value);
  CHECK(describe(f.wait_down(sup)) == "shutdown");
  CHECK(f.rec->wait_for("stop:helper"));
  CHECK(f.log.events("shutdown_started").size() == 1);
}

//   chain (rest_for_one)
//   ├── l1
//   ├── l2   its teardown fails (ends with io_error)
//   └── l3
TEST_CASE("a failing teardown does not stop the others and surfaces after all ran",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "chain";
  spec.strat = strategy::rest_for_one;
  spec.children = {test_worker("l1", f.rec), test_worker("l2", f.rec), test_worker("l3", f.rec)};
  spec.children[1].start = [rec = f.rec](child_context& ctx) -> caf::expected<caf::actor> {
    rec->add("start:l2");
    return spawn_worker(ctx.system, [rec](worker_actor* self) -> caf::behavior {
      self->set_exit_handler([self, rec](caf::exit_msg&) {
        rec->add("stop:l2");
        self->quit(make_error(errc::io_error, "flush failed"));
      });
      return {[](ping_atom) {}};
    });
  };
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  auto reason = f.stop(sup);
  CHECK(describe(reason) == "io_error:flush failed");
  CHECK(f.rec->with_prefix("stop:") == std::vector<std::string>{"stop:l3", "stop:l2", "stop:l1"});
  CHECK(f.log.events("child_stopped", "l2").at(0)["level"] == "warn");
}

//   chain (rest_for_one)   exit(shutdown) arrives while l2 starts
//   ├── l1   ready
//   ├── l2   never answers ready
//   └── l3   never started
TEST_CASE("an exit during the start chain tears down what started and propagates",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "chain";
  spec.strat = strategy::rest_for_one;
  auto hanging = test_worker("l2", f.rec);
  hanging.await_ready = true;
  hanging.start_timeout = std::chrono::milliseconds(60000);
  hanging.start = [rec = f.rec](child_context& ctx) -> caf::expected<caf::actor> {
    rec->add("start:l2");
    return spawn_worker(ctx.system, [rec](worker_actor* self) -> caf::behavior {
      self->set_exit_handler([self, rec](caf::exit_msg& msg) {
        rec->add("stop:l2");
        self->quit(msg.reason);
      });
      return {[self](ready_atom) { return self->make_response_promise<ok_atom>(); }};
    });
  };
  spec.children = {test_worker("l1", f.rec), hanging, test_worker("l3", f.rec)};
  auto sup = f.spawn(spec);
  REQUIRE(f.rec->wait_for("start:l2"));
  (*f.self)->send_exit(sup, caf::exit_reason::user_shutdown);
  CHECK(describe(f.wait_down(sup)) == "shutdown");
  CHECK(f.rec->events() == std::vector<std::string>{"start:l1", "start:l2", "stop:l2", "stop:l1"});
}

//   big (one_for_one)
//   ├── w0 … w19999   started in order without recursion, stopped in reverse
TEST_CASE("a tree of 20,000 static children starts and stops in order", "[supervisor][slow]") {
  fixture f;
  constexpr int n = 20000;
  auto order = std::make_shared<std::vector<int>>();
  order->reserve(n);
  supervisor_spec spec;
  spec.name = "big";
  for (int i = 0; i < n; ++i) {
    child_spec c;
    c.id = "w" + std::to_string(i);
    c.start = [order, i](child_context& ctx) -> caf::expected<caf::actor> {
      return spawn_worker(ctx.system, [order, i](worker_actor* self) -> caf::behavior {
        self->set_exit_handler([self, order, i](caf::exit_msg& msg) {
          order->push_back(i); // children stop one at a time: no concurrent push
          self->quit(msg.reason);
        });
        return {[](ping_atom) {}};
      });
    };
    spec.children.push_back(std::move(c));
  }
  auto sup = f.spawn(spec, "/big");
  f.require_ready(sup);
  CHECK(f.ask<child_counts>(sup, count_children_atom::value)->active == n);
  CHECK(describe(f.stop(sup)) == "shutdown");
  REQUIRE(order->size() == n);
  bool reverse = true;
  for (int i = 0; i < n; ++i)
    reverse = reverse && (*order)[i] == n - 1 - i;
  CHECK(reverse);
}

namespace {

/// Starts `children` dynamic children, stops their supervisor; its exit reason.
caf::error stop_many(fixture& f, on_exit_do exit_mode, std::chrono::milliseconds deadline,
                     int children) {
  supervisor_spec spec;
  spec.name = "many";
  spec.strat = strategy::dynamic;
  auto tmpl = test_worker("s", f.rec, restart_type::temporary, exit_mode);
  tmpl.shutdown = shutdown_policy::deadline(deadline);
  spec.children = {tmpl};
  auto sup = f.spawn(spec, "/many");
  f.require_ready(sup);
  for (int i = 0; i < children; ++i)
    REQUIRE(f.ask<caf::actor>(sup, start_child_atom::value, std::string{}, caf::message{}));
  return f.stop(sup);
}

} // namespace

//   many (dynamic)
//   ├── s-1 … s-3000   told to exit in batches of 64, all under one deadline
TEST_CASE("a dynamic supervisor stops thousands of children at once, each exactly once",
          "[supervisor][shutdown]") {
  fixture f;
  constexpr int n = 3000;
  CHECK(describe(stop_many(f, on_exit_do::stop, std::chrono::milliseconds(5000), n)) == "shutdown");
  CHECK(f.rec->with_prefix("stop:").size() == n);
  CHECK(f.log.events("child_stopped").size() == n);
  CHECK(f.log.events("shutdown_completed").size() == 1);
  CHECK(f.log.events("shutdown_stalled").empty());
  CHECK(f.log.events("child_killed").empty());
}

//   many (dynamic)
//   ├── s-1 … s-300   every one traps exit(shutdown) and never quits
//   → one deadline (600 ms) for all: one stall report listing all 300, 300 kills
TEST_CASE("stubborn dynamic children share one deadline and one stall report",
          "[supervisor][shutdown]") {
  fixture f;
  constexpr int n = 300;
  auto reason = stop_many(f, on_exit_do::ignore, std::chrono::milliseconds(600), n);
  CHECK(describe(reason) == "shutdown");
  CHECK(f.rec->with_prefix("ignored:").size() == n);
  CHECK(f.rec->with_prefix("stop:").empty()); // a kill runs no exit handler
  auto stalled = f.log.events("shutdown_stalled");
  REQUIRE(stalled.size() == 1);
  CHECK(stalled[0]["alive"].as_array().size() == n);
  CHECK(f.log.events("child_killed").size() == n);
  CHECK(f.log.events("child_abandoned").empty());
  auto names = f.log.names("/many");
  auto pos = [&](const std::string& e) { return std::find(names.begin(), names.end(), e); };
  CHECK(pos("shutdown_stalled") < pos("child_killed"));
}

//   t (one_for_one, hurry_deadline 60 s)
//   └── mid (supervisor, hurry_deadline 20 ms)
//       └── stubborn   ignores exit, deadline 60 s
// A hurry reaches the child supervisor, which kills its own stubborn child at
// its own (short) hurry deadline: mid stops cleanly, t never has to kill it.
TEST_CASE("hurry propagates to child supervisors", "[supervisor][shutdown]") {
  fixture f;
  auto mid = with_stubborn_child(f, "mid", std::chrono::milliseconds(20));
  supervisor_spec root;
  root.name = "t";
  root.hurry_deadline = std::chrono::milliseconds(60000);
  auto mid_child = supervisor_child("mid", mid);
  mid_child.shutdown = shutdown_policy::infinity();
  root.children = {mid_child};
  auto sup = f.spawn(root);
  f.require_ready(sup);
  (*f.self)->send_exit(sup, caf::exit_reason::user_shutdown);
  REQUIRE(f.rec->wait_for("ignored:stubborn"));
  (*f.self)->send(sup, hurry_atom::value);
  auto reason = f.wait_down(sup, std::chrono::seconds(30)); // well before t's own hurry deadline
  CHECK(describe(reason) == "shutdown");
  auto killed = f.log.events("child_killed", "stubborn");
  REQUIRE(killed.size() == 1);
  CHECK(killed[0]["supervisor"] == "/t/mid");
  CHECK(f.log.events("child_killed", "mid").empty());
  auto stopped = f.log.events("child_stopped", "mid");
  REQUIRE(stopped.size() == 1);
  CHECK(stopped[0]["supervisor"] == "/t");
}
