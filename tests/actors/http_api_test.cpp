// The pure parts of arbord's HTTP API (actors/http/api.hpp, metrics.hpp):
// request targets, error bodies and statuses, auth, Origin, file confinement,
// session ids, the session JSON, the create-request body and the Prometheus
// text. No sockets, no actors.
#include "actors/http/api.hpp"
#include "actors/http/metrics.hpp"
#include "messages/errc.hpp"

#include <caf/sec.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace arbor;
using namespace arbor::http;
namespace fs = std::filesystem;

namespace {

const std::string sid = "s-0123456789abcdef0123456789abcdef";

target parsed(std::string_view raw) {
  auto t = parse_target(raw);
  REQUIRE(t);
  return *t;
}

target with_query(std::map<std::string, std::string> query) {
  target t;
  t.path = "/api/sessions";
  t.query = std::move(query);
  return t;
}

/// A scratch directory tree, removed afterwards.
struct temp_tree {
  fs::path base;
  temp_tree() {
    std::random_device rd;
    base = fs::canonical(fs::temp_directory_path()) /
           ("arbor-http-api-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    fs::create_directories(base / "root" / "sub");
    fs::create_directories(base / "outside");
    std::ofstream{base / "root" / "sub" / "file.txt"} << "inside\n";
    std::ofstream{base / "outside" / "secret.txt"} << "outside\n";
  }
  ~temp_tree() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  std::string root() const { return (base / "root").string(); }
  std::string at(const std::string& rel) const { return (base / rel).string(); }
};

session_info sample_info() {
  session_info info;
  info.id = sid;
  info.state = "running";
  info.kernel_name = "default";
  info.kernel = kernel_status{"running", 4242, 1, "exit_code:1"};
  info.clients = 2;
  info.created_at = "2025-01-02T03:04:05Z";
  return info;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

// -- targets ----------------------------------------------------------------------

TEST_CASE("parse_target splits the path and the query", "[http_api]") {
  auto plain = parsed("/api/sessions");
  CHECK(plain.path == "/api/sessions");
  CHECK(plain.query.empty());
  auto q = parsed("/api/logs?after=10&limit=5");
  CHECK(q.path == "/api/logs");
  CHECK(q.query == std::map<std::string, std::string>{{"after", "10"}, {"limit", "5"}});
  CHECK(parsed("/").path == "/");
  CHECK(parsed("/x?").query.empty());
  SECTION("keys without a value, empty pairs, '=' in values, repeated keys") {
    auto t = parsed("/ws/sessions/x?flag&&since=3&t=a=b&since=4");
    CHECK(t.query.at("flag").empty());
    CHECK(t.query.at("t") == "a=b");
    CHECK(t.query.at("since") == "4"); // the last one wins
    CHECK(t.query.size() == 3);
  }
}

TEST_CASE("parse_target percent-decodes, '+' is a space in the query only", "[http_api]") {
  auto t = parsed("/a%20b/c%2Fd?x=%20y%3D&y=%41%62");
  CHECK(t.path == "/a b/c/d");
  CHECK(t.query.at("x") == " y=");
  CHECK(t.query.at("y") == "Ab");
  CHECK(parsed("/a+b").path == "/a+b");
  CHECK(parsed("/p?q=a+b+c").query.at("q") == "a b c");
  CHECK(parsed("/p?q=a%2Bb").query.at("q") == "a+b");
  CHECK(parsed("/p?my+key=1").query.count("my key") == 1);
  CHECK(parsed("/p?token=abc%2d123").query.at("token") == "abc-123");
  auto qmark = parsed("/a%3Fb?x=1");
  CHECK(qmark.path == "/a?b");
  CHECK(qmark.query.at("x") == "1");
}

TEST_CASE("parse_target refuses bad escapes and relative targets", "[http_api]") {
  for (auto raw : {"/a%zz", "/a%2", "/a%", "/a%g0", "/p?x=%G1", "/p?%zz=1", "/p?x=50%",
                   "api/sessions", "", "*", "http://127.0.0.1:8080/api/sessions", "?token=x"}) {
    INFO(raw);
    auto t = parse_target(raw);
    REQUIRE_FALSE(t);
    CHECK(is(t.error(), errc::bad_request));
    CHECK_FALSE(context_of(t.error()).empty());
  }
}

// -- errors -----------------------------------------------------------------------

TEST_CASE("error_body renders the error object of the contract", "[http_api]") {
  CHECK(error_body("bad_json", "body is not JSON") ==
        R"({"error":{"code":"bad_json","message":"body is not JSON"}})");
  CHECK(error_body("x", "say \"hi\"\n") == R"({"error":{"code":"x","message":"say \"hi\"\n"}})");
  CHECK(error_body(make_error(errc::not_found, "unknown session " + sid)) ==
        R"({"error":{"code":"not_found","message":"unknown session )" + sid + R"("}})");
  // Without a context, the message is the code.
  CHECK(error_body(make_error(errc::limit_reached)) ==
        R"({"error":{"code":"limit_reached","message":"limit_reached"}})");
  // Errors that are not arbor's are internal errors, described.
  CHECK(error_body(caf::make_error(caf::sec::request_receiver_down)) ==
        R"({"error":{"code":"internal_error","message":"system:request_receiver_down"}})");
}

TEST_CASE("status_of maps each error code to its HTTP status", "[http_api]") {
  auto status = [](errc x) { return status_of(make_error(x, "ctx")); };
  CHECK(status(errc::bad_json) == 400);
  CHECK(status(errc::bad_request) == 400);
  CHECK(status(errc::bad_config) == 400);
  CHECK(status(errc::unauthorized) == 401);
  CHECK(status(errc::forbidden) == 403);
  CHECK(status(errc::not_found) == 404);
  CHECK(status(errc::unknown_child) == 404);
  CHECK(status(errc::method_not_allowed) == 405);
  CHECK(status(errc::too_large) == 413);
  CHECK(status(errc::limit_reached) == 429);
  CHECK(status(errc::queue_full) == 503);
  CHECK(status(errc::shutting_down) == 503);
  CHECK(status(errc::not_ready) == 503);
  CHECK(status(errc::timeout) == 504);
  for (auto x : {errc::invalid_spec, errc::duplicate_child, errc::child_running, errc::start_failed,
                 errc::start_timeout, errc::restart_intensity_exceeded, errc::deadline_budget,
                 errc::task_failed, errc::system_stopped, errc::exit_code, errc::signal,
                 errc::io_error, errc::slow_consumer}) {
    INFO(to_string(x));
    CHECK(status(x) == 500);
  }
  CHECK(status_of(make_error(errc::not_found)) == 404); // the context does not matter
  CHECK(status_of(caf::make_error(caf::sec::request_timeout)) == 500);
  CHECK(status_of(caf::error{}) == 500);
  CHECK(error_body(caf::error{}) == R"({"error":{"code":"internal_error","message":"no error"}})");
}

// -- auth ---------------------------------------------------------------------------

TEST_CASE("authorized accepts the token as a Bearer header or a query parameter", "[http_api]") {
  const std::string token = "secret-token-0123456";
  target none = with_query({});
  CHECK(authorized(token, "Bearer " + token, none));
  CHECK(authorized(token, "", with_query({{"token", token}})));
  CHECK(authorized(token, "Bearer wrong", with_query({{"token", token}}))); // either suffices
  CHECK(authorized(token, "Bearer " + token, with_query({{"token", "wrong"}})));
  SECTION("wrong or malformed credentials") {
    CHECK_FALSE(authorized(token, "", none));
    CHECK_FALSE(authorized(token, "Bearer wrong-token-0123456", none));
    CHECK_FALSE(authorized(token, "Bearer " + token.substr(0, token.size() - 1), none));
    CHECK_FALSE(authorized(token, "Bearer " + token + "x", none));
    CHECK_FALSE(authorized(token, "Bearer " + token + " ", none));
    CHECK_FALSE(authorized(token, "Bearer  " + token, none));
    CHECK_FALSE(authorized(token, token, none)); // no scheme
    CHECK_FALSE(authorized(token, "Basic " + token, none));
    CHECK(authorized(token, "bearer " + token, none)); // the scheme is case-insensitive (RFC 7235)
    CHECK_FALSE(authorized(token, "", with_query({{"token", "wrong"}})));
    CHECK_FALSE(authorized(token, "", with_query({{"Token", token}})));
    CHECK_FALSE(authorized(token, "", with_query({{"access_token", token}})));
  }
  SECTION("an empty token never matches") {
    CHECK_FALSE(authorized("", "", none));
    CHECK_FALSE(authorized("", "Bearer ", none));
    CHECK_FALSE(authorized("", "Bearer", none));
    CHECK_FALSE(authorized("", "", with_query({{"token", ""}})));
  }
  SECTION("the query token parsed from a real target") {
    CHECK(authorized(token, "", parsed("/ws/sessions/" + sid + "?token=" + token + "&since=3")));
    CHECK_FALSE(authorized(token, "", parsed("/ws/sessions/" + sid + "?since=3")));
  }
}

// -- Origin -------------------------------------------------------------------------

TEST_CASE("origin_allowed: same host by default, the allow-list when configured", "[http_api]") {
  const std::vector<std::string> none;
  SECTION("no Origin header: not a browser, always allowed") {
    CHECK(origin_allowed("", "127.0.0.1:8080", none));
    CHECK(origin_allowed("", "127.0.0.1:8080", {"https://app.example.com"}));
    CHECK(origin_allowed("", "", none));
  }
  SECTION("same host and port as the Host header") {
    CHECK(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", none));
    CHECK(origin_allowed("http://localhost:9000", "localhost:9000", none));
  }
  SECTION("default ports: 80 for http, 443 for https, 80 for a Host without a port") {
    CHECK(origin_allowed("http://localhost", "localhost", none));
    CHECK(origin_allowed("http://localhost", "localhost:80", none));
    CHECK(origin_allowed("http://localhost:80", "localhost", none));
    CHECK(origin_allowed("https://example.com", "example.com:443", none));
    CHECK(origin_allowed("https://example.com:443", "example.com:443", none));
    CHECK_FALSE(origin_allowed("https://example.com", "example.com", none)); // Host → :80
    CHECK_FALSE(origin_allowed("http://example.com", "example.com:443", none));
  }
  SECTION("foreign origins are refused") {
    CHECK_FALSE(origin_allowed("http://evil.example", "127.0.0.1:8080", none));
    CHECK_FALSE(origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8080", none));
    CHECK_FALSE(origin_allowed("http://localhost:8080", "127.0.0.1:8080", none));
    CHECK_FALSE(origin_allowed("http://127.0.0.1:8080.evil.example", "127.0.0.1:8080", none));
    CHECK_FALSE(origin_allowed("null", "127.0.0.1:8080", none));
    CHECK_FALSE(origin_allowed("127.0.0.1:8080", "127.0.0.1:8080", none)); // no scheme
    CHECK_FALSE(origin_allowed("http://127.0.0.1:8080", "", none));        // no Host
  }
  SECTION("an allow-list is matched exactly and replaces the same-host rule") {
    const std::vector<std::string> list{"https://app.example.com", "http://localhost:3000"};
    CHECK(origin_allowed("https://app.example.com", "127.0.0.1:8080", list));
    CHECK(origin_allowed("http://localhost:3000", "127.0.0.1:8080", list));
    CHECK_FALSE(origin_allowed("https://app.example.com:443", "127.0.0.1:8080", list));
    CHECK_FALSE(origin_allowed("https://app.example.com/", "127.0.0.1:8080", list));
    CHECK_FALSE(origin_allowed("http://app.example.com", "127.0.0.1:8080", list));
    CHECK_FALSE(origin_allowed("https://evil.example", "127.0.0.1:8080", list));
    CHECK_FALSE(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", list)); // same host
  }
  SECTION("\"*\" allows every origin") {
    const std::vector<std::string> any{"*"};
    CHECK(origin_allowed("http://evil.example", "127.0.0.1:8080", any));
    CHECK(origin_allowed("null", "127.0.0.1:8080", any));
    CHECK(origin_allowed("https://a.example", "127.0.0.1:8080", {"https://b.example", "*"}));
  }
}

// -- file confinement -------------------------------------------------------------------

TEST_CASE("confine keeps session files below the configured roots", "[http_api]") {
  temp_tree tree;
  const std::vector<std::string> roots{tree.root()};
  const std::string file = tree.at("root/sub/file.txt");

  SECTION("no roots: binding files is off") {
    auto r = confine(file, {});
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), errc::forbidden));
    CHECK(contains(context_of(r.error()), "file_roots"));
  }
  SECTION("a relative path is refused") {
    for (auto rel : {"sub/file.txt", "file.txt", "./x", ""}) {
      INFO(rel);
      auto r = confine(rel, roots);
      REQUIRE_FALSE(r);
      CHECK(is(r.error(), errc::forbidden));
    }
  }
  SECTION("a file inside a root: absolute and normal") {
    auto r = confine(file, roots);
    REQUIRE(r);
    CHECK(*r == file);
    auto messy = confine(tree.at("root/./sub/../sub//file.txt"), roots);
    REQUIRE(messy);
    CHECK(*messy == file);
  }
  SECTION("a file that does not exist yet, inside a root") {
    auto r = confine(tree.at("root/sub/new.py"), roots);
    REQUIRE(r);
    CHECK(*r == tree.at("root/sub/new.py"));
  }
  SECTION("any of several roots") {
    auto r = confine(file, {tree.at("outside"), tree.root()});
    REQUIRE(r);
    CHECK(*r == file);
  }
  SECTION("a root given with a trailing slash or through a symlink") {
    CHECK(confine(file, {tree.root() + "/"}));
    fs::create_directory_symlink(tree.base / "root", tree.base / "root-link");
    auto r = confine(file, {tree.at("root-link")});
    REQUIRE(r);
    CHECK(*r == file);
  }
  SECTION("'..' cannot leave the root") {
    for (auto escape : {"root/../outside/secret.txt", "root/sub/../../outside/secret.txt",
                        "root/sub/../../../etc/passwd"}) {
      INFO(escape);
      auto r = confine(tree.at(escape), roots);
      REQUIRE_FALSE(r);
      CHECK(is(r.error(), errc::forbidden));
    }
  }
  SECTION("a sibling whose name starts with the root's is outside") {
    fs::create_directories(tree.base / "root2");
    auto r = confine(tree.at("root2/x.txt"), roots);
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), errc::forbidden));
  }
  SECTION("files outside every root") {
    CHECK_FALSE(confine(tree.at("outside/secret.txt"), roots));
    CHECK_FALSE(confine("/etc/passwd", roots));
  }
  SECTION("a symlink inside the root that points outside is refused") {
    fs::create_directory_symlink(tree.base / "outside", tree.base / "root" / "escape");
    fs::create_symlink(tree.base / "outside" / "secret.txt", tree.base / "root" / "link.txt");
    for (auto via : {"root/escape/secret.txt", "root/link.txt", "root/escape/new.txt"}) {
      INFO(via);
      auto r = confine(tree.at(via), roots);
      REQUIRE_FALSE(r);
      CHECK(is(r.error(), errc::forbidden));
    }
  }
  SECTION("a symlink inside the root that stays inside is resolved") {
    fs::create_symlink(tree.base / "root" / "sub" / "file.txt", tree.base / "root" / "alias.txt");
    auto r = confine(tree.at("root/alias.txt"), roots);
    REQUIRE(r);
    CHECK(*r == file);
  }
}

TEST_CASE("confine accepts names inside the root that begin with two dots", "[http_api]") {
  temp_tree tree;
  const std::vector<std::string> roots{tree.root()};
  auto r = confine(tree.at("root/..notes.txt"), roots);
  REQUIRE(r);
  CHECK(*r == tree.at("root/..notes.txt"));
}

// -- session ids and JSON ----------------------------------------------------------------

TEST_CASE("plausible_session_id accepts only s- and 32 lowercase hex digits", "[http_api]") {
  CHECK(plausible_session_id(sid));
  CHECK(plausible_session_id("s-" + std::string(32, 'f')));
  CHECK_FALSE(plausible_session_id(""));
  CHECK_FALSE(plausible_session_id("s-"));
  CHECK_FALSE(plausible_session_id("s-0123456789ABCDEF0123456789abcdef")); // uppercase
  CHECK_FALSE(plausible_session_id("s-0123456789abcdef0123456789abcde"));  // 31 digits
  CHECK_FALSE(plausible_session_id(sid + "0"));                            // 33 digits
  CHECK_FALSE(plausible_session_id("x-0123456789abcdef0123456789abcdef"));
  CHECK_FALSE(plausible_session_id("S-0123456789abcdef0123456789abcdef"));
  CHECK_FALSE(plausible_session_id("s-0123456789abcdeg0123456789abcdef"));
  CHECK_FALSE(plausible_session_id("s-0123456789abcdef0123456789abcde/"));
  CHECK_FALSE(plausible_session_id(sid + "/export"));
}

TEST_CASE("session_json and sessions_json render the session object exactly", "[http_api]") {
  auto info = sample_info();
  const std::string no_file =
      R"({"id":")" + sid +
      R"(","state":"running","kernel":{"name":"default","pid":4242,"restarts":1,)"
      R"("state":"running"},"clients":2,"created_at":"2025-01-02T03:04:05Z"})";
  CHECK(session_json(info) == no_file);

  auto bound = info;
  bound.file = "/srv/nb/\"quoted\".py";
  const std::string with_file =
      R"({"id":")" + sid +
      R"(","state":"running","kernel":{"name":"default","pid":4242,"restarts":1,)"
      R"("state":"running"},"clients":2,"created_at":"2025-01-02T03:04:05Z",)"
      R"("file":"/srv/nb/\"quoted\".py"})";
  CHECK(session_json(bound) == with_file);

  session_info fresh;
  fresh.id = sid;
  fresh.state = "closing";
  fresh.kernel_name = "py";
  fresh.kernel = kernel_status{"starting", 0, 0, {}};
  CHECK(session_json(fresh) ==
        R"({"id":")" + sid +
            R"(","state":"closing","kernel":{"name":"py","pid":0,"restarts":0,"state":"starting"},)"
            R"("clients":0,"created_at":""})");

  CHECK(sessions_json({}) == R"({"sessions":[]})");
  CHECK(sessions_json({info}) == R"({"sessions":[)" + no_file + "]}");
  CHECK(sessions_json({info, bound}) == R"({"sessions":[)" + no_file + "," + with_file + "]}");
}

// -- the create request ------------------------------------------------------------------

TEST_CASE("parse_session_request reads {file?, kernel?}", "[http_api]") {
  SECTION("no body or only whitespace: the defaults") {
    for (auto body : {"", "  ", "\r\n\t "}) {
      auto r = parse_session_request(body);
      REQUIRE(r);
      CHECK(r->file.empty());
      CHECK(r->kernel.empty());
    }
  }
  SECTION("an empty object: the defaults") {
    auto r = parse_session_request("{}");
    REQUIRE(r);
    CHECK(r->file.empty());
    CHECK(r->kernel.empty());
  }
  SECTION("file and kernel") {
    auto r = parse_session_request(R"({"file":"/srv/nb.py","kernel":"python"})");
    REQUIRE(r);
    CHECK(r->file == "/srv/nb.py");
    CHECK(r->kernel == "python");
    auto k = parse_session_request(R"( {"kernel":"python"} )");
    REQUIRE(k);
    CHECK(k->kernel == "python");
    CHECK(k->file.empty());
  }
  SECTION("errors are bad_json with a reason") {
    struct bad {
      const char* body;
      const char* says;
    };
    for (auto b :
         {bad{R"({"files":"/x"})", "unknown key \"files\""},
          bad{R"({"file":"/x","extra":1})", "unknown key \"extra\""},
          bad{R"({"file":1})", "file must be a string"},
          bad{R"({"kernel":null})", "kernel must be a string"},
          bad{R"({"kernel":["a"]})", "kernel must be a string"}, bad{"[]", "must be a JSON object"},
          bad{R"("text")", "must be a JSON object"}, bad{"42", "must be a JSON object"},
          bad{"null", "must be a JSON object"}, bad{"{not json", "not JSON"},
          bad{"{} trailing", "not JSON"}, bad{R"({"file":"/x",})", "not JSON"}}) {
      INFO(b.body);
      auto r = parse_session_request(b.body);
      REQUIRE_FALSE(r);
      CHECK(is(r.error(), errc::bad_json));
      CHECK(contains(context_of(r.error()), b.says));
    }
  }
}

// -- metrics -------------------------------------------------------------------------------

TEST_CASE("sessions_snapshot sums clients and kernel restarts", "[http_api]") {
  auto empty = sessions_snapshot({});
  CHECK(empty.sessions == 0);
  CHECK(empty.session_clients == 0);
  CHECK(empty.kernel_restarts == 0);
  auto a = sample_info(); // 2 clients, 1 restart
  auto b = sample_info();
  b.clients = 3;
  b.kernel.restarts = 4;
  auto s = sessions_snapshot({a, b});
  CHECK(s.sessions == 2);
  CHECK(s.session_clients == 5);
  CHECK(s.kernel_restarts == 5);
  CHECK(s.supervisor_events.empty());
}

TEST_CASE("render_prometheus renders every metric with HELP and TYPE", "[http_api]") {
  metrics m;
  m.connections_open = 3;
  m.connections_total = 17;
  m.connections_refused = 1;
  m.requests_total = 42;
  m.ws_clients = 2;
  m.frames_in = 5;
  m.frames_out = 99;
  m.bytes_out = 12345;
  m.dropped_clients = 4;
  metrics_snapshot s;
  s.sessions = 6;
  s.session_clients = 7;
  s.kernel_restarts = 8;
  s.supervisor_events = {{"child_started", 11}, {"session_created", 6}};
  auto text = render_prometheus(m, s);

  struct row {
    const char* name;
    const char* type;
    uint64_t value;
  };
  for (auto r :
       {row{"arbor_sessions", "gauge", 6}, row{"arbor_clients", "gauge", 7},
        row{"arbor_kernel_restarts", "gauge", 8}, row{"arbor_connections_open", "gauge", 3},
        row{"arbor_connections_total", "counter", 17},
        row{"arbor_connections_refused_total", "counter", 1},
        row{"arbor_http_requests_total", "counter", 42},
        row{"arbor_ws_frames_in_total", "counter", 5},
        row{"arbor_ws_frames_out_total", "counter", 99},
        row{"arbor_ws_bytes_out_total", "counter", 12345},
        row{"arbor_dropped_clients_total", "counter", 4}}) {
    std::string name = r.name;
    INFO(name);
    CHECK(contains(text, "# HELP " + name + " "));
    CHECK(contains(text, "\n# TYPE " + name + " " + r.type + "\n" + name + " " +
                             std::to_string(r.value) + "\n"));
  }
  CHECK(text.rfind("# HELP arbor_sessions Sessions open.\n# TYPE arbor_sessions gauge\n", 0) == 0);
  CHECK(contains(text, "# HELP arbor_supervisor_events_total "));
  CHECK(contains(text, "# TYPE arbor_supervisor_events_total counter\n"));
  CHECK(contains(text, "\narbor_supervisor_events_total{event=\"child_started\"} 11\n"));
  CHECK(contains(text, "\narbor_supervisor_events_total{event=\"session_created\"} 6\n"));
  CHECK(text.back() == '\n');
  // ws_clients is counted but not exported (arbor_clients comes from the sessions).
  CHECK_FALSE(contains(text, "arbor_ws_clients"));

  SECTION("without supervisor events: HELP and TYPE, no samples") {
    auto bare = render_prometheus(metrics{}, metrics_snapshot{});
    CHECK(contains(bare, "# TYPE arbor_supervisor_events_total counter\n"));
    CHECK_FALSE(contains(bare, "arbor_supervisor_events_total{"));
    CHECK(contains(bare, "\narbor_dropped_clients_total 0\n"));
  }
}

TEST_CASE("a failed input or interrupt is a queue_full or io_error frame with the reason",
          "[http][api]") {
  auto full = input_error_frame(make_error(errc::queue_full, "kernel stdin queue is full"));
  CHECK(full.code == "queue_full");
  CHECK(full.message == "queue_full:kernel stdin queue is full");
  auto gone = input_error_frame(make_error(errc::not_found, "kernel is not running"));
  CHECK(gone.code == "io_error");
  CHECK(gone.message == "not_found:kernel is not running");
}
