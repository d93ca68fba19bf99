// Unit tests of arborctl: URL and error-body parsing, tree drawing, log filtering
// and formatting, the session table, and the commands against a faked server
// (a transport function; no network).
#include "apps/arborctl/commands.hpp"
#include "apps/arborctl/ctl.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <deque>
#include <sstream>

using namespace arbor::ctl;
namespace bj = boost::json;

namespace {

bj::object object_of(std::string_view text) {
  return bj::parse(bj::string_view{text.data(), text.size()}).as_object();
}

constexpr std::string_view three_level_tree = R"({
  "id": "app", "path": "/app", "kind": "supervisor", "strategy": "rest_for_one",
  "state": "running", "restarts": 0,
  "counts": {"specs": 3, "active": 3, "supervisors": 2, "workers": 1},
  "children": [
    {"id": "event_bus", "path": "/app/event_bus", "kind": "worker", "state": "running",
     "restarts": 0, "counts": {"specs": 0, "active": 0, "supervisors": 0, "workers": 0},
     "children": []},
    {"id": "sessions", "path": "/app/sessions", "kind": "supervisor", "strategy": "dynamic",
     "state": "running", "restarts": 1,
     "counts": {"specs": 2, "active": 2, "supervisors": 2, "workers": 0},
     "children": [
       {"id": "s-1", "path": "/app/sessions/s-1", "kind": "supervisor",
        "strategy": "rest_for_one", "state": "running", "restarts": 0,
        "counts": {"specs": 2, "active": 1, "supervisors": 0, "workers": 2},
        "children": [
          {"id": "kernel", "path": "/app/sessions/s-1/kernel", "kind": "worker",
           "state": "restarting", "restarts": 2, "counts": {"specs": 0, "active": 0,
           "supervisors": 0, "workers": 0}, "children": []},
          {"id": "distributor", "path": "/app/sessions/s-1/distributor", "kind": "worker",
           "state": "running", "restarts": 0, "counts": {"specs": 0, "active": 0,
           "supervisors": 0, "workers": 0}, "children": []}]},
       {"id": "s-2", "path": "/app/sessions/s-2", "kind": "supervisor",
        "strategy": "rest_for_one", "state": "running", "restarts": 0,
        "counts": {"specs": 1, "active": 1, "supervisors": 0, "workers": 1},
        "children": [
          {"id": "kernel", "path": "/app/sessions/s-2/kernel", "kind": "worker",
           "state": "running", "restarts": 0, "counts": {"specs": 0, "active": 0,
           "supervisors": 0, "workers": 0}, "children": []}]}]},
    {"id": "tasks", "path": "/app/tasks", "kind": "supervisor", "strategy": "dynamic",
     "state": "running", "restarts": 0,
     "counts": {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}, "children": []}]
})";

/// A dynamic supervisor with `n` worker children named c-1 ... c-n.
bj::object wide_supervisor(const std::string& id, size_t n) {
  bj::array children;
  for (size_t i = 1; i <= n; ++i)
    children.push_back(bj::object{{"id", "c-" + std::to_string(i)},
                                  {"kind", "worker"},
                                  {"state", "running"},
                                  {"restarts", 0}});
  return bj::object{{"id", id},
                    {"kind", "supervisor"},
                    {"strategy", "dynamic"},
                    {"state", "running"},
                    {"restarts", 0},
                    {"counts", bj::object{{"specs", n}, {"active", n}}},
                    {"children", std::move(children)}};
}

constexpr std::string_view sample_line =
    R"({"ts":"2026-11-30T05:00:00.123Z","v":1,"level":"warn","event":"child_exited",)"
    R"("node":"n1","supervisor":"/app/sessions/s-7","child":"kernel",)"
    R"("reason":"exit_code:137","restarts":2,"window_s":5})";

bj::object log_line(const std::string& level, const std::string& event,
                    const std::string& supervisor) {
  return bj::object{{"ts", "2026-11-30T05:00:00.000Z"},
                    {"level", level},
                    {"event", event},
                    {"node", "n1"},
                    {"supervisor", supervisor}};
}

/// Scripted arbord: answers requests in order and records them.
struct fake_server {
  std::deque<http_result> replies;
  std::vector<http_request> requests;
  std::ostringstream out;
  std::ostringstream err;
  int sleeps = 0;

  context ctx() {
    auto send = [this](const http_request& request) {
      requests.push_back(request);
      if (replies.empty())
        return http_result{transport_failure{transport_failure_kind::connect, "no more replies"}};
      auto reply = replies.front();
      replies.pop_front();
      return reply;
    };
    return context{send, "http://127.0.0.1:8080", out, err};
  }

  void reply(unsigned status, std::string body) {
    replies.push_back(http_response{status, std::move(body)});
  }

  void refuse() {
    replies.push_back(transport_failure{transport_failure_kind::connect, "Connection refused"});
  }
};

std::string logs_reply(std::vector<bj::object> lines, uint64_t next) {
  bj::array array;
  for (auto& line : lines)
    array.push_back(std::move(line));
  return bj::serialize(bj::object{{"lines", std::move(array)}, {"next", next}});
}

} // namespace

// -- URL ---------------------------------------------------------------------------

TEST_CASE("parse_url reads host, port and base path", "[arborctl]") {
  auto local = parse_url("http://127.0.0.1:8080");
  REQUIRE(local);
  CHECK(local->host == "127.0.0.1");
  CHECK(local->port == 8080);
  CHECK(local->base.empty());
  CHECK(to_string(*local) == "http://127.0.0.1:8080");
  CHECK(host_header(*local) == "127.0.0.1:8080");

  auto plain = parse_url("http://arbor.example.com");
  REQUIRE(plain);
  CHECK(plain->host == "arbor.example.com");
  CHECK(plain->port == 80);
  CHECK(host_header(*plain) == "arbor.example.com");
  CHECK(to_string(*plain) == "http://arbor.example.com:80");

  auto prefixed = parse_url("HTTP://proxy.local:81/arbor/");
  REQUIRE(prefixed);
  CHECK(prefixed->host == "proxy.local");
  CHECK(prefixed->port == 81);
  CHECK(prefixed->base == "/arbor");
  CHECK(parse_url("http://h:8080/")->base.empty());

  auto v6 = parse_url("http://[::1]:9000");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 9000);
  CHECK(to_string(*v6) == "http://[::1]:9000");
  CHECK(host_header(*v6) == "[::1]:9000");
}

TEST_CASE("parse_url rejects bad URLs with a reason", "[arborctl]") {
  auto scheme = parse_url("127.0.0.1:8080");
  REQUIRE_FALSE(scheme);
  CHECK(scheme.error() == "bad URL '127.0.0.1:8080': expected http://host[:port]");
  auto https = parse_url("https://h");
  REQUIRE_FALSE(https);
  CHECK(https.error() == "bad URL 'https://h': scheme 'https' is not supported (only http)");
  CHECK(parse_url("http://h:99999").error() == "bad URL 'http://h:99999': bad port '99999'");
  for (auto text :
       {"", "http://", "http://:80", "http://h:", "http://h:0", "http://h:65536", "http://h:80a",
        "http://h:-1", "http://u:p@h", "http://h/a?b", "http://h#x", "http://h h", "http://h/a b",
        "http://[::1", "http://[zz]:1", "http://[::1]x", "http://[]:80", "ftp://h"}) {
    INFO(text);
    auto parsed = parse_url(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().rfind("bad URL '", 0) == 0);
  }
}

TEST_CASE("percent_encode keeps unreserved characters only", "[arborctl]") {
  CHECK(percent_encode("s-1_a.b~c") == "s-1_a.b~c");
  CHECK(percent_encode("a b/c?") == "a%20b%2Fc%3F");
  CHECK(percent_encode("\xC3\xA9") == "%C3%A9");
}

// -- error replies ---------------------------------------------------------------

TEST_CASE("error bodies give status, code and message", "[arborctl]") {
  auto not_found =
      parse_error_body(404, R"({"error":{"code":"not_found","message":"no session s-9"}})");
  CHECK(not_found.status == 404);
  CHECK(not_found.code == "not_found");
  CHECK(not_found.message == "no session s-9");
  CHECK(format_api_error(not_found) == "arborctl: 404 not_found: no session s-9");

  auto no_body = parse_error_body(401, "");
  CHECK(no_body.code == "unauthorized");
  CHECK(format_api_error(no_body) == "arborctl: 401 unauthorized: no details in the reply");

  auto html = parse_error_body(502, "\n<html>Bad Gateway</html>\r\n<p>nginx</p>");
  CHECK(format_api_error(html) == "arborctl: 502 bad_gateway: <html>Bad Gateway</html>");

  auto odd = parse_error_body(418, R"({"status":"teapot"})");
  CHECK(odd.code == "http_error");
  CHECK(odd.message == R"({"status":"teapot"})");

  auto no_message = parse_error_body(409, R"({"error":{"code":"session_busy"}})");
  CHECK(format_api_error(no_message) == "arborctl: 409 session_busy");

  auto long_body = parse_error_body(500, std::string(300, 'x'));
  CHECK(long_body.message == std::string(200, 'x') + "…");
}

// -- tree ------------------------------------------------------------------------

TEST_CASE("a tree snapshot is drawn with box-drawing connectors", "[arborctl]") {
  auto drawing = draw_tree_json(three_level_tree);
  REQUIRE(drawing);
  CHECK(*drawing == "app (supervisor, rest_for_one) running, 3 active\n"
                    "├── event_bus (worker) running\n"
                    "├── sessions (supervisor, dynamic) running, 2 active, 1 restart\n"
                    "│   ├── s-1 (supervisor, rest_for_one) running, 1/2 active\n"
                    "│   │   ├── kernel (worker) restarting, 2 restarts\n"
                    "│   │   └── distributor (worker) running\n"
                    "│   └── s-2 (supervisor, rest_for_one) running, 1 active\n"
                    "│       └── kernel (worker) running\n"
                    "└── tasks (supervisor, dynamic) running, 0 active\n");
}

TEST_CASE("a node's line tolerates missing fields", "[arborctl]") {
  CHECK(describe_node(object_of(R"({"id":"x"})")) == "x");
  CHECK(describe_node(object_of(R"({"kind":"worker","state":"stopped"})")) == "? (worker) stopped");
  CHECK(describe_node(object_of(R"({"id":"s","kind":"supervisor","state":"running"})")) ==
        "s (supervisor) running");
  auto drawing = draw_tree_json(R"({"id":"r","children":[1,{"id":"c"}]})");
  REQUIRE(drawing);
  CHECK(*drawing == "r\n├── ? (malformed node)\n└── c\n");
}

TEST_CASE("a supervisor with many children shows the first ones and a count", "[arborctl]") {
  bj::object root{
      {"id", "app"},
      {"kind", "supervisor"},
      {"strategy", "one_for_one"},
      {"state", "running"},
      {"restarts", 0},
      {"counts", bj::object{{"specs", 2}, {"active", 2}}},
      {"children", bj::array{wide_supervisor("sessions", 25), wide_supervisor("few", 2)}}};
  auto drawing = draw_tree(root);
  REQUIRE(drawing);
  std::string expected = "app (supervisor, one_for_one) running, 2 active\n"
                         "├── sessions (supervisor, dynamic) running, 25 active\n";
  for (int i = 1; i <= 20; ++i)
    expected += "│   ├── c-" + std::to_string(i) + " (worker) running\n";
  expected += "│   └── … 5 more\n"
              "└── few (supervisor, dynamic) running, 2 active\n"
              "    ├── c-1 (worker) running\n"
              "    └── c-2 (worker) running\n";
  CHECK(*drawing == expected);

  SECTION("exactly the limit is not truncated") {
    auto exact = draw_tree(wide_supervisor("s", 20));
    REQUIRE(exact);
    CHECK(exact->find("more") == std::string::npos);
    CHECK(exact->find("└── c-20 (worker) running\n") != std::string::npos);
  }
  SECTION("a custom limit, and 0 for all") {
    auto three = draw_tree(wide_supervisor("s", 5), 3);
    REQUIRE(three);
    CHECK(*three == "s (supervisor, dynamic) running, 5 active\n"
                    "├── c-1 (worker) running\n"
                    "├── c-2 (worker) running\n"
                    "├── c-3 (worker) running\n"
                    "└── … 2 more\n");
    auto all = draw_tree(wide_supervisor("s", 25), 0);
    REQUIRE(all);
    CHECK(all->find("more") == std::string::npos);
    CHECK(all->find("└── c-25 (worker) running\n") != std::string::npos);
  }
}

TEST_CASE("a tree reply that is not a node object is an error", "[arborctl]") {
  auto bad_json = draw_tree_json("{\"id\":");
  REQUIRE_FALSE(bad_json);
  CHECK(bad_json.error().rfind("bad JSON: ", 0) == 0);
  auto array = draw_tree_json("[]");
  REQUIRE_FALSE(array);
  CHECK(array.error() == "the tree must be a JSON object");
}

// -- logs ------------------------------------------------------------------------

TEST_CASE("log levels parse", "[arborctl]") {
  CHECK(parse_log_level("info") == log_level::info);
  CHECK(parse_log_level("warn") == log_level::warn);
  CHECK(parse_log_level("error") == log_level::error);
  CHECK_FALSE(parse_log_level("warning"));
  CHECK_FALSE(parse_log_level(""));
}

TEST_CASE("log lines are filtered by event, level and supervisor prefix", "[arborctl]") {
  auto started = log_line("info", "child_started", "/app/sessions/s-1");
  auto exited = log_line("warn", "child_exited", "/app/sessions/s-10");
  auto exceeded = log_line("error", "restart_intensity_exceeded", "/app/sessions/s-1");
  auto node = log_line("info", "node_started", "/app");

  log_filter none;
  CHECK(log_line_matches(none, started));

  log_filter events;
  events.events = {"child_exited", "restart_intensity_exceeded"};
  CHECK_FALSE(log_line_matches(events, started));
  CHECK(log_line_matches(events, exited));
  CHECK(log_line_matches(events, exceeded));

  log_filter warn;
  warn.min_level = log_level::warn;
  CHECK_FALSE(log_line_matches(warn, started));
  CHECK(log_line_matches(warn, exited));
  CHECK(log_line_matches(warn, exceeded));
  log_filter error;
  error.min_level = log_level::error;
  CHECK_FALSE(log_line_matches(error, exited));
  CHECK(log_line_matches(error, exceeded));
  CHECK(log_line_matches(error, log_line("fatal", "x", "/app"))); // unknown: never hidden

  log_filter session;
  session.supervisor_prefix = "/app/sessions/s-1";
  CHECK(log_line_matches(session, started));
  CHECK_FALSE(log_line_matches(session, exited)); // s-10 is not below s-1
  CHECK(log_line_matches(session, log_line("info", "x", "/app/sessions/s-1/watchers")));
  CHECK_FALSE(log_line_matches(session, node));
  session.supervisor_prefix = "/app/sessions/";
  CHECK(log_line_matches(session, started));
  CHECK(log_line_matches(session, log_line("info", "x", "/app/sessions")));
  CHECK_FALSE(log_line_matches(session, node));
  session.supervisor_prefix = "/";
  CHECK(log_line_matches(session, node));

  log_filter all;
  all.events = {"child_started", "child_exited"};
  all.min_level = log_level::warn;
  all.supervisor_prefix = "/app/sessions";
  CHECK_FALSE(log_line_matches(all, started));
  CHECK(log_line_matches(all, exited));
  CHECK_FALSE(log_line_matches(all, exceeded));
  CHECK_FALSE(log_line_matches(all, bj::object{{"level", "warn"}, {"event", "child_exited"}}));
}

TEST_CASE("path_under compares whole path segments", "[arborctl]") {
  CHECK(path_under("/app", "/app"));
  CHECK(path_under("/app/tasks", "/app"));
  CHECK_FALSE(path_under("/application", "/app"));
  CHECK_FALSE(path_under("/ap", "/app"));
  CHECK(path_under("/anything", ""));
  CHECK(path_under("/app/sessions", "/app/sessions//"));
}

TEST_CASE("log lines are formatted for humans", "[arborctl]") {
  CHECK(format_log_line(object_of(sample_line)) ==
        "2026-11-30T05:00:00.123Z warn  child_exited /app/sessions/s-7/kernel "
        "reason=exit_code:137 restarts=2 window_s=5");
  CHECK(format_log_line(
            object_of(R"({"ts":"T","v":1,"level":"info","event":"shutdown_completed","node":"n1",)"
                      R"("supervisor":"/app","reason":"shutdown","duration_ms":12})")) ==
        "T info  shutdown_completed /app reason=shutdown duration_ms=12");
  CHECK(format_log_line(object_of(
            R"({"ts":"T","level":"error","event":"child_start_failed","node":"n1",)"
            R"("supervisor":"/app/sessions/s-2","child":"kernel",)"
            R"("reason":"start_failed:c: port in use","window_s":0.5,"ok":true,"x":null})")) ==
        "T error child_start_failed /app/sessions/s-2/kernel "
        "reason=\"start_failed:c: port in use\" window_s=0.5 ok=true x=null");
  CHECK(format_log_line(
            object_of(R"({"ts":"T","level":"warn","event":"shutdown_stalled","node":"n1",)"
                      R"("supervisor":"/app","deadline":"150ms",)"
                      R"("alive":[{"path":"/app/x","state":"stopping"}]})")) ==
        "T warn  shutdown_stalled /app deadline=150ms "
        R"(alive=[{"path":"/app/x","state":"stopping"}])");
  CHECK(format_log_line(bj::object{}) == "- -     - -");
}

TEST_CASE("a logs reply parses into lines and next", "[arborctl]") {
  auto page = parse_log_page(R"({"lines":[{"event":"a"},{"event":"b"}],"next":7})");
  REQUIRE(page);
  CHECK(page->next == 7);
  REQUIRE(page->lines.size() == 2);
  CHECK(page->lines[1].at("event") == "b");
  auto empty = parse_log_page(R"({"lines":[],"next":0})");
  REQUIRE(empty);
  CHECK(empty->lines.empty());
  CHECK_FALSE(parse_log_page(R"({"lines":[]})"));
  CHECK_FALSE(parse_log_page(R"({"lines":[1],"next":1})"));
  CHECK_FALSE(parse_log_page(R"({"next":-1,"lines":[]})"));
  CHECK_FALSE(parse_log_page("nope"));
}

// -- sessions --------------------------------------------------------------------

TEST_CASE("sessions are formatted as an aligned table", "[arborctl]") {
  auto table = format_sessions_table_json(R"({"sessions":[
    {"id":"s-1","state":"running",
     "kernel":{"name":"default","pid":4242,"restarts":0,"state":"running"},
     "clients":2,"created_at":"2026-11-30T05:00:00Z","file":"/home/u/a.ipynb"},
    {"id":"s-10","state":"starting",
     "kernel":{"name":"default","pid":null,"restarts":1,"state":"starting"},
     "clients":0,"created_at":"2026-11-30T05:01:00Z"}]})");
  REQUIRE(table);
  CHECK(*table ==
        "ID    STATE     KERNEL PID  RESTARTS  CLIENTS  CREATED               FILE\n"
        "s-1   running   4242        0         2        2026-11-30T05:00:00Z  /home/u/a.ipynb\n"
        "s-10  starting  -           1         0        2026-11-30T05:01:00Z  -\n");
}

TEST_CASE("the session table copes with no sessions and odd replies", "[arborctl]") {
  auto empty = format_sessions_table_json(R"({"sessions":[]})");
  REQUIRE(empty);
  CHECK(*empty == "ID  STATE  KERNEL PID  RESTARTS  CLIENTS  CREATED  FILE\n");
  auto no_kernel = format_sessions_table_json(
      R"({"sessions":[{"id":"s-1"},{"id":"s-2","kernel":{"pid":0,"restarts":0},"file":""}]})");
  REQUIRE(no_kernel);
  CHECK(*no_kernel == "ID   STATE  KERNEL PID  RESTARTS  CLIENTS  CREATED  FILE\n"
                      "s-1  -      -           -         -        -        -\n"
                      "s-2  -      -           0         -        -        -\n");
  auto missing = format_sessions_table_json(R"({"items":[]})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == "the reply needs a 'sessions' array");
  CHECK_FALSE(format_sessions_table_json(R"({"sessions":[3]})"));
  CHECK_FALSE(format_sessions_table_json("<html>"));
}

// -- commands against a faked server ---------------------------------------------

TEST_CASE("sessions and tree print tables, drawings or the raw reply", "[arborctl]") {
  fake_server server;
  server.reply(200, R"({"sessions":[]})");
  CHECK(run_sessions(server.ctx(), false) == 0);
  CHECK(server.out.str() == "ID  STATE  KERNEL PID  RESTARTS  CLIENTS  CREATED  FILE\n");
  REQUIRE(server.requests.size() == 1);
  CHECK(server.requests[0].method == "GET");
  CHECK(server.requests[0].target == "/api/sessions");

  fake_server raw;
  raw.reply(200, R"({"id":"app"})");
  CHECK(run_tree(raw.ctx(), true, 20) == 0);
  CHECK(raw.out.str() == "{\"id\":\"app\"}\n");
  CHECK(raw.requests.at(0).target == "/api/tree");

  fake_server drawn;
  drawn.reply(200, std::string{three_level_tree});
  CHECK(run_tree(drawn.ctx(), false, 20) == 0);
  CHECK(drawn.out.str().rfind("app (supervisor, rest_for_one) running, 3 active\n├──", 0) == 0);
}

TEST_CASE("failures are one line on stderr and exit code 1", "[arborctl]") {
  fake_server refused;
  refused.refuse();
  CHECK(run_sessions(refused.ctx(), false) == 1);
  CHECK(refused.out.str().empty());
  CHECK(refused.err.str() ==
        "arborctl: cannot connect to http://127.0.0.1:8080: Connection refused\n");

  fake_server unauthorized;
  unauthorized.reply(401, R"({"error":{"code":"unauthorized","message":"bad token"}})");
  CHECK(run_tree(unauthorized.ctx(), false, 20) == 1);
  CHECK(unauthorized.err.str() == "arborctl: 401 unauthorized: bad token\n");

  fake_server garbled;
  garbled.reply(200, "<html>");
  CHECK(run_tree(garbled.ctx(), false, 20) == 1);
  CHECK(garbled.err.str().rfind("arborctl: bad reply from http://127.0.0.1:8080/api/tree: ", 0) ==
        0);

  fake_server slow;
  slow.replies.push_back(
      transport_failure{transport_failure_kind::timeout, "no reply within 10 s"});
  CHECK(run_shutdown(slow.ctx()) == 1);
  CHECK(slow.err.str() ==
        "arborctl: POST http://127.0.0.1:8080/api/shutdown: no reply within 10 s\n");
}

TEST_CASE("close and shutdown send their requests and confirm", "[arborctl]") {
  fake_server server;
  server.reply(200, R"({"id":"s-1","closed":true})");
  CHECK(run_close(server.ctx(), "s-1") == 0);
  CHECK(server.out.str() == "closed s-1\n");
  CHECK(server.requests.at(0).method == "DELETE");
  CHECK(server.requests.at(0).target == "/api/sessions/s-1");

  fake_server unknown;
  unknown.reply(404, R"({"error":{"code":"not_found","message":"no session s 9"}})");
  CHECK(run_close(unknown.ctx(), "s 9") == 1);
  CHECK(unknown.requests.at(0).target == "/api/sessions/s%209");
  CHECK(unknown.out.str().empty());
  CHECK(unknown.err.str() == "arborctl: 404 not_found: no session s 9\n");

  fake_server stop;
  stop.reply(202, R"({"status":"shutting_down"})");
  CHECK(run_shutdown(stop.ctx()) == 0);
  CHECK(stop.out.str() == "shutdown started\n");
  CHECK(stop.requests.at(0).method == "POST");
  CHECK(stop.requests.at(0).target == "/api/shutdown");
}

TEST_CASE("logs pages through the retained lines and filters them", "[arborctl]") {
  fake_server server;
  server.reply(200, logs_reply({log_line("info", "child_started", "/app"),
                                log_line("warn", "child_exited", "/app/sessions/s-1")},
                               2));
  server.reply(200, logs_reply({log_line("error", "child_killed", "/app/tasks")}, 3));
  server.reply(200, logs_reply({}, 3));
  logs_options options;
  options.filter.min_level = log_level::warn;
  options.page_size = 2;
  CHECK(run_logs(server.ctx(), options) == 0);
  CHECK(server.out.str() == "2026-11-30T05:00:00.000Z warn  child_exited /app/sessions/s-1\n"
                            "2026-11-30T05:00:00.000Z error child_killed /app/tasks\n");
  REQUIRE(server.requests.size() == 3);
  CHECK(server.requests[0].target == "/api/logs?after=0&limit=2");
  CHECK(server.requests[1].target == "/api/logs?after=2&limit=2");
  CHECK(server.requests[2].target == "/api/logs?after=3&limit=2");
  CHECK(server.err.str().empty());
}

TEST_CASE("logs --json prints the matching lines as JSON Lines", "[arborctl]") {
  fake_server server;
  server.reply(200, logs_reply({object_of(sample_line), log_line("info", "x", "/app")}, 2));
  server.reply(200, logs_reply({}, 2));
  logs_options options;
  options.json = true;
  options.filter.events = {"child_exited"};
  CHECK(run_logs(server.ctx(), options) == 0);
  CHECK(server.out.str() == std::string{sample_line} + "\n");
}

TEST_CASE("logs --follow polls until the server goes away", "[arborctl]") {
  fake_server server;
  server.reply(200, logs_reply({log_line("info", "a", "/app")}, 1));
  server.reply(200, logs_reply({}, 1));
  server.reply(200, logs_reply({}, 1));
  server.reply(200, logs_reply({log_line("info", "b", "/app")}, 2));
  server.refuse();
  logs_options options;
  options.follow = true;
  options.sleep = [&server](std::chrono::milliseconds interval) {
    CHECK(interval == std::chrono::milliseconds{500});
    ++server.sleeps;
  };
  CHECK(run_logs(server.ctx(), options) == 0);
  CHECK(server.sleeps == 2);
  CHECK(server.out.str() == "2026-11-30T05:00:00.000Z info  a /app\n"
                            "2026-11-30T05:00:00.000Z info  b /app\n");
  CHECK(server.err.str() ==
        "arborctl: http://127.0.0.1:8080 went away (Connection refused); stopped following\n");
  REQUIRE(server.requests.size() == 5);
  CHECK(server.requests[3].target == "/api/logs?after=1&limit=1000");
  CHECK(server.requests[4].target == "/api/logs?after=2&limit=1000");

  SECTION("a 503 while following also ends it") {
    fake_server stopping;
    stopping.reply(200, logs_reply({}, 0));
    stopping.reply(503, R"({"error":{"code":"shutting_down","message":"bye"}})");
    options.sleep = [](std::chrono::milliseconds) {};
    CHECK(run_logs(stopping.ctx(), options) == 0);
    CHECK(stopping.err.str() == "arborctl: http://127.0.0.1:8080 went away (503 shutting_down); "
                                "stopped following\n");
  }
  SECTION("another 503 is an error") {
    fake_server busy;
    busy.reply(200, logs_reply({}, 0));
    busy.reply(503, R"({"error":{"code":"queue_full","message":"try later"}})");
    options.sleep = [](std::chrono::milliseconds) {};
    CHECK(run_logs(busy.ctx(), options) == 1);
    CHECK(busy.err.str() == "arborctl: 503 queue_full: try later\n");
  }
}

TEST_CASE("logs --follow fails if it never connected or on other errors", "[arborctl]") {
  logs_options options;
  options.follow = true;
  options.sleep = [](std::chrono::milliseconds) {};

  fake_server never;
  never.refuse();
  CHECK(run_logs(never.ctx(), options) == 1);
  CHECK(never.err.str() ==
        "arborctl: cannot connect to http://127.0.0.1:8080: Connection refused\n");

  fake_server denied;
  denied.reply(200, logs_reply({}, 0));
  denied.reply(401, R"({"error":{"code":"unauthorized","message":"token revoked"}})");
  CHECK(run_logs(denied.ctx(), options) == 1);
  CHECK(denied.err.str() == "arborctl: 401 unauthorized: token revoked\n");

  fake_server garbled;
  garbled.reply(200, R"({"lines":[]})");
  CHECK(run_logs(garbled.ctx(), options) == 1);
  CHECK(garbled.err.str().rfind("arborctl: bad reply from http://127.0.0.1:8080/api/logs?after=0",
                                0) == 0);
}
