// Integration: the real arbord binary, driven as an operator would.
#include "integration/process.hpp"
#include "messages/json.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>

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

/// The `child` field of every `event` line written by `supervisor`, in order.
std::vector<std::string> children_of(const std::vector<std::string>& lines,
                                     const std::string& event, const std::string& supervisor) {
  std::vector<std::string> result;
  for (const auto& line : lines) {
    auto v = parse_json(line);
    if (!v || !v->is_object())
      continue;
    auto& o = v->as_object();
    if (o.contains("event") && o.at("event").as_string() == event && o.contains("supervisor") &&
        o.at("supervisor").as_string() == supervisor)
      result.emplace_back(o.contains("child") ? o.at("child").as_string().c_str() : "");
  }
  return result;
}

} // namespace

//   /app              rest_for_one
//   ├── event_bus
//   ├── tasks         task supervisor
//   ├── sessions      session manager (its pool logs as /app/sessions)
//   └── http          listener + connection actors
TEST_CASE("arbord starts its tree and stops it in order on SIGTERM, exit 0", "[arbord][shutdown]") {
  child_process arbord{{ARBORD_PATH, "--node", "it", "--port", "0"}};
  REQUIRE(arbord.wait_for("\"event\":\"node_started\"", seconds(20)));
  arbord.signal(SIGTERM);
  CHECK(arbord.wait_exit(seconds(20)) == 0);
  auto events = events_of(arbord.seen);
  std::vector<std::string> order{"event_bus", "tasks", "sessions", "http"};
  CHECK(children_of(arbord.seen, "child_started", "/app") == order);
  std::reverse(order.begin(), order.end());
  CHECK(children_of(arbord.seen, "child_stopped", "/app") == order);
  CHECK(children_of(arbord.seen, "shutdown_started", "/app").size() == 1);
  CHECK(children_of(arbord.seen, "shutdown_completed", "/app").size() == 1);
  auto at = [&](const char* name) {
    return std::find(events.begin(), events.end(), name) - events.begin();
  };
  CHECK(at("node_started") < at("stop_requested"));
  CHECK(at("stop_requested") < at("shutdown_started"));
  CHECK(events.back() == "node_stopped");
  for (const auto& line : arbord.seen) // every line but the address is a JSON object
    CHECK((line.rfind("arbord: listening on", 0) == 0 || parse_json(line)));
}

TEST_CASE("a second signal during shutdown is logged and shutdown still ends cleanly",
          "[arbord][shutdown]") {
  child_process arbord{{ARBORD_PATH, "--port", "0"}};
  REQUIRE(arbord.wait_for("node_started", seconds(20)));
  arbord.signal(SIGINT);
  arbord.signal(SIGINT);
  CHECK(arbord.wait_exit(seconds(20)) == 0);
  CHECK(children_of(arbord.seen, "shutdown_started", "/app").size() == 1);
  CHECK(children_of(arbord.seen, "shutdown_completed", "/app").size() == 1);
}

// ARBOR_MALLOC=tcmalloc (the default outside sanitizer builds) links gperftools'
// tcmalloc_minimal into arbord; the running process must have it mapped.
TEST_CASE("arbord runs on the allocator it was built with", "[arbord]") {
  child_process arbord{{ARBORD_PATH, "--port", "0"}};
  REQUIRE(arbord.wait_for("node_started", seconds(20)));
  std::ifstream maps{"/proc/" + std::to_string(arbord.pid()) + "/maps"};
  REQUIRE(maps);
  bool tcmalloc = false;
  for (std::string line; std::getline(maps, line);)
    tcmalloc = tcmalloc || line.find("libtcmalloc_minimal") != std::string::npos;
#ifdef ARBOR_IT_TCMALLOC
  CHECK(tcmalloc);
#else
  CHECK_FALSE(tcmalloc);
#endif
  arbord.signal(SIGTERM);
  CHECK(arbord.wait_exit(seconds(20)) == 0);
}

TEST_CASE("bad command-line options are one clear error and a non-zero exit", "[arbord]") {
  child_process arbord{{ARBORD_PATH, "--stop-timeout", "-5"}};
  auto code = arbord.wait_exit(seconds(20));
  CHECK(code == 2);
  REQUIRE_FALSE(arbord.seen.empty());
  CHECK(arbord.seen.front().find("stop_timeout") != std::string::npos);
}
