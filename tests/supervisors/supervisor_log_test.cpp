#include "messages/errc.hpp"
#include "supervisors/log_capture.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace arbor;

TEST_CASE("a supervisor event is one JSON line with the schema's fields", "[supervisor_log]") {
  log_event ev{"child_exited", spdlog::level::warn, "/app/sessions/s-7", "kernel"};
  ev.reason = describe(make_error(errc::exit_code, "137"));
  ev.restarts = 2;
  ev.window_s = 5;
  auto ts = std::chrono::system_clock::time_point{std::chrono::milliseconds{1795900000123}};
  auto line = format_supervisor_event(ev, ts, "n1");
  CHECK(line.find('\n') == std::string::npos);
  auto parsed = parse_json(line);
  REQUIRE(parsed);
  auto& obj = parsed->as_object();
  CHECK(obj.at("ts") == "2026-11-28T21:06:40.123Z");
  CHECK(obj.at("v") == supervisor_log_schema);
  CHECK(obj.at("level") == "warn");
  CHECK(obj.at("event") == "child_exited");
  CHECK(obj.at("node") == "n1");
  CHECK(obj.at("supervisor") == "/app/sessions/s-7");
  CHECK(obj.at("child") == "kernel");
  CHECK(obj.at("reason") == "exit_code:137");
  CHECK(obj.at("restarts") == 2);
  CHECK(obj.at("window_s") == 5.0);
  CHECK_FALSE(obj.contains("duration_ms"));
}

TEST_CASE("strings with quotes and control characters stay valid JSON", "[supervisor_log]") {
  log_event ev{"child_exited", spdlog::level::info, "/app", "we\"ird\nid"};
  ev.reason = "a\\b";
  auto parsed = parse_json(format_supervisor_event(ev, std::chrono::system_clock::now(), "n"));
  REQUIRE(parsed);
  CHECK(parsed->as_object().at("child") == "we\"ird\nid");
}

TEST_CASE("the async log loses no line from concurrent writers", "[supervisor_log]") {
  test::log_capture capture;
  constexpr int writers = 4;
  constexpr int per_writer = 2000;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([w] {
      auto child = "w" + std::to_string(w);
      for (int i = 0; i < per_writer; ++i) {
        log_event ev{"child_started", spdlog::level::info, "/t", child};
        ev.restarts = static_cast<uint32_t>(i);
        log_supervisor_event(ev);
      }
    });
  for (auto& t : threads)
    t.join();
  auto events = capture.events();
  REQUIRE(events.size() == writers * per_writer);
  // Per writer the lines arrive in order.
  std::map<std::string, int64_t> last;
  for (auto& ev : events) {
    auto child = std::string{ev["child"].as_string()};
    auto restarts = ev["restarts"].as_int64();
    CHECK(restarts == last.emplace(child, -1).first->second + 1);
    last[child] = restarts;
  }
}

TEST_CASE("the log is enabled from configure until shutdown", "[supervisor_log]") {
  {
    test::log_capture capture;
    CHECK(supervisor_log_enabled());
    log_supervisor_event({"child_started", spdlog::level::info, "/t", "a"});
    CHECK(capture.events("child_started", "a").size() == 1);
  } // shuts the log down
  CHECK_FALSE(supervisor_log_enabled());
}

TEST_CASE("without a configured sink events are dropped silently", "[supervisor_log]") {
  shutdown_supervisor_log();
  CHECK_FALSE(supervisor_log_enabled());
  log_supervisor_event({"child_started", spdlog::level::info, "/t"});
  flush_supervisor_log();
}
