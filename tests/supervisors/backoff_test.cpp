// Restart backoff and intensity windows under CAF's deterministic scheduler:
// virtual time, no sleeps.
#include "supervisors/test_workers.hpp"

#include <caf/scheduler/test_coordinator.hpp>

using namespace arbor;
using namespace arbor::test;
using std::chrono::milliseconds;

namespace {

struct virtual_time {
  log_capture log;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  std::shared_ptr<caf::actor> current = std::make_shared<caf::actor>();

  virtual_time() {
    add_message_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }

  ~virtual_time() {
    sched->run();
    sys.reset();
  }

  /// A worker spec that remembers its running handle in `current`.
  child_spec crashing_worker() {
    auto spec = test_worker("w", rec);
    auto inner = spec.start;
    spec.start = [inner, cur = current](child_context& ctx) -> caf::expected<caf::actor> {
      auto handle = inner(ctx);
      if (handle)
        *cur = *handle;
      return handle;
    };
    return spec;
  }

  size_t starts() { return rec->with_prefix("start:w").size(); }

  void crash() {
    caf::anon_send(*current, crash_atom::value);
    sched->run();
  }

  void advance(milliseconds ms) {
    sched->advance_time(ms);
    sched->run();
  }
};

supervisor_spec backoff_spec(child_spec child) {
  supervisor_spec spec;
  spec.name = "t";
  spec.max_restarts = 10;
  spec.period = milliseconds(60000);
  spec.backoff.enabled = true;
  spec.backoff.min = milliseconds(100);
  spec.backoff.max = milliseconds(300);
  spec.backoff.factor = 2.0;
  spec.backoff.jitter = 0.0;
  spec.children = {std::move(child)};
  return spec;
}

} // namespace

//   t (one_for_one, backoff 100 ms × 2, max 300 ms)
//   └── w   crashes three times
TEST_CASE("restarts wait for the backoff delay, doubling up to the cap", "[supervisor][restart]") {
  virtual_time vt;
  auto sup = spawn_supervisor(*vt.sys, backoff_spec(vt.crashing_worker()), "/t");
  REQUIRE(sup);
  vt.sched->run();
  REQUIRE(vt.starts() == 1);
  for (auto [delay, starts] : {std::pair{99, 2}, {199, 3}, {299, 4}}) {
    vt.crash();
    vt.advance(milliseconds(delay));
    CHECK(vt.starts() == static_cast<size_t>(starts - 1)); // not yet
    vt.advance(milliseconds(1));
    CHECK(vt.starts() == static_cast<size_t>(starts)); // exactly at the delay
  }
  // Fourth crash: 400 ms would exceed the 300 ms cap.
  vt.crash();
  vt.advance(milliseconds(300));
  CHECK(vt.starts() == 5);
  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
}

//   t (one_for_one, max_restarts 2 in 1 s)
//   └── w   crashes; the window slides in virtual time
TEST_CASE("the intensity window forgets restarts older than the period", "[supervisor][restart]") {
  virtual_time vt;
  supervisor_spec spec;
  spec.name = "t";
  spec.max_restarts = 2;
  spec.period = milliseconds(1000);
  spec.children = {vt.crashing_worker()};
  auto sup = spawn_supervisor(*vt.sys, spec, "/t");
  REQUIRE(sup);
  vt.sched->run();
  vt.crash();
  vt.crash(); // two restarts within the window: allowed
  REQUIRE(vt.starts() == 3);
  vt.advance(milliseconds(1001)); // both fall out of the window
  vt.crash();
  vt.crash();
  REQUIRE(vt.starts() == 5); // still allowed
  auto watcher = vt.sys->spawn([](caf::event_based_actor*) -> caf::behavior { return {}; });
  vt.crash(); // third within one window: escalates
  CHECK(vt.starts() == 5);
  auto counts = std::make_shared<bool>(false);
  // The supervisor has quit: a request to it fails.
  vt.sys->spawn([sup = *sup, counts](caf::event_based_actor* self) {
    self->request(sup, caf::infinite, count_children_atom::value)
        .then([](child_counts) {}, [counts](caf::error&) { *counts = true; });
  });
  vt.sched->run();
  CHECK(*counts);
  auto exceeded = vt.log.events("restart_intensity_exceeded");
  REQUIRE(exceeded.size() == 1);
  CHECK(exceeded[0]["restarts"] == 3);
  CHECK(exceeded[0]["window_s"] == 1.0);
  caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
}
