// Integration: the real arbord on 127.0.0.1 port 0, driven over HTTP and
// WebSocket as clients would (the client contract of ARCHITECTURE.md §5).
#include "integration/client.hpp"
#include "integration/process.hpp"
#include "messages/json.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sys/wait.h>
#include <thread>

using namespace arbor::test;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

const std::string token = "integration-token-0123";

std::string str(const boost::json::object& o, const char* key) {
  auto i = o.find(key);
  return i != o.end() && i->value().is_string() ? std::string{i->value().as_string()} : "";
}

int64_t num(const boost::json::object& o, const char* key) {
  auto i = o.find(key);
  return i != o.end() && i->value().is_int64() ? i->value().as_int64() : -1;
}

/// A scratch directory, removed afterwards.
struct scratch_dir {
  fs::path path;
  scratch_dir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("arbor-it-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// arbord on port 0 with a known token; its supervisor log goes to a file.
struct server {
  scratch_dir dir;
  std::unique_ptr<child_process> proc;
  uint16_t port = 0;

  /// With `log_stderr`, the supervisor log also goes to arbord's output, where
  /// `proc->wait_for` can wait for an event.
  explicit server(std::vector<std::string> extra = {}, bool log_stderr = false) {
    std::vector<std::string> argv{ARBORD_PATH,  "--port",   "0",      "--token", token,
                                  "--log-file", log_path(), "--node", "it"};
    if (!log_stderr)
      argv.emplace_back("--no-log-stderr");
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc = std::make_unique<child_process>(argv);
    for (int i = 0; i < 50 && port == 0; ++i) {
      auto line = proc->read_line(seconds(20));
      if (line.empty())
        break;
      port = port_of(line);
    }
  }

  std::string log_path() const { return (dir.path / "supervisor.log").string(); }

  http_reply call(const std::string& method, const std::string& target,
                  const std::string& body = {}) const {
    return http_call(port, method, target, body, bearer(token));
  }

  std::string create(const std::string& body = "{}") const {
    auto r = call("POST", "/api/sessions", body);
    REQUIRE(r.status == 201);
    return std::string{r.json.as_object().at("id").as_string()};
  }

  std::unique_ptr<ws_client> attach(const std::string& id, const std::string& query = {}) const {
    return std::make_unique<ws_client>(port, "/ws/sessions/" + id + "?token=" + token + query);
  }

  /// The children of /app in the order the supervisor log says they stopped.
  std::vector<std::string> stopped_under_app() const {
    std::vector<std::string> stopped;
    for (const auto& line : log_lines()) {
      auto v = arbor::parse_json(line);
      if (v && v->is_object() && str(v->as_object(), "event") == "child_stopped" &&
          str(v->as_object(), "supervisor") == "/app")
        stopped.push_back(str(v->as_object(), "child"));
    }
    return stopped;
  }

  std::vector<std::string> log_lines() const {
    std::vector<std::string> lines;
    std::ifstream in{log_path()};
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }
};

std::string input(const std::string& line) {
  return boost::json::serialize(boost::json::object{{"type", "input"}, {"data", line}});
}

/// The next `output` frame's data (skipping status frames and the like).
std::string next_output(ws_client& c, int64_t* seq = nullptr) {
  auto f = c.next_of("output", seconds(10));
  if (!f)
    return "<none>";
  if (seq)
    *seq = num(*f, "seq");
  return str(*f, "data");
}

bool process_alive(int pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

} // namespace

TEST_CASE("health is open, everything else needs the token", "[http][auth]") {
  server s;
  REQUIRE(s.port != 0);
  CHECK(http_call(s.port, "GET", "/healthz").status == 200);
  CHECK(http_call(s.port, "GET", "/readyz").status == 200);
  auto denied = http_call(s.port, "GET", "/api/sessions");
  CHECK(denied.status == 401);
  CHECK(denied.json.at("error").at("code").as_string() == "unauthorized");
  CHECK(http_call(s.port, "GET", "/api/sessions", {}, bearer("wrong-token-0123456")).status == 401);
  CHECK(http_call(s.port, "GET", "/api/sessions?token=" + token).status == 200);
  ws_client ws{s.port, "/ws/sessions/s-00000000000000000000000000000000"};
  CHECK(ws.status() == 401);
}

TEST_CASE("sessions: create, list, get, export, delete, errors as JSON", "[http]") {
  server s{{"--export-dir", "/tmp"}};
  REQUIRE(s.port != 0);
  auto id = s.create();
  CHECK(id.size() == 34);
  auto one = s.call("GET", "/api/sessions/" + id);
  REQUIRE(one.status == 200);
  CHECK(one.json.at("kernel").at("pid").as_int64() > 0);
  auto all = s.call("GET", "/api/sessions");
  CHECK(all.json.at("sessions").as_array().size() == 1);
  auto exported = s.call("POST", "/api/sessions/" + id + "/export");
  REQUIRE(exported.status == 200);
  auto path = std::string{exported.json.at("path").as_string()};
  CHECK(fs::exists(path));
  fs::remove(path);
  CHECK(s.call("DELETE", "/api/sessions/" + id).status == 200);
  CHECK(s.call("GET", "/api/sessions/" + id).status == 404);
  CHECK(s.call("DELETE", "/api/sessions/" + id).status == 404);
  auto bad = s.call("POST", "/api/sessions", "{not json");
  CHECK(bad.status == 400);
  CHECK(bad.json.at("error").at("code").as_string() == "bad_json");
  CHECK(s.call("POST", "/api/sessions", R"({"kernel":"nope"})").status == 404);
  CHECK(s.call("POST", "/api/sessions", R"({"file":"/etc/passwd"})").status == 403);
  CHECK(s.call("GET", "/api/nothing").status == 404);
  CHECK(s.call("PUT", "/api/sessions").status == 405);
  // The server answers 413 while the client is still sending; it reads and
  // drops the rest before closing, so the answer is not lost to a reset.
  auto big = s.call("POST", "/api/sessions", std::string(2u << 20, ' '));
  CHECK(big.status == 413);
  CHECK(big.json.at("error").at("code").as_string() == "too_large");
}

TEST_CASE("two clients see the same output with increasing seq, since replays what was missed",
          "[http][ws]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto a = s.attach(id);
  auto b = s.attach(id);
  REQUIRE(a->status() == 101);
  REQUIRE(b->status() == 101);
  int64_t seq1 = 0, seq2 = 0, seq_b = 0;
  REQUIRE(a->send(input("hello")));
  CHECK(next_output(*a, &seq1) == "hello");
  CHECK(next_output(*b, &seq_b) == "hello");
  CHECK(seq_b == seq1);
  REQUIRE(a->send(input("upper world")));
  CHECK(next_output(*a, &seq2) == "WORLD");
  CHECK(seq2 > seq1);

  // b leaves; three lines are produced; b comes back with since = its last seq.
  b.reset();
  for (auto word : {"one", "two", "three"}) {
    REQUIRE(a->send(input(word)));
    CHECK(next_output(*a) == word);
  }
  auto again = s.attach(id, "&since=" + std::to_string(seq2));
  REQUIRE(again->status() == 101);
  std::vector<std::string> replayed;
  int64_t last = seq2;
  for (int i = 0; i < 3; ++i) {
    int64_t seq = 0;
    replayed.push_back(next_output(*again, &seq));
    CHECK(seq == last + 1);
    last = seq;
  }
  CHECK(replayed == std::vector<std::string>{"one", "two", "three"});
  REQUIRE(a->send(input("four")));
  int64_t seq4 = 0;
  CHECK(next_output(*again, &seq4) == "four"); // no duplicate before it
  CHECK(seq4 == last + 1);
}

TEST_CASE("interrupt reaches the kernel, a crash gives status frames and a restart",
          "[http][ws][restart]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto c = s.attach(id);
  REQUIRE(c->status() == 101);
  // "running" means the process started; a SIGINT before the kernel set up its
  // handler would end it (and it would be restarted). An answered line shows
  // the kernel is past that point.
  REQUIRE(c->send(input("ready?")));
  REQUIRE(next_output(*c) == "ready?");
  REQUIRE(c->send(R"({"type":"interrupt"})"));
  CHECK(next_output(*c) == "interrupted");
  auto pid_before = s.call("GET", "/api/sessions/" + id).json.at("kernel").at("pid").as_int64();
  REQUIRE(c->send(input("crash")));
  auto status = c->next_of("status", seconds(10));
  REQUIRE(status);
  bool running_again = false;
  for (int i = 0; i < 5 && !running_again; ++i) {
    if (str(*status, "state") == "running" && num(*status, "restarts") >= 1)
      running_again = true;
    else if (!(status = c->next_of("status", seconds(10))))
      break;
  }
  CHECK(running_again);
  auto info = s.call("GET", "/api/sessions/" + id).json.at("kernel");
  CHECK(info.at("restarts").as_int64() >= 1);
  CHECK(info.at("pid").as_int64() != pid_before);
  REQUIRE(c->send(input("still here")));
  CHECK(next_output(*c) == "still here");
}

TEST_CASE("bad client frames get an error frame and the connection stays usable", "[http][ws]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto c = s.attach(id);
  REQUIRE(c->status() == 101);
  REQUIRE(c->send("{this is not json"));
  auto err = c->next_of("error", seconds(10));
  REQUIRE(err);
  CHECK(str(*err, "code") == "bad_json");
  REQUIRE(c->send(R"({"type":"launch"})"));
  CHECK(c->next_of("error", seconds(10)));
  REQUIRE(c->send(R"({"type":"ping"})"));
  CHECK(c->next_of("pong", seconds(10)));
  REQUIRE(c->send(input("fine")));
  CHECK(next_output(*c) == "fine");
}

TEST_CASE("an oversized frame closes with 1009, an unknown session with 4404", "[http][ws]") {
  server s{{"--config", ARBOR_IT_CONFIG}};
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto c = s.attach(id);
  REQUIRE(c->status() == 101);
  REQUIRE(c->send(input(std::string(20000, 'x')))); // max_frame_bytes is 16384 here
  CHECK(c->wait_close(seconds(10)) == 1009);
  auto other = s.attach(id);
  REQUIRE(other->status() == 101); // the session is unaffected
  REQUIRE(other->send(input("ok")));
  CHECK(next_output(*other) == "ok");
  auto unknown = s.attach("s-0123456789abcdef0123456789abcdef");
  REQUIRE(unknown->status() == 101);
  auto err = unknown->next_of("error", seconds(10));
  REQUIRE(err);
  CHECK(str(*err, "code") == "not_found");
  CHECK(unknown->wait_close(seconds(10)) == 4404);
}

TEST_CASE("a WebSocket from a foreign Origin is refused with 403", "[http][ws][auth]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  ws_client evil{
      s.port, "/ws/sessions/" + id + "?token=" + token, {{"Origin", "http://evil.example"}}};
  CHECK(evil.status() == 403);
  ws_client same{s.port,
                 "/ws/sessions/" + id + "?token=" + token,
                 {{"Origin", "http://127.0.0.1:" + std::to_string(s.port)}}};
  CHECK(same.status() == 101);
}

TEST_CASE("TTL: a session outlives its last client for session_ttl, then closes", "[http][ws]") {
  server s{{"--session-ttl", "1"}, true};
  REQUIRE(s.port != 0);
  auto id = s.create();
  s.attach(id).reset(); // attach and leave: the TTL starts
  auto back = s.attach(id);
  REQUIRE(back->status() == 101); // within the TTL: the same session
  REQUIRE(back->send(input("again")));
  CHECK(next_output(*back) == "again");
  INFO("close " << back->close_code() << " skipped " << back->skipped.size());
  CHECK(back->open());
  auto left_at = std::chrono::steady_clock::now();
  back.reset();
  // The supervisor log's session_expired line is the event to wait for.
  REQUIRE(s.proc->wait_for(R"("event":"session_expired")", seconds(10)));
  auto closed_at = std::chrono::steady_clock::now();
  auto line = arbor::parse_json(s.proc->seen.back());
  REQUIRE(line);
  CHECK(str(line->as_object(), "supervisor") == "/app/sessions");
  CHECK(str(line->as_object(), "child") == id);
  CHECK(str(line->as_object(), "reason") == "ttl_expired");
  REQUIRE(s.proc->wait_for(R"("event":"session_closed")", seconds(10)));
  CHECK(s.proc->seen.back().find(id) != std::string::npos);
  CHECK(closed_at - left_at >= milliseconds(900)); // not before the TTL
  CHECK(s.call("GET", "/api/sessions/" + id).status == 404);
}

TEST_CASE("metrics, logs and tree describe the running node", "[http]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto c = s.attach(id);
  REQUIRE(c->status() == 101);
  REQUIRE(c->send(input("x")));
  CHECK(next_output(*c) == "x");
  auto metrics = s.call("GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("arbor_sessions 1\n") != std::string::npos);
  CHECK(metrics.body.find("arbor_clients 1\n") != std::string::npos);
  CHECK(metrics.body.find(R"(arbor_supervisor_events_total{event="session_created"} 1)") !=
        std::string::npos);
  auto logs = s.call("GET", "/api/logs?after=0&limit=1000");
  REQUIRE(logs.status == 200);
  CHECK(logs.json.at("lines").as_array().size() > 5);
  CHECK(logs.json.at("next").as_int64() >= 5);
  auto tree = s.call("GET", "/api/tree");
  REQUIRE(tree.status == 200);
  auto& children = tree.json.at("children").as_array();
  REQUIRE(children.size() == 4);
  CHECK(children.back().at("id").as_string() == "http");
}

TEST_CASE(
    "SIGTERM with live clients: closing + 1001 to each, kernels reaped, exit 0, reverse order",
    "[http][ws][shutdown]") {
  server s;
  REQUIRE(s.port != 0);
  std::vector<std::unique_ptr<ws_client>> clients;
  std::vector<int64_t> pids;
  for (int i = 0; i < 3; ++i) {
    auto id = s.create();
    pids.push_back(s.call("GET", "/api/sessions/" + id).json.at("kernel").at("pid").as_int64());
    for (int j = 0; j < 2; ++j) {
      clients.push_back(s.attach(id));
      REQUIRE(clients.back()->status() == 101);
    }
    REQUIRE(clients.back()->send(input("burst 50")));
  }
  s.proc->signal(SIGTERM);
  for (auto& c : clients) {
    INFO("client " << (&c - clients.data()));
    auto closing = c->next_of("closing", seconds(20));
    INFO("skipped " << c->skipped.size() << " close " << c->close_code());
    CHECK(closing);
    CHECK(c->wait_close(seconds(10)) == 1001);
  }
  CHECK(s.proc->wait_exit(seconds(30)) == 0);
  for (auto pid : pids)
    CHECK_FALSE(process_alive(static_cast<int>(pid)));
  auto stopped = s.stopped_under_app();
  CHECK(stopped == std::vector<std::string>{"http", "sessions", "tasks", "event_bus"});
}

//   client 0..31 ──handshake──▶ arbord ◀── SIGTERM once 8 of them got their 101
// The others are mid-handshake or mid-attach when the shutdown overtakes them
// (the 101 in flight, the session not yet looked up): they end as every
// unattached client does, closing + 1001, never 4404 or 1011. Clients refused
// by the closing listener never get a 101 and are not counted.
TEST_CASE("WebSocket handshakes in flight when SIGTERM arrives end with closing + 1001",
          "[http][ws][shutdown]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  constexpr size_t n = 32;
  std::vector<std::unique_ptr<ws_client>> clients(n);
  std::mutex mx;
  std::condition_variable cv;
  size_t done = 0;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      auto c = s.attach(id);
      std::lock_guard<std::mutex> guard{mx};
      clients[i] = std::move(c);
      ++done;
      cv.notify_one();
    });
  {
    std::unique_lock<std::mutex> lock{mx};
    cv.wait_for(lock, seconds(20), [&] { return done >= 8; });
  }
  s.proc->signal(SIGTERM);
  for (auto& t : threads)
    t.join();
  size_t upgraded = 0;
  for (size_t i = 0; i < n; ++i) {
    auto& c = clients[i];
    if (c->status() != 101)
      continue;
    ++upgraded;
    INFO("client " << i);
    auto closing = c->next_of("closing", seconds(20));
    INFO("skipped " << c->skipped.size() << " close " << c->close_code());
    CHECK(closing);
    CHECK(c->wait_close(seconds(10)) == 1001);
  }
  CHECK(upgraded >= 8);
  CHECK(s.proc->wait_exit(seconds(30)) == 0);
}

TEST_CASE("POST /api/shutdown stops the node like SIGTERM", "[http][shutdown]") {
  server s;
  REQUIRE(s.port != 0);
  auto r = s.call("POST", "/api/shutdown");
  CHECK(r.status == 202);
  CHECK(s.proc->wait_exit(seconds(30)) == 0);
}

TEST_CASE("an invalid config file is one error line and exit 2", "[http][config]") {
  scratch_dir dir;
  auto path = (dir.path / "bad.json").string();
  std::ofstream{path} << R"({"port": "eighty"})";
  child_process proc{{ARBORD_PATH, "--config", path}};
  CHECK(proc.wait_exit(seconds(20)) == 2);
  REQUIRE_FALSE(proc.seen.empty());
  CHECK(proc.seen.front().find("arbord: bad config:") == 0);
  CHECK(proc.seen.front().find("port") != std::string::npos);
}

namespace {

/// A config file in its own scratch directory.
struct config_file {
  scratch_dir dir;
  std::string path;
  explicit config_file(const std::string& text) : path((dir.path / "arbord.json").string()) {
    std::ofstream{path} << text;
  }
};

} // namespace

// client ─frames right after the handshake─▶ connection (64 held, then reading
//        pauses until attached)
//        ─then directly─▶ session channel ─▶ kernel stdin; output back in order.
TEST_CASE("inputs sent right after the handshake are answered in order, one I/O loop or two",
          "[http][ws]") {
  for (int loops : {1, 2}) {
    CAPTURE(loops);
    config_file cfg{R"({"scheduler": {"io_loops": )" + std::to_string(loops) + "}}"};
    server s{{"--config", cfg.path}};
    REQUIRE(s.port != 0);
    auto id = s.create();
    auto c = s.attach(id);
    REQUIRE(c->status() == 101);
    // One TCP write right after the handshake: arbord reads all 300 before the
    // attach completes, holds them, stops reading past 64 held, and refuses none.
    std::vector<std::string> burst;
    for (int i = 0; i < 300; ++i)
      burst.push_back(input("line-" + std::to_string(i)));
    REQUIRE(c->send_burst(burst));
    int64_t prev = 0;
    for (int i = 0; i < 300; ++i) {
      int64_t seq = 0;
      REQUIRE(next_output(*c, &seq) == "line-" + std::to_string(i));
      CHECK(seq == prev + 1);
      prev = seq;
    }
    REQUIRE(c->send(R"({"type":"ping"})"));
    CHECK(c->next_of("pong", seconds(10)));
  }
}

TEST_CASE("a client over max_clients_per_session gets limit_reached and 1008", "[http][ws]") {
  server s{{"--config", ARBOR_IT_CONFIG}}; // max_clients_per_session: 4
  REQUIRE(s.port != 0);
  auto id = s.create();
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(s.attach(id));
    REQUIRE(clients.back()->next_of("status", seconds(10))); // attached
  }
  auto fifth = s.attach(id);
  REQUIRE(fifth->status() == 101);
  auto err = fifth->next_of("error", seconds(10));
  REQUIRE(err);
  CHECK(str(*err, "code") == "limit_reached");
  CHECK(fifth->wait_close(seconds(10)) == 1008);
  REQUIRE(clients.front()->send(input("others unaffected")));
  for (auto& c : clients)
    CHECK(next_output(*c) == "others unaffected");
}

TEST_CASE("a client that stops reading is dropped with 1008, the others get every line",
          "[http][ws][slow]") {
  config_file cfg{R"({"heartbeat": {"interval": 2, "max_missed": 3},
                      "limits": {"client_queue_lines": 1000, "client_stall_timeout": 3}})"};
  server s{{"--config", cfg.path}};
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto stuck = s.attach(id);
  auto reader = s.attach(id);
  REQUIRE(stuck->next_of("status", seconds(10)));
  REQUIRE(reader->next_of("status", seconds(10)));
  constexpr int lines = 200000; // far more than the socket buffers and the client queue hold
  REQUIRE(reader->send(input("burst " + std::to_string(lines))));
  // The reader is checked with one assertion at the end (200,000 Catch
  // assertions are slow under ThreadSanitizer): the stuck client, dropped a
  // few seconds in, must still read up to its close frame within the
  // server's 30 s bound afterwards.
  int64_t last = 0;
  int received = 0;
  int out_of_order = 0;
  while (received < lines) {
    auto f = reader->next_of("output", seconds(20));
    if (!f)
      break;
    out_of_order += num(*f, "seq") == last + 1 ? 0 : 1;
    last = num(*f, "seq");
    ++received;
  }
  INFO("reader closed with " << reader->close_code());
  INFO("session " << s.call("GET", "/api/sessions/" + id).body);
  CHECK(received == lines);
  CHECK(out_of_order == 0);
  CHECK(stuck->wait_close(seconds(30)) == 1008); // it never answered a ping nor read
  auto metrics = s.call("GET", "/metrics").body;
  auto at = metrics.find("\narbor_dropped_clients_total ");
  REQUIRE(at != std::string::npos);
  // The stuck client, and the reader too once it stopped reading to wait here.
  CHECK(std::stoi(metrics.substr(at + 29)) >= 1);
}

TEST_CASE("lifespans from the config start before sessions and stop after them", "[http][config]") {
  config_file cfg{R"({"lifespans": [{"name": "aux", "command": ["/bin/sh", "-c",
                        "echo starting; echo ready; exec sleep 600"], "ready_line": "^ready$"}]})"};
  server s{{"--config", cfg.path}};
  REQUIRE(s.port != 0);
  CHECK(http_call(s.port, "GET", "/readyz").status == 200);
  auto tree = s.call("GET", "/api/tree");
  REQUIRE(tree.status == 200);
  auto& children = tree.json.at("children").as_array();
  REQUIRE(children.size() == 5);
  CHECK(children.at(2).at("id").as_string() == "lifespans");
  s.create();
  s.proc->signal(SIGTERM);
  CHECK(s.proc->wait_exit(seconds(30)) == 0);
  auto stopped = s.stopped_under_app();
  CHECK(stopped == std::vector<std::string>{"http", "sessions", "lifespans", "tasks", "event_bus"});
}

//   /app
//   └── lifespans
//       └── aux   exits 3 on SIGTERM: its teardown fails
TEST_CASE("a lifespan whose teardown fails: the others stop, node_stopped names it, exit 1",
          "[http][config]") {
  config_file cfg{R"json({"lifespans": [{"name": "aux", "command": ["python3", "-c",
      "import signal, sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(3))\nprint('ready', flush=True)\nwhile True: signal.pause()"],
      "ready_line": "^ready$"}]})json"};
  server s{{"--config", cfg.path}};
  REQUIRE(s.port != 0);
  s.proc->signal(SIGTERM);
  CHECK(s.proc->wait_exit(seconds(30)) == 1);
  CHECK(s.stopped_under_app() ==
        std::vector<std::string>{"http", "sessions", "lifespans", "tasks", "event_bus"});
  std::string node_stopped;
  for (const auto& line : s.log_lines()) {
    auto v = arbor::parse_json(line);
    if (v && v->is_object() && str(v->as_object(), "event") == "node_stopped")
      node_stopped = str(v->as_object(), "reason") + " " + str(v->as_object(), "level");
  }
  CHECK(node_stopped == "exit_code:3 error");
}

TEST_CASE("arborctl lists, draws, follows logs, closes and shuts down", "[http][arborctl]") {
  server s;
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto url = "http://127.0.0.1:" + std::to_string(s.port);
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{ARBORCTL_PATH, "--url", url, "--token", token};
    argv.insert(argv.end(), args.begin(), args.end());
    auto proc = std::make_unique<child_process>(argv);
    int code = proc->wait_exit(seconds(20));
    return std::make_pair(code, proc->seen);
  };
  auto contains = [](const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  };
  auto [code, out] = ctl({"sessions"});
  CHECK(code == 0);
  CHECK(contains(out, id));
  std::tie(code, out) = ctl({"tree"});
  CHECK(code == 0);
  CHECK(contains(out, "sessions"));
  CHECK(contains(out, "http"));
  std::tie(code, out) = ctl({"logs", "--event", "session_created"});
  CHECK(code == 0);
  CHECK(contains(out, id));
  std::tie(code, out) = ctl({"close", id});
  CHECK(code == 0);
  CHECK(s.call("GET", "/api/sessions/" + id).status == 404);
  std::tie(code, out) = ctl({"close", id});
  CHECK(code == 1);
  std::tie(code, out) = ctl({"shutdown"});
  CHECK(code == 0);
  CHECK(s.proc->wait_exit(seconds(30)) == 0);
}

TEST_CASE("files: only below file_roots, a bound file's changes reach clients", "[http][ws]") {
  scratch_dir root;
  auto file = (root.path / "notebook.txt").string();
  std::ofstream{file} << "v1\n";
  config_file cfg{R"({"file_roots": [")" + root.path.string() + R"("]})"};
  server s{{"--config", cfg.path}};
  REQUIRE(s.port != 0);
  auto escape = s.call("POST", "/api/sessions",
                       R"({"file": ")" + root.path.string() + R"(/../../etc/passwd"})");
  CHECK(escape.status == 403);
  CHECK(escape.json.at("error").at("code").as_string() == "forbidden");
  auto created = s.call("POST", "/api/sessions", R"({"file": ")" + file + R"("})");
  REQUIRE(created.status == 201);
  CHECK(created.json.at("file").as_string() == fs::canonical(file).string());
  auto c = s.attach(std::string{created.json.at("id").as_string()});
  REQUIRE(c->next_of("status", seconds(10)));
  std::ofstream{file} << "v2\n";
  auto changed = c->next_of("file_changed", seconds(10));
  REQUIRE(changed);
  CHECK(str(*changed, "path") == fs::canonical(file).string());
}

TEST_CASE("over max_connections a connection gets 503 limit_reached, others keep working",
          "[http]") {
  config_file cfg{R"({"limits": {"max_connections": 2}})"};
  server s{{"--config", cfg.path}};
  REQUIRE(s.port != 0);
  auto id = s.create();
  auto a = s.attach(id);
  auto b = s.attach(id);
  REQUIRE(a->next_of("status", seconds(10)));
  REQUIRE(b->next_of("status", seconds(10)));
  auto refused = http_call(s.port, "GET", "/healthz");
  CHECK(refused.status == 503);
  CHECK(refused.json.at("error").at("code").as_string() == "limit_reached");
  REQUIRE(a->send(input("still served")));
  CHECK(next_output(*a) == "still served");
  b.reset(); // a slot frees up once b's connection has ended
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = http_call(s.port, "GET", "/healthz").status == 200;
    if (!served)
      std::this_thread::sleep_for(milliseconds(20)); // poll interval of a bounded poll
  }
  CHECK(served);
}

TEST_CASE("a kernel that keeps dying closes its session: closing + 1001, then 404",
          "[http][ws][restart]") {
  // The kernel waits for a line the first time; once `go` exists, every
  // restart exits at once, so the restart budget (3 in 5 s) runs out however
  // slow the machine is.
  scratch_dir dir;
  auto go = (dir.path / "go").string();
  config_file cfg{R"({"kernels": {"dying": {"command": ["/bin/sh", "-c",
                     "if [ -e )" +
                  go + R"( ]; then exit 3; fi; read line; exit 3"]}}})"};
  server s{{"--config", cfg.path}};
  REQUIRE(s.port != 0);
  auto id = s.create(R"({"kernel": "dying"})");
  auto c = s.attach(id);
  REQUIRE(c->next_of("status", seconds(10)));
  std::ofstream{go} << "go\n";
  REQUIRE(c->send(input("now")));
  auto closing = c->next_of("closing", seconds(30)).has_value();
  CHECK(closing);
  CHECK(c->wait_close(seconds(10)) == 1001);
  CHECK(s.call("GET", "/api/sessions/" + id).status == 404);
  CHECK(s.call("GET", "/healthz").status == 200); // the node is unaffected
}
