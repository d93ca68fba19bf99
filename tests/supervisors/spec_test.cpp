// Spec validation and the shutdown deadline budget.
#include "supervisors/test_workers.hpp"

using namespace arbor;
using namespace arbor::test;
using std::chrono::milliseconds;

namespace {

child_spec worker(std::string id, milliseconds deadline) {
  auto spec = test_worker(std::move(id), std::make_shared<recorder>());
  spec.shutdown = shutdown_policy::deadline(deadline);
  return spec;
}

} // namespace

//   t (one_for_one)   each spec below is wrong in one way:
//   ├── a             duplicate ids, an empty id, a '/' in an id, a zero
//   └── a             deadline, no start function, a backoff factor < 1, ...
TEST_CASE("invalid specs are refused with the problem named", "[spec]") {
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {worker("a", milliseconds(10)), worker("a", milliseconds(10))};
  auto err = validate(spec);
  CHECK(is(err, errc::duplicate_child));
  CHECK(describe(err).find("'a'") != std::string::npos);

  spec.children = {worker("", milliseconds(10))};
  CHECK(is(validate(spec), errc::invalid_spec));

  spec.children = {worker("a", milliseconds(0))};
  CHECK(describe(validate(spec)).find("deadline must be positive") != std::string::npos);

  spec.children = {worker("a/b", milliseconds(10))};
  CHECK(describe(validate(spec)).find("ids may not contain '/'") != std::string::npos);

  spec.children = {worker("a", milliseconds(10))};
  auto period = spec.period;
  spec.period = milliseconds(0);
  CHECK(describe(validate(spec)).find("period must be positive") != std::string::npos);
  spec.period = period;

  spec.children = {worker("a", milliseconds(10))};
  spec.children[0].start = nullptr;
  CHECK(describe(validate(spec)).find("no start function") != std::string::npos);

  spec.children = {worker("a", milliseconds(10))};
  spec.backoff.enabled = true;
  spec.backoff.factor = 0.5;
  CHECK(is(validate(spec), errc::invalid_spec));

  supervisor_spec dyn;
  dyn.name = "d";
  dyn.strat = strategy::dynamic;
  CHECK(describe(validate(dyn)).find("exactly one child template") != std::string::npos);

  supervisor_spec auto_stop;
  auto_stop.name = "s";
  auto_stop.auto_stop = auto_shutdown::any_significant;
  auto_stop.children = {worker("a", milliseconds(10))};
  CHECK(describe(validate(auto_stop)).find("significant") != std::string::npos);
  auto_stop.children[0].significant = true; // but permanent: it could never end
  CHECK(describe(validate(auto_stop)).find("a significant child cannot be permanent") !=
        std::string::npos);

  // A child supervisor's own spec is checked too, and the error names it.
  supervisor_spec inner;
  inner.name = "inner";
  inner.children = {worker("x", milliseconds(10)), worker("x", milliseconds(10))};
  supervisor_spec outer;
  outer.name = "outer";
  outer.children = {supervisor_child("inner", inner)};
  auto nested = validate(outer);
  CHECK(is(nested, errc::duplicate_child));
  CHECK(describe(nested).find("supervisor 'inner': duplicate child id 'x'") != std::string::npos);
}

//   t (one_for_one)   refused: duplicate ids
//   ├── a
//   └── a
TEST_CASE("an invalid spec spawns nothing", "[spec]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {worker("a", milliseconds(10)), worker("a", milliseconds(10))};
  auto sup = spawn_supervisor(*f.sys, spec, "/t");
  REQUIRE_FALSE(sup);
  CHECK(f.rec->events().empty());
}

//   app (one_for_one)
//   ├── a            1000 ms
//   └── sessions     deadline 500 ms  ← does not cover its child's 2000 ms
//       └── kernel   2000 ms
TEST_CASE("the deadline budget finds the offending path", "[spec][shutdown]") {
  supervisor_spec sessions;
  sessions.name = "sessions";
  sessions.children = {worker("kernel", milliseconds(2000))};
  supervisor_spec app;
  app.name = "app";
  app.kill_grace = milliseconds(100);
  app.children = {worker("a", milliseconds(1000)), supervisor_child("sessions", sessions)};
  app.children[1].shutdown = shutdown_policy::deadline(milliseconds(500));
  auto err = check_deadline_budget(app, "/app", milliseconds(90000));
  REQUIRE(is(err, errc::deadline_budget));
  CHECK(describe(err).find("/app/sessions: shutdown deadline 500ms does not cover its "
                           "children's 3000ms") != std::string::npos);

  app.children[1].shutdown = shutdown_policy::infinity();
  auto budget = shutdown_budget(app, "/app");
  REQUIRE(budget);
  // a: 1000 + 100 grace; sessions: kernel 2000 + its own default 1000 grace.
  CHECK(*budget == milliseconds(1100 + 3000));
  CHECK_FALSE(check_deadline_budget(app, "/app", milliseconds(5000)));
  auto outer = check_deadline_budget(app, "/app", milliseconds(4000));
  CHECK(describe(outer).find("more than the outer deadline of 4000ms") != std::string::npos);
}

//   t (one_for_one)
//   └── w   worker (then a supervisor without a subtree spec), shutdown
//           infinity ← no deadline covers it
TEST_CASE("a worker that may never stop is refused by the budget", "[spec][shutdown]") {
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {worker("w", milliseconds(10))};
  spec.children[0].shutdown = shutdown_policy::infinity();
  auto err = check_deadline_budget(spec, "/t", milliseconds(1000));
  CHECK(describe(err).find("/t/w: a worker with shutdown 'infinity'") != std::string::npos);
  // A supervisor child made by its own factory (no subtree spec) is named as one.
  spec.children[0].kind = child_kind::supervisor;
  err = check_deadline_budget(spec, "/t", milliseconds(1000));
  CHECK(describe(err).find("/t/w: a supervisor with shutdown 'infinity' and no subtree spec") !=
        std::string::npos);
}

//   t (one_for_one)   outer deadline 1000 ms
//   └── w             5000 ms ← more than the outer deadline
TEST_CASE("start_supervisor refuses a tree that cannot stop in time", "[spec][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {worker("w", milliseconds(5000))};
  auto sup = start_supervisor(*f.sys, spec, "/t", milliseconds(1000), milliseconds(5000));
  REQUIRE_FALSE(sup);
  CHECK(is(sup.error(), errc::deadline_budget));
  CHECK(f.rec->events().empty());
}

TEST_CASE("backoff grows by factor, caps at max and stays within the jitter band", "[spec]") {
  backoff_policy b;
  b.enabled = true;
  b.min = milliseconds(10);
  b.max = milliseconds(100);
  b.factor = 2.0;
  b.jitter = 0.0;
  CHECK(b.delay(1, 0.5) == milliseconds(10));
  CHECK(b.delay(2, 0.5) == milliseconds(20));
  CHECK(b.delay(4, 0.5) == milliseconds(80));
  CHECK(b.delay(9, 0.5) == milliseconds(100));
  b.jitter = 0.2;
  CHECK(b.delay(2, 0.0) == milliseconds(16));
  CHECK(b.delay(2, 0.999) >= milliseconds(23));
}
