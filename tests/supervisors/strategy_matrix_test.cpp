// Every strategy × restart type × kind of exit: who is restarted, who is left alone.
#include "supervisors/test_workers.hpp"

using namespace arbor;
using namespace arbor::test;

namespace {

struct expectation {
  bool b_restarted;    // the child that exits
  bool a_restarted;    // started before it
  bool c_restarted;    // started after it
  bool b_still_listed; // temporary children are removed
};

expectation expected_for(strategy strat, restart_type rt, bool crash) {
  bool restarts = rt == restart_type::permanent || (rt == restart_type::transient && crash);
  if (!restarts)
    return {false, false, false, rt != restart_type::temporary};
  return {true, strat == strategy::one_for_all, strat != strategy::one_for_one, true};
}

} // namespace

//   t (strategy S)
//   ├── a   permanent
//   ├── b   restart type R, exits (crash or normal)
//   └── c   permanent
TEST_CASE("strategy x restart type x exit kind", "[supervisor][restart]") {
  auto strat = GENERATE(strategy::one_for_one, strategy::one_for_all, strategy::rest_for_one);
  auto rt = GENERATE(restart_type::permanent, restart_type::transient, restart_type::temporary);
  auto crash = GENERATE(true, false);
  CAPTURE(to_string(strat), to_string(rt), crash);
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.strat = strat;
  spec.children = {test_worker("a", f.rec), test_worker("b", f.rec, rt), test_worker("c", f.rec)};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  auto want = expected_for(strat, rt, crash);
  auto b = f.child(sup, "b");
  if (crash)
    (*f.self)->send(b, crash_atom::value);
  else
    (*f.self)->send(b, finish_atom::value);
  if (want.b_restarted)
    REQUIRE(f.rec->wait_for("start:b", 2));
  else
    REQUIRE(f.log.wait_for("child_exited", "b"));
  f.require_ready(sup); // any group restart has finished
  CHECK(f.rec->with_prefix("start:a").size() == (want.a_restarted ? 2u : 1u));
  CHECK(f.rec->with_prefix("start:b").size() == (want.b_restarted ? 2u : 1u));
  CHECK(f.rec->with_prefix("start:c").size() == (want.c_restarted ? 2u : 1u));
  auto kids = f.ask<std::vector<child_info>>(sup, which_children_atom::value);
  REQUIRE(kids);
  CHECK(kids->size() == (want.b_still_listed ? 3u : 2u));
  auto exited = f.log.events("child_exited", "b");
  REQUIRE(exited.size() == 1); // the failure is logged once
  CHECK(exited[0]["level"] == (crash ? "warn" : "info"));
  CHECK(f.log.events("child_restarted", "b").size() == (want.b_restarted ? 1u : 0u));
  CHECK(is_clean_exit(f.stop(sup)));
}

//   t (one_for_one, auto_shutdown all_significant)
//   ├── s1  transient, significant
//   └── s2  transient, significant
TEST_CASE("all_significant shuts down only after the last significant child ended",
          "[supervisor][shutdown]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.auto_stop = auto_shutdown::all_significant;
  spec.children = {test_worker("s1", f.rec, restart_type::transient),
                   test_worker("s2", f.rec, restart_type::transient)};
  for (auto& c : spec.children)
    c.significant = true;
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  (*f.self)->send(f.child(sup, "s1"), finish_atom::value);
  REQUIRE(f.log.wait_for("child_exited", "s1"));
  CHECK(f.ask<child_counts>(sup, count_children_atom::value)->active == 1); // still running
  (*f.self)->send(f.child(sup, "s2"), finish_atom::value);
  CHECK(describe(f.wait_down(sup)) == "shutdown");
}

//   t (dynamic)
//   ├── d-1   restart type R, exits (crash or normal)
//   └── d-2   same template, left alone
TEST_CASE("dynamic strategy x restart type x exit kind", "[supervisor][restart]") {
  auto rt = GENERATE(restart_type::permanent, restart_type::transient, restart_type::temporary);
  auto crash = GENERATE(true, false);
  CAPTURE(to_string(rt), crash);
  bool restarts = rt == restart_type::permanent || (rt == restart_type::transient && crash);
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.strat = strategy::dynamic;
  spec.children = {test_worker("d", f.rec, rt)};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  auto d1 = f.ask<caf::actor>(sup, start_child_atom::value, std::string{}, caf::message{});
  auto d2 = f.ask<caf::actor>(sup, start_child_atom::value, std::string{}, caf::message{});
  REQUIRE((d1 && d2));
  (*f.self)->send(*d1, crash ? caf::make_message(crash_atom::value)
                             : caf::make_message(finish_atom::value));
  if (restarts)
    REQUIRE(f.rec->wait_for("start:d", 3));
  else
    REQUIRE(f.log.wait_for("child_exited", "d-1"));
  f.require_ready(sup);
  CHECK(f.rec->with_prefix("start:d").size() == (restarts ? 3u : 2u));
  CHECK(f.child(sup, "d-2") == *d2); // a sibling is never touched
  auto again = f.child(sup, "d-1");
  CHECK(static_cast<bool>(again) == restarts); // not restarted: forgotten
  if (restarts)
    CHECK(again != *d1);
  CHECK(f.ask<child_counts>(sup, count_children_atom::value)->specs == (restarts ? 2u : 1u));
  auto exited = f.log.events("child_exited", "d-1");
  REQUIRE(exited.size() == 1);
  CHECK(exited[0]["level"] == (crash ? "warn" : "info"));
  CHECK(f.log.events("child_restarted", "d-1").size() == (restarts ? 1u : 0u));
  CHECK(is_clean_exit(f.stop(sup)));
}
