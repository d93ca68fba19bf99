// Task helpers: spawn_task, fire_and_forget, stop_and_wait, stop_sync.
#include "supervisors/tasks.hpp"
#include "supervisors/test_workers.hpp"

#include <future>
#include <thread>

using namespace arbor;
using namespace arbor::test;
using std::chrono::milliseconds;

namespace {

constexpr auto wait_limit = std::chrono::seconds(10);

struct task_fixture : fixture {
  caf::actor tasks = spawn_task_supervisor(*sys, "/app/tasks", milliseconds(2000));

  ~task_fixture() {
    (*self)->send_exit(tasks, caf::exit_reason::user_shutdown);
    wait_down(tasks);
  }

  uint32_t owned() { return ask<child_counts>(tasks, count_children_atom::value)->active; }
};

// A task body that runs until asked to stop.
caf::expected<caf::message> until_stopped(task_context& ctx) {
  while (!ctx.stop_requested())
    std::this_thread::sleep_for(milliseconds(1)); // the task's own pacing, not a test wait
  return caf::make_message(std::string{"stopped"});
}

} // namespace

//   tasks
//   └── answer   returns 42
TEST_CASE("a task's result reaches the caller and the owner forgets it", "[tasks]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "answer", [](task_context&) -> caf::expected<caf::message> {
    return caf::make_message(42);
  });
  REQUIRE(task);
  auto result = task->wait(wait_limit);
  REQUIRE(result);
  CHECK(result->get_as<int>(0) == 42);
  CHECK(f.owned() == 0);
  CHECK(f.log.events("task_failed").empty());
}

//   tasks
//   └── import-notebook   throws "boom"
TEST_CASE("a failing task reaches the caller and is logged once with its name", "[tasks]") {
  task_fixture f;
  auto task =
      spawn_task(*f.sys, "import-notebook", [](task_context&) -> caf::expected<caf::message> {
        throw std::runtime_error("boom");
      });
  REQUIRE(task);
  auto result = task->wait(wait_limit);
  REQUIRE_FALSE(result);
  CHECK(describe(result.error()) == "task_failed:boom");
  auto failed = f.log.events("task_failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["child"] == "import-notebook");
  CHECK(failed[0]["supervisor"] == "/app/tasks");
  CHECK(failed[0]["reason"] == "task_failed:boom");
  CHECK(f.owned() == 0);
}

//   tasks
//   └── cb   returns io_error "x"; opts.on_failure set
TEST_CASE("a failure callback gets the error exactly once and nothing is logged", "[tasks]") {
  task_fixture f;
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto seen = std::make_shared<std::string>();
  task_options opts;
  opts.on_failure = [calls, seen](const caf::error& err) {
    ++*calls;
    *seen = describe(err);
  };
  auto task = spawn_task(
      *f.sys, "cb",
      [](task_context&) -> caf::expected<caf::message> { return make_error(errc::io_error, "x"); },
      opts);
  REQUIRE(task);
  auto result = task->wait(wait_limit);
  REQUIRE_FALSE(result);
  CHECK(*calls == 1);
  CHECK(*seen == "io_error:x");
  CHECK(describe(result.error()) == *seen);
  CHECK(f.log.events("task_failed").empty());
}

//   tasks
//   ├── from-actor    fired by a handler of `caller`
//   └── from-thread   fired by a std::thread
TEST_CASE("fire_and_forget runs from inside an actor and from a plain thread", "[tasks]") {
  task_fixture f;
  auto report = [rec = f.rec](std::string what) {
    return [rec, what](task_context&) -> caf::expected<caf::message> {
      rec->add(what);
      return caf::message{};
    };
  };
  auto sys = f.sys.get();
  auto caller = spawn_worker(*sys, [sys, report](worker_actor*) -> caf::behavior {
    return {[sys, report](ping_atom) -> caf::result<ok_atom> {
      auto task = fire_and_forget(*sys, "from-actor", report("ran:actor"));
      if (!task)
        return task.error();
      if (!task->actor)
        return make_error(errc::not_found, "no task actor");
      return ok_atom::value;
    }};
  });
  CHECK(f.ask<ok_atom>(caller, ping_atom::value));
  std::thread plain{[&] { CHECK(fire_and_forget(*sys, "from-thread", report("ran:thread"))); }};
  plain.join();
  CHECK(f.rec->wait_for("ran:actor"));
  CHECK(f.rec->wait_for("ran:thread"));
  (*f.self)->send_exit(caller, caf::exit_reason::user_shutdown);
}

//   tasks   stopped first
//   └── (late)   never runs
TEST_CASE("with its task supervisor stopped, fire_and_forget runs nothing and says so", "[tasks]") {
  task_fixture f;
  (*f.self)->send_exit(f.tasks, caf::exit_reason::user_shutdown);
  f.wait_down(f.tasks);
  auto task =
      fire_and_forget(*f.sys, "late", [rec = f.rec](task_context&) -> caf::expected<caf::message> {
        rec->add("ran");
        return caf::message{};
      });
  REQUIRE_FALSE(task);
  CHECK(is(task.error(), errc::system_stopped));
  CHECK(f.rec->events().empty());
}

//   tasks
//   └── loop   runs until asked to stop (looks every millisecond)
TEST_CASE("stop_and_wait stops a running task promptly", "[tasks][shutdown]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "loop", until_stopped);
  REQUIRE(task);
  auto began = std::chrono::steady_clock::now();
  auto reason = stop_and_wait(*f.sys, *task, milliseconds(2000));
  CHECK(std::chrono::steady_clock::now() - began < milliseconds(1000)); // not the deadline
  CHECK(describe(reason) == "shutdown");
  CHECK(task->done());
  CHECK(f.log.events("task_failed").empty());
}

//   tasks
//   └── bad   already failed (io_error "disk")
TEST_CASE("stop_and_wait on a failed task returns its failure without throwing", "[tasks]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "bad", [](task_context&) -> caf::expected<caf::message> {
    return make_error(errc::io_error, "disk");
  });
  REQUIRE(task);
  REQUIRE_FALSE(task->wait(wait_limit));
  caf::error reason;
  CHECK_NOTHROW(reason = stop_and_wait(*f.sys, *task, milliseconds(100)));
  CHECK(describe(reason) == "io_error:disk");
  CHECK(describe(task->state->reason()) == "io_error:disk"); // still queryable
}

//   tasks
//   └── done   already finished with 1
TEST_CASE("stop_and_wait on a task that finished normally is a no-op", "[tasks]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "done", [](task_context&) -> caf::expected<caf::message> {
    return caf::make_message(1);
  });
  REQUIRE(task);
  REQUIRE(task->wait(wait_limit));
  CHECK_FALSE(stop_and_wait(*f.sys, *task, milliseconds(100)));
  CHECK(task->wait(wait_limit)->get_as<int>(0) == 1);
}

//   tasks
//   └── loop   ◀── stop_sync from a std::thread
TEST_CASE("stop_sync from a foreign thread blocks until the task stopped", "[tasks]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "loop", until_stopped);
  REQUIRE(task);
  stop_status status = stop_status::timed_out;
  std::thread foreign{[&] { status = stop_sync(*f.sys, *task, milliseconds(5000)); }};
  foreign.join();
  CHECK(status == stop_status::stopped);
  CHECK(task->done());
}

//   tasks
//   └── self-stop   calls stop_sync on itself, then stops when asked
TEST_CASE("stop_sync from the task's own thread returns at once and the task stops", "[tasks]") {
  task_fixture f;
  std::promise<task_handle> handle_promise;
  auto handle_future = handle_promise.get_future().share();
  auto sys = f.sys.get();
  auto seen = std::make_shared<std::atomic<int>>(-1);
  auto task =
      spawn_task(*sys, "self-stop",
                 [handle_future, sys, seen](task_context& ctx) -> caf::expected<caf::message> {
                   auto self_handle = handle_future.get();
                   *seen = static_cast<int>(stop_sync(*sys, self_handle, milliseconds(5000)));
                   return until_stopped(ctx);
                 });
  REQUIRE(task);
  handle_promise.set_value(*task);
  REQUIRE(task->state->wait(wait_limit));
  CHECK(*seen == static_cast<int>(stop_status::stopping));
  CHECK(describe(task->state->reason()) == "shutdown");
}

//   tasks
//   └── blocked   blocks in its function until the test lets it go
TEST_CASE("stop_sync gives up task_kill_grace after its timeout when the task's function blocks",
          "[tasks][shutdown]") {
  task_fixture f;
  std::promise<void> let_go;
  auto released = let_go.get_future().share();
  auto running = std::make_shared<std::promise<void>>();
  auto task = spawn_task(*f.sys, "blocked",
                         [released, running](task_context&) -> caf::expected<caf::message> {
                           running->set_value();
                           released.wait_for(std::chrono::seconds(10)); // ignores stop requests
                           return caf::message{};
                         });
  REQUIRE(task);
  // Stopped before its function ran, a task would simply never run it.
  REQUIRE(running->get_future().wait_for(wait_limit) == std::future_status::ready);
  auto began = std::chrono::steady_clock::now();
  auto status = stop_sync(*f.sys, *task, milliseconds(200));
  auto took = std::chrono::steady_clock::now() - began;
  CHECK(status == stop_status::timed_out);
  CHECK(took >= milliseconds(200) + task_kill_grace);
  CHECK(took < milliseconds(200) + task_kill_grace + milliseconds(800)); // not 3 × timeout + 2 s
  CHECK_FALSE(task->done());
  let_go.set_value();
  REQUIRE(task->state->wait(wait_limit));               // ends once its function returns
  CHECK(describe(task->state->reason()) == "shutdown"); // it had been asked to stop
}

//   caller (a plain CAF actor: spawned by the system, not a probed spawn_worker)
//   tasks
//   └── loop   ◀── stop_sync from caller's handler: asked, not waited for
TEST_CASE("stop_sync from a plain actor's handler does not block its thread", "[tasks]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "loop", until_stopped);
  REQUIRE(task);
  auto sys = f.sys.get();
  auto handle = *task;
  auto caller = sys->spawn([sys, handle]() -> caf::behavior {
    return {[sys, handle](ping_atom) {
      return static_cast<int>(stop_sync(*sys, handle, milliseconds(5000)));
    }};
  });
  auto status = f.ask<int>(caller, ping_atom::value);
  REQUIRE(status);
  CHECK(*status == static_cast<int>(stop_status::stopping));
  REQUIRE(task->state->wait(wait_limit));
  CHECK(describe(task->state->reason()) == "shutdown");
  (*f.self)->send_exit(caller, caf::exit_reason::user_shutdown);
}

//   caller actor ── stop_and_wait ──▶ stubborn (ignores exit) → killed at 100 ms
TEST_CASE("stop_and_wait from inside an actor kills a child at the deadline", "[tasks][shutdown]") {
  task_fixture f;
  auto stubborn_spec = test_worker("stubborn", f.rec, restart_type::permanent, on_exit_do::ignore);
  child_context ctx{*f.sys, "/t/stubborn", caf::actor{}, {}};
  auto stubborn = *stubborn_spec.start(ctx);
  auto rec = f.rec;
  auto caller = spawn_worker(*f.sys, [stubborn, rec](worker_actor* self) -> caf::behavior {
    return {[self, stubborn, rec](ping_atom) {
      stop_and_wait(self, stubborn, milliseconds(100), [self, stubborn, rec](caf::error reason) {
        rec->add("first:" + describe(reason));
        // Already dead now: its recorded reason comes back at once.
        stop_and_wait(self, stubborn, milliseconds(100),
                      [rec](caf::error again) { rec->add("again:" + describe(again)); });
      });
    }};
  });
  (*f.self)->send(caller, ping_atom::value);
  CHECK(f.rec->wait_for("first:killed"));
  CHECK(f.rec->wait_for("again:killed"));
  CHECK(f.rec->wait_for("ignored:stubborn"));
  (*f.self)->send_exit(caller, caf::exit_reason::user_shutdown);
}

//   tasks        hurried (a second signal), then stopped
//   └── worker   stops when asked
TEST_CASE("the task supervisor takes a hurry and still stops cleanly", "[tasks][shutdown]") {
  task_fixture f;
  auto task = spawn_task(*f.sys, "worker", until_stopped);
  REQUIRE(task);
  (*f.self)->send(f.tasks, hurry_atom::value);
  CHECK(f.owned() == 1); // still answering: the hurry was understood, not dropped as unknown
  (*f.self)->send_exit(f.tasks, caf::exit_reason::user_shutdown);
  CHECK(f.wait_down(f.tasks) == caf::exit_reason::user_shutdown);
}
