// The child table of one supervisor (supervisors/detail/child_table.hpp):
// lookups by id and by actor, start order, and records held by a stop job.
#include "messages/module.hpp"
#include "supervisors/detail/child_table.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

using namespace arbor;
using arbor::detail::child;
using arbor::detail::child_table;

namespace {

std::shared_ptr<const child_spec> spec_named(const std::string& id) {
  auto spec = std::make_shared<child_spec>();
  spec->id = id;
  return spec;
}

caf::behavior idle() {
  return {[](int32_t) {}};
}

} // namespace

TEST_CASE("children are found by id and, while they run, by actor", "[child_table]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  child_table table;
  auto& a = *table.add(spec_named("a"), "a");
  table.add(spec_named("b"), "b");
  CHECK(table.find("a") == &a);
  CHECK(table.find("zz") == nullptr);
  auto worker = sys.spawn(idle);
  table.bind(a, worker);
  CHECK(table.find(worker.id()) == &a);
  CHECK(table.running() == 1);
  REQUIRE(table.running_now().size() == 1);
  CHECK(table.running_now().front() == &a);
  table.unbind(a);
  CHECK(table.find(worker.id()) == nullptr);
  CHECK(table.running_now().empty());
  CHECK_FALSE(a.alive());
  caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
}

TEST_CASE("adding a taken id adds nothing and leaves the first record", "[child_table]") {
  child_table table;
  auto* first = table.add(spec_named("a"), "a");
  REQUIRE(first != nullptr);
  CHECK(table.add(spec_named("other"), "a") == nullptr);
  CHECK(table.size() == 1);
  CHECK(table.find("a") == first);
  CHECK(first->spec->id == "a"); // not replaced by the second spec
  CHECK(table.in_order().size() == 1);
}

TEST_CASE("in_order lists children in the order they were added", "[child_table]") {
  child_table table;
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) // more than one hash bucket's worth, in a scrambled order
    ids.push_back("c" + std::to_string((i * 37) % 200));
  for (auto& id : ids)
    table.add(spec_named(id), id);
  auto ordered = table.in_order();
  REQUIRE(ordered.size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    CHECK(ordered[i]->id == ids[i]);
}

TEST_CASE("removals keep the rest in start order, and a re-added id goes last", "[child_table]") {
  child_table table;
  for (int i = 0; i < 100; ++i)
    table.add(spec_named("c" + std::to_string(i)), "c" + std::to_string(i));
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i)
    if (i % 4 == 0)
      expected.push_back("c" + std::to_string(i));
    else
      table.remove("c" + std::to_string(i)); // 75 of 100: compacts on the way
  table.remove("c0");
  table.add(spec_named("c0"), "c0");
  expected.erase(expected.begin());
  expected.push_back("c0");
  std::vector<std::string> ids;
  for (auto* c : table.in_order())
    ids.push_back(c->id);
  CHECK(ids == expected);
  CHECK(table.size() == expected.size());
}

TEST_CASE("a record held by a stop job outlives its removal and says it was removed",
          "[child_table]") {
  child_table table;
  auto held = table.add(spec_named("a"), "a")->shared_from_this();
  CHECK_FALSE(held->removed);
  table.remove("a");
  CHECK(table.find("a") == nullptr);
  CHECK(table.size() == 0);
  CHECK(held->removed);
  CHECK(held->id == "a"); // still readable: the job skips it without a lookup
  // A new child under the same id is a different record; the old one stays removed.
  auto& fresh = *table.add(spec_named("a"), "a");
  CHECK(&fresh != held.get());
  CHECK_FALSE(fresh.removed);
  CHECK(held->removed);
}
