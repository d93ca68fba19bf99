#include "messages/errc.hpp"
#include "messages/json.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace arbor;

namespace {

tree_node sample_tree() {
  tree_node kernel{
      "kernel", "/app/sessions/s-1/kernel", child_kind::worker, "", child_state::running, 2, {},
      {}};
  tree_node session{"s-1",
                    "/app/sessions/s-1",
                    child_kind::supervisor,
                    "rest_for_one",
                    child_state::running,
                    0,
                    {1, 1, 0, 1},
                    {kernel}};
  return tree_node{
      "app",        "/app",   child_kind::supervisor, "rest_for_one", child_state::running, 0,
      {1, 1, 1, 0}, {session}};
}

} // namespace

TEST_CASE("a tree snapshot survives a JSON round trip", "[json]") {
  auto tree = sample_tree();
  auto text = boost::json::serialize(to_json(tree));
  auto parsed = parse_json(text);
  REQUIRE(parsed);
  auto back = tree_node_from_json(*parsed);
  REQUIRE(back);
  CHECK(*back == tree);
  CHECK(back->children.at(0).children.at(0).restarts == 2);
}

TEST_CASE("workers carry no strategy field", "[json]") {
  auto text = boost::json::serialize(to_json(sample_tree().children[0].children[0]));
  CHECK(text.find("strategy") == std::string::npos);
  CHECK(text.find("\"kind\":\"worker\"") != std::string::npos);
}

TEST_CASE("malformed JSON is an error, never an exception", "[json]") {
  auto parsed = parse_json("{\"id\": ");
  REQUIRE_FALSE(parsed);
  CHECK(is(parsed.error(), errc::bad_json));
}

TEST_CASE("a tree node with a missing or mistyped field is rejected with its name", "[json]") {
  auto parsed = parse_json(R"({"id":"a","path":"/a","restarts":"two","counts":{},"children":[]})");
  REQUIRE(parsed);
  auto node = tree_node_from_json(*parsed);
  REQUIRE_FALSE(node);
  CHECK(is(node.error(), errc::bad_json));
  auto bad_state = parse_json(R"({"id":"a","path":"/a","restarts":0,"kind":"worker",
    "state":"dancing","counts":{"specs":0,"active":0,"supervisors":0,"workers":0},
    "children":[]})");
  REQUIRE(bad_state);
  CHECK_FALSE(tree_node_from_json(*bad_state));
}

TEST_CASE("enum names parse back to their values", "[json]") {
  CHECK(parse_strategy("rest_for_one") == strategy::rest_for_one);
  CHECK(parse_restart_type("transient") == restart_type::transient);
  CHECK(parse_auto_shutdown("all_significant") == auto_shutdown::all_significant);
  CHECK_FALSE(parse_strategy("one_for_some"));
}
