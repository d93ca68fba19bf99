// Tests of arbord's config file module: defaults, every key, each kind of
// error (message names the key), validate(), to_json_text round trip, load().
#include "apps/arbord/config.hpp"
#include "messages/errc.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace arbor;
using namespace arbor::config;

namespace {

/// The error message of parsing `text` (fails the test when it parses).
std::string error_of(std::string_view text) {
  auto cfg = parse(text);
  REQUIRE_FALSE(cfg);
  CHECK(is(cfg.error(), errc::bad_config));
  return context_of(cfg.error());
}

std::string error_of(const caf::error& err) {
  REQUIRE(err);
  CHECK(is(err, errc::bad_config));
  return context_of(err);
}

constexpr std::string_view full_config = R"({
  "host": "0.0.0.0",
  "port": 9000,
  "token": "0123456789abcdef-token",
  "allowed_origins": ["http://localhost:3000", "https://app.example.com"],
  "session_ttl": 42.5,
  "heartbeat": {"interval": 2.5, "max_missed": 4},
  "replay": {"lines": 500, "bytes": 65536},
  "kernels": {
    "default": {"command": ["/usr/bin/python3", "-u", "kernel.py"],
                "env": {"PYTHONPATH": "/opt/lib", "LANG": "C.UTF-8"},
                "cwd": "/srv/kernels", "prestart": 2, "term_timeout": 0.5},
    "r-4.2": {"command": ["R", "--vanilla"]}
  },
  "lifespans": [
    {"name": "db", "command": ["postgres", "-D", "/var/db"], "env": {"PGPORT": "5433"},
     "cwd": "/var/db", "ready_line": "ready to accept connections$", "ready_port": 5433,
     "start_timeout": 30, "stop_timeout": 7.5},
    {"name": "cache_1", "command": ["redis-server"]}
  ],
  "limits": {"max_sessions": 50, "max_clients_per_session": 7, "max_connections": 300,
             "max_body_bytes": 4096, "max_frame_bytes": 2048, "client_queue_bytes": 131072,
             "client_queue_lines": 99, "client_stall_timeout": 2.5},
  "log": {"node": "edge-2", "file": "/var/log/arbord/supervisor.log", "stderr": false,
          "max_file_bytes": 1048576, "max_files": 9},
  "export_dir": "/srv/exports",
  "file_roots": ["/srv/data", "/home"],
  "stop_timeout": 120,
  "scheduler": {"workers": 2, "idle_polling": true, "lean_clock": false, "io_loops": 2}
})";

} // namespace

TEST_CASE("an empty object keeps every default", "[config]") {
  auto cfg = parse("{}");
  REQUIRE(cfg);
  server defaults;
  CHECK(cfg->host == "127.0.0.1");
  CHECK(cfg->port == 8080);
  CHECK(cfg->token.empty());
  CHECK(cfg->allowed_origins.empty());
  CHECK(cfg->session_ttl_s == 300);
  CHECK(cfg->heartbeat_interval_s == 5);
  CHECK(cfg->heartbeat_max_missed == 3);
  CHECK(cfg->replay_lines == 10000);
  CHECK(cfg->replay_bytes == (8u << 20));
  CHECK(cfg->kernels.empty()); // the server adds the built-in "default" kernel
  CHECK(cfg->lifespans.empty());
  CHECK(cfg->limit.max_sessions == 1000);
  CHECK(cfg->limit.max_frame_bytes == (1u << 20));
  CHECK(cfg->logging.node == "n1");
  CHECK(cfg->logging.to_stderr);
  CHECK(cfg->export_dir.empty());
  CHECK(cfg->file_roots.empty());
  CHECK(cfg->stop_timeout_s == 90);
  CHECK(cfg->scheduler.workers == 0);
  CHECK_FALSE(cfg->scheduler.idle_polling);
  CHECK(cfg->scheduler.lean_clock);
  CHECK(cfg->io_loops == 1);
  CHECK(to_json_text(*cfg) == to_json_text(defaults));
  CHECK_FALSE(validate(defaults));
}

TEST_CASE("every key is parsed", "[config]") {
  auto cfg = parse(full_config);
  REQUIRE(cfg);
  CHECK(cfg->host == "0.0.0.0");
  CHECK(cfg->port == 9000);
  CHECK(cfg->token == "0123456789abcdef-token");
  CHECK(cfg->allowed_origins ==
        std::vector<std::string>{"http://localhost:3000", "https://app.example.com"});
  CHECK(cfg->session_ttl_s == 42.5);
  CHECK(cfg->heartbeat_interval_s == 2.5);
  CHECK(cfg->heartbeat_max_missed == 4);
  CHECK(cfg->replay_lines == 500);
  CHECK(cfg->replay_bytes == 65536);
  REQUIRE(cfg->kernels.size() == 2);
  const auto& k = cfg->kernels.at("default");
  CHECK(k.run.command == std::vector<std::string>{"/usr/bin/python3", "-u", "kernel.py"});
  CHECK(k.run.env ==
        std::map<std::string, std::string>{{"LANG", "C.UTF-8"}, {"PYTHONPATH", "/opt/lib"}});
  CHECK(k.run.cwd == "/srv/kernels");
  CHECK(k.prestart == 2);
  CHECK(k.term_timeout_s == 0.5);
  const auto& r = cfg->kernels.at("r-4.2");
  CHECK(r.run.command == std::vector<std::string>{"R", "--vanilla"});
  CHECK(r.prestart == 0);
  CHECK(r.term_timeout_s == 2);
  REQUIRE(cfg->lifespans.size() == 2);
  const auto& db = cfg->lifespans[0];
  CHECK(db.name == "db");
  CHECK(db.run.command == std::vector<std::string>{"postgres", "-D", "/var/db"});
  CHECK(db.run.env == std::map<std::string, std::string>{{"PGPORT", "5433"}});
  CHECK(db.run.cwd == "/var/db");
  CHECK(db.ready_line == "ready to accept connections$");
  CHECK(db.ready_port == 5433);
  CHECK(db.start_timeout_s == 30);
  CHECK(db.stop_timeout_s == 7.5);
  CHECK(cfg->lifespans[1].name == "cache_1");
  CHECK(cfg->lifespans[1].ready_line.empty());
  CHECK(cfg->lifespans[1].start_timeout_s == 10);
  CHECK(cfg->limit.max_sessions == 50);
  CHECK(cfg->limit.max_clients_per_session == 7);
  CHECK(cfg->limit.max_connections == 300);
  CHECK(cfg->limit.max_body_bytes == 4096);
  CHECK(cfg->limit.max_frame_bytes == 2048);
  CHECK(cfg->limit.client_queue_bytes == 131072);
  CHECK(cfg->limit.client_queue_lines == 99);
  CHECK(cfg->limit.client_stall_timeout_s == 2.5);
  CHECK(cfg->logging.node == "edge-2");
  CHECK(cfg->logging.file == "/var/log/arbord/supervisor.log");
  CHECK_FALSE(cfg->logging.to_stderr);
  CHECK(cfg->logging.max_file_bytes == 1048576);
  CHECK(cfg->logging.max_files == 9);
  CHECK(cfg->export_dir == "/srv/exports");
  CHECK(cfg->file_roots == std::vector<std::string>{"/srv/data", "/home"});
  CHECK(cfg->stop_timeout_s == 120);
  CHECK(cfg->scheduler.workers == 2);
  CHECK(cfg->scheduler.idle_polling);
  CHECK_FALSE(cfg->scheduler.lean_clock);
  CHECK(cfg->io_loops == 2);
  CHECK_FALSE(validate(*cfg));
}

TEST_CASE("special values and integral numbers are accepted", "[config]") {
  auto never = parse(R"({"session_ttl": -1, "port": 0, "replay": {"lines": 1e3}})");
  REQUIRE(never);
  CHECK(never->session_ttl_s == -1);
  CHECK(never->port == 0);
  CHECK(never->replay_lines == 1000);
  auto at_once = parse(R"({"session_ttl": 0})");
  REQUIRE(at_once);
  CHECK(at_once->session_ttl_s == 0);
}

TEST_CASE("a JSON syntax error names the line and column", "[config]") {
  CHECK(error_of("{\n  \"port\": 1,\n  \"host\": tru\n}").rfind("line 3, column 11: ", 0) == 0);
  CHECK(error_of("{\"port\": 1,}").rfind("line 1, column 12: ", 0) == 0);
  CHECK(error_of("").rfind("line 1, column 1: ", 0) == 0);
  CHECK(error_of("[1, 2]") == "the config must be a JSON object");
}

TEST_CASE("a wrong type names the key", "[config]") {
  CHECK(error_of(R"({"port": "8080"})") == "port: must be an integer in [0, 65535]");
  CHECK(error_of(R"({"host": 1})") == "host: must be a string");
  CHECK(error_of(R"({"allowed_origins": "http://x"})") ==
        "allowed_origins: must be an array of strings");
  CHECK(error_of(R"({"heartbeat": []})") == "heartbeat: must be an object");
  CHECK(error_of(R"({"log": {"stderr": 1}})") == "log.stderr: must be true or false");
  CHECK(error_of(R"({"session_ttl": "5"})") ==
        "session_ttl: must be -1 or a number in [0, 31536000]");
  CHECK(error_of(R"({"kernels": {"k": {"command": ["a"], "env": {"A": 1}}}})") ==
        "kernels.k.env: must be an object of strings");
  CHECK(error_of(R"({"kernels": {"k": ["a"]}})") == "kernels.k: must be an object");
  CHECK(error_of(R"({"kernels": {"default": {"command": "python3"}}})") ==
        "kernels.default.command: must be an array of strings");
  CHECK(error_of(R"({"lifespans": {}})") == "lifespans: must be an array of objects");
  CHECK(error_of(R"({"lifespans": [1]})") == "lifespans[0]: must be an object");
  CHECK(error_of(R"({"host": "a\u0000b"})") == "host: must be a string");
}

TEST_CASE("a value out of range names the key and the range", "[config]") {
  CHECK(error_of(R"({"port": 65536})") == "port: must be an integer in [0, 65535]");
  CHECK(error_of(R"({"port": -1})") == "port: must be an integer in [0, 65535]");
  CHECK(error_of(R"({"port": 80.5})") == "port: must be an integer in [0, 65535]");
  CHECK(error_of(R"({"limits": {"max_frame_bytes": 100}})") ==
        "limits.max_frame_bytes: must be an integer in [1024, 67108864]");
  CHECK(error_of(R"({"limits": {"max_sessions": 18446744073709551615}})") ==
        "limits.max_sessions: must be an integer in [1, 100000]");
  CHECK(error_of(R"({"session_ttl": -0.5})") ==
        "session_ttl: must be -1 or a number in [0, 31536000]");
  CHECK(error_of(R"({"heartbeat": {"interval": 0}})") ==
        "heartbeat.interval: must be a number in [0.1, 3600]");
  CHECK(error_of(R"({"kernels": {"k": {"command": ["a"], "prestart": 65}}})") ==
        "kernels.k.prestart: must be an integer in [0, 64]");
  CHECK(error_of(R"({"stop_timeout": 0})") == "stop_timeout: must be an integer in [1, 86400]");
  CHECK(error_of(R"({"scheduler": {"workers": 5000}})") ==
        "scheduler.workers: must be an integer in [0, 1024]");
  CHECK(error_of(R"({"scheduler": {"idle_polling": 1}})") ==
        "scheduler.idle_polling: must be true or false");
  CHECK(error_of(R"({"scheduler": {"io_loops": 3}})") ==
        "scheduler.io_loops: must be an integer in [1, 2]");
  CHECK(error_of(R"({"host": ""})") == "host: must be a non-empty string");
  CHECK(error_of(R"({"token": "short"})").rfind("token: must be empty or at least 16", 0) == 0);
  CHECK(error_of(R"({"token": "0123456789 abcdef"})").rfind("token: ", 0) == 0);
}

TEST_CASE("unknown keys are errors at every level", "[config]") {
  CHECK(error_of(R"({"prot": 1})") == R"(unknown key "prot" (did you mean "port"?))");
  CHECK(error_of(R"({"zzzzzz": 1})") == R"(unknown key "zzzzzz")");
  CHECK(error_of(R"({"limits": {"max_sesions": 5}})") ==
        R"(unknown key "limits.max_sesions" (did you mean "limits.max_sessions"?))");
  // a typo is reported before its consequence (the missing command)
  CHECK(error_of(R"({"kernels": {"default": {"comand": ["x"]}}})") ==
        R"(unknown key "kernels.default.comand" (did you mean "kernels.default.command"?))");
  CHECK(error_of(R"({"lifespans": [{"name": "a", "command": ["x"], "ready": "y"}]})") ==
        R"(unknown key "lifespans[0].ready")");
}

TEST_CASE("kernels and lifespans need a command and a valid name", "[config]") {
  CHECK(error_of(R"({"kernels": {"default": {"cwd": "/tmp"}}})") ==
        "kernels.default.command: must be a non-empty array of strings");
  CHECK(error_of(R"({"kernels": {"default": {"command": []}}})") ==
        "kernels.default.command: must be a non-empty array of strings");
  CHECK(error_of(R"({"kernels": {"default": {"command": [""]}}})") ==
        "kernels.default.command: must be a non-empty array of strings");
  CHECK(error_of(R"({"kernels": {"a b": {"command": ["x"]}}})") ==
        R"(kernels: name "a b" must match [A-Za-z0-9_.-]+)");
  CHECK(error_of(R"({"kernels": {"k": {"command": ["x"], "env": {"A=B": "c"}}}})") ==
        R"(kernels.k.env: variable name "A=B" must be non-empty and without '=')");
  CHECK(error_of(R"({"lifespans": [{"command": ["x"]}]})") ==
        "lifespans[0].name: must match [A-Za-z0-9_-]+");
  CHECK(error_of(R"({"lifespans": [{"name": "a.b", "command": ["x"]}]})") ==
        "lifespans[0].name: must match [A-Za-z0-9_-]+");
  CHECK(error_of(R"({"lifespans": [{"name": "db"}]})") ==
        "lifespans[0].command: must be a non-empty array of strings");
  CHECK(error_of(R"({"lifespans": [{"name": "db", "command": ["a"]},
                                   {"name": "db", "command": ["b"]}]})") ==
        R"(lifespans: name "db" is used twice)");
}

TEST_CASE("an invalid ready_line pattern is an error naming the key", "[config]") {
  auto msg =
      error_of(R"({"lifespans": [{"name": "db", "command": ["x"], "ready_line": "(ready"}]})");
  CHECK(msg.rfind("lifespans[0].ready_line: must be a valid ECMAScript regex", 0) == 0);
}

TEST_CASE("export_dir and file_roots must be absolute", "[config]") {
  CHECK(error_of(R"({"export_dir": "exports"})") == "export_dir: must be an absolute path");
  CHECK(error_of(R"({"file_roots": ["/srv", "data"]})") ==
        "file_roots[1]: must be an absolute path");
  CHECK(error_of(R"({"file_roots": [""]})") == "file_roots[0]: must be an absolute path");
}

TEST_CASE("validate re-checks a config changed by flags", "[config]") {
  server cfg;
  CHECK_FALSE(validate(cfg));
  cfg.export_dir = "relative/dir";
  CHECK(error_of(validate(cfg)) == "export_dir: must be an absolute path");
  cfg.export_dir = "/srv/exports";
  cfg.limit.max_sessions = 0;
  CHECK(error_of(validate(cfg)) == "limits.max_sessions: must be an integer in [1, 100000]");
  cfg.limit.max_sessions = 10;
  cfg.host.clear();
  CHECK(error_of(validate(cfg)) == "host: must be a non-empty string");
  cfg.host = "::1";
  cfg.token = "too-short";
  CHECK(error_of(validate(cfg)).rfind("token: ", 0) == 0);
  cfg.token = "a-token-of-sixteen+";
  cfg.stop_timeout_s = 100000;
  CHECK(error_of(validate(cfg)) == "stop_timeout: must be an integer in [1, 86400]");
  cfg.stop_timeout_s = 30;
  cfg.kernels["default"].run.command = {};
  CHECK(error_of(validate(cfg)) == "kernels.default.command: must be a non-empty array of strings");
  cfg.kernels["default"].run.command = {"/bin/kernel"};
  cfg.lifespans.push_back({"web", {{"srv"}, {}, ""}, "[", 0, 1, 1});
  CHECK(error_of(validate(cfg)).rfind("lifespans[0].ready_line: ", 0) == 0);
  cfg.lifespans[0].ready_line = "^listening on";
  cfg.session_ttl_s = -2;
  CHECK(error_of(validate(cfg)) == "session_ttl: must be -1 or a number in [0, 31536000]");
  cfg.session_ttl_s = -1;
  CHECK_FALSE(validate(cfg));
}

TEST_CASE("to_json_text round-trips through parse and redacts the token", "[config]") {
  auto cfg = parse(full_config);
  REQUIRE(cfg);
  auto text = to_json_text(*cfg);
  CHECK(text.find("\"token\": \"***\"") != std::string::npos);
  CHECK(text.find("0123456789abcdef") == std::string::npos);
  cfg->token.clear();
  text = to_json_text(*cfg);
  auto again = parse(text);
  REQUIRE(again);
  CHECK(to_json_text(*again) == text);
  CHECK(again->session_ttl_s == 42.5);
  CHECK(again->kernels.at("default").term_timeout_s == 0.5);
  CHECK(again->lifespans.at(0).ready_line == "ready to accept connections$");
  CHECK(again->logging.to_stderr == false);
  CHECK(again->file_roots == cfg->file_roots);
}

TEST_CASE("load reads a file and names it in errors", "[config]") {
  auto missing = load("/nonexistent/arbord.json");
  REQUIRE_FALSE(missing);
  CHECK(context_of(missing.error()) ==
        "/nonexistent/arbord.json: cannot read: No such file or directory");
  auto sample = load(ARBOR_SAMPLE_CONFIG);
  INFO((sample ? "" : context_of(sample.error())));
  REQUIRE(sample);
  CHECK_FALSE(validate(*sample));
  CHECK(sample->kernels.count("default") == 1);
}

TEST_CASE("load reports a directory and a syntax error with the path", "[config]") {
  auto dir = load("/");
  REQUIRE_FALSE(dir);
  CHECK(context_of(dir.error()) == "/: cannot read: Is a directory");
  auto bad = load("/proc/self/cmdline"); // NUL-separated argv: not JSON
  REQUIRE_FALSE(bad);
  CHECK(context_of(bad.error()).rfind("/proc/self/cmdline: line 1, column ", 0) == 0);
}
