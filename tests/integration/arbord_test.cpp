// Integration: the real arbord binary, driven as an operator would.
#include "integration/process.hpp"
#include "messages/json.hpp"

#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <csignal>

using namespace arbor;
using namespace arbor::test;
using std::chrono::seconds;

namespace {

std::vector<std::string> events_of(const std::vector<std::string>& lines) {
  std::vector<std::string> result;
  for (const auto& line : lines)
    if (auto v = parse_json(line); v && v->is_object() && v->as_object().contains("event"))
      result.emplace_back(v->as_object().at("event").as_string().c_str());
  return result;
}

} // namespace

TEST_CASE("arbord starts its tree and stops it in order on SIGTERM, exit 0", "[arbord][shutdown]") {
  child_process arbord{{ARBORD_PATH, "--node", "it"}};
  REQUIRE(arbord.wait_for("\"event\":\"node_started\"", seconds(20)));
  arbord.signal(SIGTERM);
  CHECK(arbord.wait_exit(seconds(20)) == 0);
  auto events = events_of(arbord.seen);
  CHECK(events == std::vector<std::string>{"child_started", "node_started", "stop_requested",
                                           "shutdown_started", "child_stopped",
                                           "shutdown_completed", "node_stopped"});
  for (const auto& line : arbord.seen)
    CHECK(parse_json(line)); // every stderr line is a JSON object
}

TEST_CASE("a second signal during shutdown is logged and shutdown still ends cleanly",
          "[arbord][shutdown]") {
  child_process arbord{{ARBORD_PATH}};
  REQUIRE(arbord.wait_for("node_started", seconds(20)));
  arbord.signal(SIGINT);
  arbord.signal(SIGINT);
  CHECK(arbord.wait_exit(seconds(20)) == 0);
  auto events = events_of(arbord.seen);
  CHECK(std::count(events.begin(), events.end(), "shutdown_started") == 1);
  CHECK(std::count(events.begin(), events.end(), "shutdown_completed") == 1);
}

TEST_CASE("bad command-line options are one clear error and a non-zero exit", "[arbord]") {
  child_process arbord{{ARBORD_PATH, "--stop-timeout", "-5"}};
  auto code = arbord.wait_exit(seconds(20));
  CHECK(code == 2);
  REQUIRE_FALSE(arbord.seen.empty());
  CHECK(arbord.seen.front().find("stop-timeout") != std::string::npos);
}
