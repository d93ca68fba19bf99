#include "messages/atoms.hpp"
#include "messages/module.hpp"
#include "messages/supervision.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

using namespace arbor;

TEST_CASE("an actor system with arbor's types starts, messages and stops", "[system]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto echo = sys.spawn([]() -> caf::behavior {
    return {[](const child_counts& x) { return child_counts{x.specs + 1, x.active, 0, 0}; }};
  });
  caf::scoped_actor self{sys};
  for (uint32_t i = 0; i < 100; ++i) {
    self->request(echo, std::chrono::seconds(5), child_counts{i, 2, 0, 0})
        .receive([&](const child_counts& x) { CHECK(x.specs == i + 1); },
                 [&](caf::error& err) { FAIL(sys.render(err)); });
  }
  self->send_exit(echo, caf::exit_reason::user_shutdown);
  self->wait_for(echo);
}

TEST_CASE("tree snapshots serialise with CAF's binary serializer", "[system]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  tree_node child{"k", "/a/k", child_kind::worker, "", child_state::running, 1, {}, {}};
  tree_node root{
      "a",          "/a",   child_kind::supervisor, "one_for_one", child_state::running, 0,
      {1, 1, 0, 1}, {child}};
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(root));
  tree_node back;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(back));
  CHECK(back == root);
}
