// bench_ws: arbord measured from outside, over WebSocket on loopback, beside
// websocketd doing the same work in the same run (docs/performance.md).
//
//   fanout      one session, C clients (100); one of them sends `burst N`:
//               output frames delivered per second, summed over the clients,
//               until the last client has its N-th line
//   throughput  one session, one client, `burst N` of 100-byte lines: lines/s;
//               websocketd running `sh -c 'read n; seq -f %0100.0f 1 $n'`
//   echo        one client sends `x<i>` and waits for that line, M rounds after
//               a warm-up: p50/p99/max; websocketd running `cat`
//   shutdown    S sessions (1000), one client each, then SIGTERM to arbord: time
//               until every client has `closing` + close 1001 and arbord has
//               exited; no kernel may outlive it
//
// The 100-byte lines come from the same `seq` as websocketd's: arbord's kernel
// for fanout and throughput is `sh -c` with a loop that answers `burst N` with
// `seq -f %0100.0f 1 N` and echoes any other line. echo and shutdown use
// arbord's default kernel (arbor-demo-kernel). Every line is counted exactly:
// per client the seq (websocketd: the line's number) must go up by one.
//
// Clients: all on one thread and one io_context. echo and shutdown use Beast's
// websocket::stream; the two streams use `lean_peer` (Beast's HTTP for the
// upgrade, then its own framing over 256 KiB reads), because websocket::stream
// itself was the bottleneck there (`--client beast` measures with it).
//
// The program starts arbord (port 0, a generated config file) and websocketd
// (a free port) itself, once per benchmark, and stops them at the end; every
// benchmark has a hard timeout. Run (release build):
//   build/release/apps/bench/bench_ws                  # all four
//   build/release/apps/bench/bench_ws --only echo      # --help for the sizes
// websocketd: scripts/install-bench-deps.sh; without it the comparisons are skipped.
#include "common.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* token = "bench-ws-token-0123456789abcdef";

struct options {
  std::string arbord, websocketd = "websocketd";
  std::vector<std::string> only;
  uint64_t lines = 200000;         // fanout: lines of the burst
  uint64_t single_lines = 1000000; // throughput
  size_t clients = 100, sessions = 1000, rounds = 20000, warmup = 2000;
  double timeout = 120;            // seconds per benchmark phase
  std::string client = "lean";     // of the streams: lean_peer or beast_peer
  size_t repeat = 1;               // runs of the whole selection
  bool idle_polling = false;       // arbord's scheduler.idle_polling
  size_t io_loops = 1;             // arbord's scheduler.io_loops
  std::string echo_kernel = "cat"; // arbord's kernel for the echo: cat or demo

  bool wants(const std::string& name) const {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  }
};

clk::duration secs(double s) {
  return std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(s));
}

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

std::string grouped(double x) {
  auto s = std::to_string(static_cast<unsigned long long>(std::llround(std::max(x, 0.0))));
  for (auto i = static_cast<long>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return s;
}

const char* verdict(bool ok) {
  return ok ? "PASS" : "MISS";
}

// --- child processes -------------------------------------------------------

// What the watchdog kills (read in a signal handler: plain lock-free atomics).
std::array<std::atomic<pid_t>, 4> g_children{};

void remember(pid_t pid) {
  for (auto& c : g_children) {
    pid_t none = 0;
    if (c.compare_exchange_strong(none, pid))
      return;
  }
}

void forget(pid_t pid) {
  for (auto& c : g_children) {
    pid_t was = pid;
    c.compare_exchange_strong(was, 0);
  }
}

/// SIGALRM: a benchmark overran its hard timeout (blocking calls included).
void on_alarm(int) {
  const char msg[] = "bench_ws: hard timeout, killing arbord/websocketd and stopping\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
  for (auto& c : g_children)
    if (pid_t p = c.load())
      ::kill(p, SIGKILL);
  ::_exit(3);
}

void arm_watchdog(double seconds) {
  ::alarm(static_cast<unsigned>(seconds) + 1);
}

/// A program this benchmark started; stopped (SIGTERM, then SIGKILL) when dropped.
class child {
public:
  child() = default;
  child(pid_t pid, int out) : pid_(pid), out_(out) { remember(pid); }
  child(const child&) = delete;
  child(child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), out_(std::exchange(other.out_, -1)) {}
  child& operator=(child&& other) noexcept {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    out_ = std::exchange(other.out_, -1);
    return *this;
  }
  ~child() { stop(); }

  pid_t pid() const { return pid_; }
  int out() const { return out_; }

  /// Waits up to `timeout` for the exit; its wait status (-1 when not a child).
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    for (auto deadline = clk::now() + timeout;;) {
      int status = 0;
      auto r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || r < 0) {
        forget(pid_);
        pid_ = -1;
        return r < 0 ? -1 : status;
      }
      if (clk::now() >= deadline)
        return std::nullopt;
      std::this_thread::sleep_for(100us);
    }
  }

  /// SIGTERM, up to 5 s for the exit, then SIGKILL.
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      if (!wait(5s)) {
        ::kill(pid_, SIGKILL);
        wait(5s);
      }
    }
    if (out_ >= 0)
      ::close(std::exchange(out_, -1));
  }

private:
  pid_t pid_ = -1;
  int out_ = -1; // its stdout, when captured
};

child spawn(const std::vector<std::string>& argv, bool capture_stdout, bool quiet) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  int fds[2] = {-1, -1};
  if (capture_stdout && ::pipe2(fds, O_CLOEXEC) == 0)
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  else
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (quiet)
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (fds[1] >= 0)
    ::close(fds[1]);
  if (rc != 0) {
    std::printf("  cannot start %s: %s\n", args[0], std::strerror(rc));
    if (fds[0] >= 0)
      ::close(fds[0]);
    return {};
  }
  return {pid, fds[0]};
}

/// One line from `fd`, within `timeout`.
std::optional<std::string> read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  for (auto deadline = clk::now() + timeout; fd >= 0;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clk::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return std::nullopt;
    char c = 0;
    if (::read(fd, &c, 1) != 1)
      return std::nullopt;
    if (c == '\n')
      return line;
    line += c;
  }
  return std::nullopt;
}

/// A program's path: as given when it has a '/', else looked up in PATH; "" = none.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return ::access(name.c_str(), X_OK) == 0 ? name : "";
  std::istringstream path{::getenv("PATH") ? ::getenv("PATH") : ""};
  for (std::string dir; std::getline(path, dir, ':');)
    if (auto full = dir + "/" + name; ::access(full.c_str(), X_OK) == 0)
      return full;
  return "";
}

/// `<build>/apps/arbord/arbord` for this `<build>/apps/bench/bench_ws`.
std::string default_arbord() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path().parent_path() / "arbord" / "arbord").string();
}

// --- /proc: processes and per-thread CPU -------------------------------------

/// The fields of /proc/PID[/task/TID]/stat after the command name (field 3 on).
std::vector<std::string> stat_fields(const std::string& file, std::string* name = nullptr) {
  std::ifstream in{file};
  std::string stat;
  std::getline(in, stat);
  auto open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return {};
  if (name)
    *name = stat.substr(open + 1, close - open - 1);
  std::istringstream rest{stat.substr(close + 1)};
  std::vector<std::string> fields;
  for (std::string f; rest >> f;)
    fields.push_back(f);
  return fields;
}

struct proc_id {
  pid_t pid;
  std::string start; // start time: the same pid later is another process
};

/// The processes whose parent is `parent`.
std::vector<proc_id> children_of(pid_t parent) {
  std::vector<proc_id> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    auto f = stat_fields(e.path() / "stat");
    if (f.size() > 19 && std::stol(f[1]) == parent)
      out.push_back({std::stoi(name), f[19]});
  }
  return out;
}

/// True when `p` still runs (a zombie does not count).
bool alive(const proc_id& p) {
  auto f = stat_fields("/proc/" + std::to_string(p.pid) + "/stat");
  return f.size() > 19 && f[19] == p.start && f[0] != "Z";
}

/// CPU ticks (user + system) of each thread of `pid`: tid → (name, ticks).
std::map<int, std::pair<std::string, uint64_t>> thread_ticks(pid_t pid) {
  std::map<int, std::pair<std::string, uint64_t>> out;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::string name;
    auto f = stat_fields(e.path() / "stat", &name);
    if (f.size() > 12)
      out[std::stoi(e.path().filename().string())] = {name,
                                                      std::stoull(f[11]) + std::stoull(f[12])};
  }
  return out;
}

double self_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

/// CPU use of a server's threads and of this program between construction and
/// `report`, in % of one core (the busiest threads first; 10 ms resolution).
/// arbord's threads in creation order: #0 main, #1 log writer, #2 kernel I/O
/// loop, #3 network I/O loop, #4-#7 CAF workers (CAF 0.17 names them
/// "caf.multiplexer"), #8 caf.clock, #9 caf.actor, #10 signals.
class cpu_watch {
public:
  explicit cpu_watch(pid_t server)
    : server_(server), before_(thread_ticks(server)), self_(self_cpu_seconds()), t0_(clk::now()) {}

  std::string report() const {
    double secs = std::max(seconds_since(t0_), 1e-9);
    double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    std::vector<std::pair<double, std::string>> busy;
    int index = 0; // threads by creation order (tid): "name#index"
    for (const auto& [tid, now] : thread_ticks(server_)) {
      auto was = before_.count(tid) ? before_.at(tid).second : 0;
      double pct = 100.0 * static_cast<double>(now.second - was) / tick / secs;
      if (pct >= 1)
        busy.emplace_back(pct, now.first + "#" + std::to_string(index));
      ++index;
    }
    std::sort(busy.rbegin(), busy.rend());
    std::string out = "server threads:";
    for (size_t i = 0; i < busy.size() && i < 6; ++i)
      out += (i ? ", " : " ") + busy[i].second + " " + std::to_string(std::lround(busy[i].first)) +
             "%";
    if (busy.empty())
      out += " all < 1%";
    out += "; bench client: " +
           std::to_string(std::lround(100 * (self_cpu_seconds() - self_) / secs)) + "%";
    return out;
  }

private:
  pid_t server_;
  std::map<int, std::pair<std::string, uint64_t>> before_;
  double self_;
  clk::time_point t0_;
};

// --- servers -----------------------------------------------------------------

tcp::endpoint local(uint16_t port) {
  return {asio::ip::make_address_v4("127.0.0.1"), port};
}

std::string host(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor a{io, local(0)};
  return a.local_endpoint().port();
}

bool accepts(uint16_t port) {
  asio::io_context io;
  tcp::socket s{io};
  beast::error_code ec;
  s.connect(local(port), ec);
  return !ec;
}

struct server {
  child proc;
  uint16_t port = 0;
};

/// arbord's config: `kernel` as the default kernel (empty: the demo kernel), limits.
json::object arbord_config(const options& o, const std::vector<std::string>& kernel, size_t clients,
                           size_t sessions) {
  json::object cfg;
  cfg["scheduler"] = json::object{{"idle_polling", o.idle_polling}, {"io_loops", o.io_loops}};
  if (!kernel.empty()) {
    json::array command(kernel.begin(), kernel.end());
    cfg["kernels"] = json::object{{"default", json::object{{"command", std::move(command)}}}};
  }
  cfg["limits"] = json::object{{"max_clients_per_session", clients}, {"max_sessions", sessions}};
  cfg["session_ttl"] = -1;
  return cfg;
}

/// Starts arbord on port 0 with `config`; ready once it printed its address.
std::optional<server> start_arbord(const std::string& path, const json::object& config) {
  auto file = "/tmp/bench_ws-" + std::to_string(::getpid()) + ".json";
  std::ofstream{file} << json::serialize(config);
  std::optional<server> s{std::in_place};
  s->proc = spawn({path, "--config", file, "--port", "0", "--token", token, "--no-log-stderr"},
                  true, false);
  auto line = s->proc.pid() > 0 ? read_line(s->proc.out(), 30s) : std::nullopt;
  std::remove(file.c_str());
  auto colon = line ? line->rfind(':') : std::string::npos;
  if (colon == std::string::npos) {
    std::printf("  arbord did not start (no `listening on` line)\n");
    return std::nullopt;
  }
  s->port = static_cast<uint16_t>(std::atoi(line->c_str() + colon + 1));
  return s;
}

/// Starts websocketd serving `program` on a free port; ready once it accepts.
std::optional<server> start_websocketd(const std::string& path,
                                       const std::vector<std::string>& program) {
  std::optional<server> s{std::in_place};
  s->port = free_port();
  std::vector<std::string> argv{path, "--port=" + std::to_string(s->port), "--address=127.0.0.1",
                                "--loglevel=fatal"};
  argv.insert(argv.end(), program.begin(), program.end());
  s->proc = spawn(argv, false, true);
  for (auto deadline = clk::now() + 10s; s->proc.pid() > 0 && clk::now() < deadline;
       std::this_thread::sleep_for(5ms))
    if (accepts(s->port))
      return s;
  std::printf("  websocketd did not start\n");
  return std::nullopt;
}

/// The kernel of fanout and throughput: `burst N` → N lines of 100 digits (`seq`,
/// as websocketd's program), any other line echoed.
std::vector<std::string> lines_kernel() {
  return {"/bin/sh", "-c",
          "while IFS= read -r l; do case \"$l\" in "
          "'burst '*) seq -f %0100.0f 1 \"${l#burst }\";; "
          "*) printf '%s\\n' \"$l\";; esac; done"};
}

/// Creates sessions over one keep-alive HTTP connection (blocking; the watchdog
/// bounds it).
class api {
public:
  api(asio::io_context& io, uint16_t port) : stream_(io), port_(port) {
    beast::error_code ec;
    stream_.socket().connect(local(port), ec);
  }

  std::optional<std::string> create_session() {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/api/sessions", 11};
    req.set(bhttp::field::host, host(port_));
    req.set(bhttp::field::authorization, std::string{"Bearer "} + token);
    req.set(bhttp::field::content_type, "application/json");
    req.body() = "{}";
    req.prepare_payload();
    beast::error_code ec;
    bhttp::write(stream_, req, ec);
    bhttp::response<bhttp::string_body> res;
    if (!ec)
      bhttp::read(stream_, buf_, res, ec);
    auto v = ec ? json::value{} : json::parse(res.body(), ec);
    if (ec || res.result_int() != 201 || !v.is_object() || !v.as_object().contains("id")) {
      std::printf("  POST /api/sessions: %s %u %s\n", ec.message().c_str(), res.result_int(),
                  res.body().c_str());
      return std::nullopt;
    }
    return json::value_to<std::string>(v.as_object().at("id"));
  }

private:
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  uint16_t port_;
};

std::string session_target(const std::string& id) {
  return "/ws/sessions/" + id + "?token=" + token;
}

std::string input_frame(const std::string& line) {
  return json::serialize(json::object{{"type", "input"}, {"data", line}});
}

// --- WebSocket clients ---------------------------------------------------------

/// What a benchmark counts on one client.
struct client_state {
  /// One more line numbered `n` (seq, or websocketd's line number).
  void count(uint64_t n) {
    if (frames > 0 && n <= last)
      ++disorder;
    else if (frames > 0 && n != last + 1)
      ++gaps;
    last = n;
    ++frames;
  }

  uint64_t frames = 0, last = 0, gaps = 0, disorder = 0;
  bool attached = false, closing = false, ended = false;
  uint16_t close_code = 0;                           // of the server's close frame; 0 = none came
  clk::time_point done_at{}, close_at{}, ended_at{}; // last line; close frame; connection end
};

/// Gets each text message; false stops reading.
using on_text_fn = std::function<bool(client_state&, std::string_view)>;
using on_end_fn = std::function<void(client_state&)>;

/// A client on Beast's websocket::stream: echo and shutdown (and the streams
/// with `--client beast`).
class beast_peer : public client_state {
public:
  explicit beast_peer(asio::io_context& io) : ws_(io) {}

  /// Connects and upgrades (blocking; the watchdog bounds it).
  bool open(uint16_t port, const std::string& target) {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    beast::error_code ec;
    socket.connect(local(port), ec);
    if (!ec)
      socket.set_option(tcp::no_delay(true), ec);
    if (!ec)
      ws_.handshake(host(port), target, ec);
    if (ec)
      std::printf("  WebSocket %s: %s\n", target.c_str(), ec.message().c_str());
    ws_.read_message_max(1u << 20);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::close)
        close_at = clk::now();
    });
    buf_.reserve(1u << 16);
    return !ec;
  }

  /// Reads until `on_text` says stop or the connection ends (then `on_end`).
  void start(on_text_fn on_text, on_end_fn on_end = {}) {
    on_text_ = std::move(on_text);
    on_end_ = std::move(on_end);
    read();
  }

  /// Sends a text message; one at a time (the benchmarks wait for answers).
  void send_text(std::string text) {
    out_ = std::move(text);
    ws_.async_write(asio::buffer(out_), [](beast::error_code, size_t) {});
  }

  void close() { beast::get_lowest_layer(ws_).close(); }

private:
  void read() {
    ws_.async_read(buf_, [this](beast::error_code ec, size_t) {
      if (ec) {
        ended = true;
        ended_at = clk::now();
        close_code = ec == websocket::error::closed ? ws_.reason().code : 0;
        if (on_end_)
          on_end_(*this);
        return;
      }
      auto data = buf_.cdata();
      bool more = on_text_(*this, {static_cast<const char*>(data.data()), data.size()});
      buf_.clear();
      if (more)
        read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string out_; // the message being written
  on_text_fn on_text_;
  on_end_fn on_end_;
};

/// The streams' client. Beast's websocket::stream costs about 1.2 µs per
/// message here (it reads 1.5 KiB per call and completes each message through
/// the io_context): one core saturated at 0.8M frames/s while arbord used 5 %.
/// So this one upgrades with Beast's HTTP, then reads 256 KiB at a time and
/// walks the frames itself (server frames are unmasked; its own are masked,
/// pings answered, a close frame answered and its code kept).
class lean_peer : public client_state {
public:
  explicit lean_peer(asio::io_context& io) : socket_(io) {}

  /// Connects and upgrades (blocking; the watchdog bounds it). Bytes after
  /// the 101 response stay in the buffer: they are the first frames.
  bool open(uint16_t port, const std::string& target) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, host(port));
    req.set(bhttp::field::upgrade, "websocket");
    req.set(bhttp::field::connection, "Upgrade");
    req.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ=="); // RFC 6455 §1.3
    req.set(bhttp::field::sec_websocket_version, "13");
    bhttp::response_parser<bhttp::empty_body> res;
    beast::error_code ec;
    socket_.connect(local(port), ec);
    if (!ec)
      bhttp::write(socket_, req, ec);
    if (!ec)
      bhttp::read_header(socket_, in_, res, ec);
    if (!ec && (res.get().result_int() != 101 ||
                res.get()[bhttp::field::sec_websocket_accept] != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
      ec = make_error_code(beast::errc::protocol_error);
    if (ec)
      std::printf("  WebSocket %s: %s\n", target.c_str(), ec.message().c_str());
    return !ec;
  }

  void start(on_text_fn on_text, on_end_fn on_end = {}) {
    on_text_ = std::move(on_text);
    on_end_ = std::move(on_end);
    walk(); // frames that came with the handshake
    read();
  }

  void send_text(std::string_view text) { queue(frame(1, text)); }

  void close() {
    beast::error_code ec;
    socket_.close(ec);
  }

private:
  void read() {
    socket_.async_read_some(in_.prepare(256u << 10), [this](beast::error_code ec, size_t n) {
      if (ec) {
        ended = true;
        ended_at = clk::now();
        if (on_end_)
          on_end_(*this);
        return;
      }
      in_.commit(n);
      if (walk())
        read();
    });
  }

  /// Handles the complete frames in the buffer; false once told to stop.
  bool walk() {
    auto* p = static_cast<const uint8_t*>(in_.data().data());
    size_t size = in_.size(), used = 0;
    bool more = true;
    while (more && size - used >= 2) {
      const uint8_t* f = p + used;
      size_t left = size - used, head = 2;
      uint64_t len = f[1] & 0x7f;
      if (len == 126 && left >= 4) {
        len = (uint64_t{f[2]} << 8) | f[3];
        head = 4;
      } else if (len == 127 && left >= 10) {
        len = 0;
        for (int i = 2; i < 10; ++i)
          len = (len << 8) | f[i];
        head = 10;
      } else if (len >= 126) {
        break;
      }
      head += (f[1] & 0x80) ? 4 : 0; // a masking key: servers send none
      if (left < head || left - head < len)
        break;
      more = on_frame(f[0] & 0x0f, {reinterpret_cast<const char*>(f + head), len});
      used += head + len;
    }
    in_.consume(used);
    return more;
  }

  bool on_frame(uint8_t op, std::string_view payload) {
    switch (op) {
      case 1: // text (the servers send each message as one frame)
        return on_text_(*this, payload);
      case 9: // ping
        queue(frame(10, payload));
        return true;
      case 8: // close: answer it; the server then ends the connection
        close_at = clk::now();
        if (payload.size() >= 2)
          close_code = static_cast<uint16_t>((uint8_t(payload[0]) << 8) | uint8_t(payload[1]));
        queue(frame(8, payload.substr(0, 2)));
        return true;
      default:
        return true;
    }
  }

  /// A masked client frame.
  static std::string frame(uint8_t op, std::string_view payload) {
    static constexpr char key[4] = {0x1b, 0x2c, 0x3d, 0x4e};
    std::string f(1, static_cast<char>(0x80 | op));
    auto n = payload.size();
    if (n < 126) {
      f += static_cast<char>(0x80 | n);
    } else {
      f += static_cast<char>(0x80 | (n < 65536 ? 126 : 127));
      for (int i = n < 65536 ? 1 : 7; i >= 0; --i)
        f += static_cast<char>((n >> (8 * i)) & 0xff);
    }
    f.append(key, 4);
    for (size_t i = 0; i < n; ++i)
      f += static_cast<char>(payload[i] ^ key[i % 4]);
    return f;
  }

  void queue(std::string bytes) {
    out_.push_back(std::move(bytes));
    if (out_.size() == 1)
      write_next();
  }

  void write_next() {
    asio::async_write(socket_, asio::buffer(out_.front()), [this](beast::error_code ec, size_t) {
      out_.pop_front();
      if (!ec && !out_.empty())
        write_next();
    });
  }

  tcp::socket socket_;
  beast::flat_buffer in_;
  std::deque<std::string> out_; // frames to write, the first being written
  on_text_fn on_text_;
  on_end_fn on_end_;
};

template <class Peer>
using peer_list = std::vector<std::unique_ptr<Peer>>;

/// One connected client per target, or nothing.
template <class Peer>
std::optional<peer_list<Peer>> open_all(asio::io_context& io, uint16_t port,
                                        const std::vector<std::string>& targets) {
  std::optional<peer_list<Peer>> ps{std::in_place};
  for (const auto& t : targets) {
    ps->push_back(std::make_unique<Peer>(io));
    if (!ps->back()->open(port, t))
      return std::nullopt;
  }
  return ps;
}

/// Runs `io` until `done()` or the deadline; true when done. `done` is checked
/// every millisecond (the handlers run undisturbed in between).
bool run_until(asio::io_context& io, clk::time_point deadline, const std::function<bool()>& done) {
  asio::steady_timer tick{io};
  std::function<void()> arm = [&] {
    tick.expires_after(1ms);
    tick.async_wait([&](beast::error_code ec) {
      if (ec)
        return;
      if (done() || clk::now() >= deadline)
        io.stop();
      else
        arm();
    });
  };
  if (!done()) {
    arm();
    io.restart();
    io.run();
  }
  return done();
}

/// Ends every connection at once and lets the handlers see it.
template <class Peer>
void drop_all(asio::io_context& io, peer_list<Peer>& ps) {
  for (auto& p : ps)
    p->close();
  io.restart();
  io.run_for(1s);
}

std::optional<uint64_t> number(std::string_view s) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end == s.data())
    return std::nullopt;
  return n;
}

bool has_type(std::string_view m, std::string_view type) {
  auto at = m.find(R"("type":")");
  return at != std::string_view::npos && m.compare(at + 8, type.size(), type) == 0 &&
         m.size() > at + 8 + type.size() && m[at + 8 + type.size()] == '"';
}

/// The seq of an arbord output frame, found without parsing the JSON.
std::optional<uint64_t> output_seq(std::string_view m) {
  constexpr std::string_view key = R"("seq":)";
  if (!has_type(m, "output"))
    return std::nullopt;
  auto at = m.find(key);
  return at == std::string_view::npos ? std::nullopt : number(m.substr(at + key.size()));
}

/// True when `m` is an arbord output frame whose data is `text` (no escapes).
bool output_is(std::string_view m, std::string_view text) {
  constexpr std::string_view key = R"("data":")";
  auto at = m.find(key);
  if (at == std::string_view::npos || !has_type(m, "output"))
    return false;
  auto rest = m.substr(at + key.size());
  return rest.size() > text.size() && rest.compare(0, text.size(), text) == 0 &&
         rest[text.size()] == '"';
}

// --- streams: fanout and throughput ---------------------------------------------

struct stream_result {
  uint64_t frames = 0, expected = 0, gaps = 0, disorder = 0;
  double secs = 0;
  std::string cpu;
  std::string stall; // what the clients saw when not every line came
  bool complete() const { return expected > 0 && frames == expected && gaps == 0 && disorder == 0; }
  double rate() const { return secs > 0 ? static_cast<double>(frames) / secs : 0; }
};

/// Where the clients stand when not all lines came: lines per client, ended
/// connections, the first unexpected messages.
template <class Peer>
std::string describe_stall(const peer_list<Peer>& ps, const std::vector<std::string>& others) {
  uint64_t least = UINT64_MAX, most = 0;
  size_t ended = 0;
  std::map<uint16_t, size_t> codes;
  for (const auto& p : ps) {
    least = std::min(least, p->frames);
    most = std::max(most, p->frames);
    if (p->ended && ++ended)
      ++codes[p->close_code];
  }
  std::string out = "lines per client " + grouped(static_cast<double>(least)) + " to " +
                    grouped(static_cast<double>(most)) + "; connections ended " +
                    std::to_string(ended) + " of " + std::to_string(ps.size());
  for (const auto& [code, n] : codes)
    out += " (" + std::to_string(n) + " with close code " + std::to_string(code) + ")";
  for (const auto& m : others)
    out += "; got " + m;
  return out;
}

/// Connects a client per target, waits until each is attached (arbord: its
/// status frame), makes the first send `trigger` and counts lines until every
/// client has `lines` of them.
template <class Peer>
stream_result run_stream(const server& srv, const std::vector<std::string>& targets, bool arbord,
                         const std::string& trigger, uint64_t lines, double timeout) {
  stream_result r;
  r.expected = lines * targets.size();
  asio::io_context io;
  auto ps = open_all<Peer>(io, srv.port, targets);
  if (!ps)
    return r;
  size_t attached = arbord ? 0 : ps->size(), done = 0;
  std::vector<std::string> others; // the first messages that were neither lines nor status
  auto on_text = [&, arbord, lines](client_state& p, std::string_view m) {
    auto n = arbord ? output_seq(m) : number(m);
    if (!n) {
      if (arbord && !p.attached && has_type(m, "status") && ++attached)
        p.attached = true;
      else if (others.size() < 3)
        others.emplace_back(m.substr(0, 160));
      return true;
    }
    p.count(*n);
    if (p.frames == lines && ++done)
      p.done_at = clk::now();
    return true;
  };
  for (auto& p : *ps)
    p->start(on_text);
  auto deadline = clk::now() + secs(timeout);
  if (!run_until(io, deadline, [&] { return attached == ps->size(); })) {
    std::printf("  only %zu of %zu clients attached\n", attached, ps->size());
    return r;
  }
  cpu_watch cpu{srv.proc.pid()};
  auto t0 = clk::now();
  ps->front()->send_text(trigger);
  bool all = run_until(io, deadline, [&] { return done == ps->size(); });
  r.cpu = cpu.report();
  auto end = t0;
  for (auto& p : *ps) {
    r.frames += p->frames;
    r.gaps += p->gaps;
    r.disorder += p->disorder;
    end = std::max(end, p->done_at);
  }
  r.secs = std::chrono::duration<double>((all ? end : clk::now()) - t0).count();
  if (!all)
    r.stall = describe_stall(*ps, others);
  drop_all(io, *ps);
  return r;
}

stream_result run_stream(const options& o, const server& srv,
                         const std::vector<std::string>& targets, bool arbord,
                         const std::string& trigger, uint64_t lines) {
  return o.client == "beast"
             ? run_stream<beast_peer>(srv, targets, arbord, trigger, lines, o.timeout)
             : run_stream<lean_peer>(srv, targets, arbord, trigger, lines, o.timeout);
}

void print_stream_header() {
  std::printf("  %-10s %14s %9s %14s  %s\n", "server", "frames", "seconds", "frames/s", "complete");
}

void print_stream_row(const char* name, const stream_result& r) {
  std::printf("  %-10s %14s %9.3f %14s  ", name, grouped(static_cast<double>(r.frames)).c_str(),
              r.secs, grouped(r.rate()).c_str());
  if (r.complete())
    std::printf("yes (every line, in order, at every client)\n");
  else
    std::printf("NO: %s of %s lines, %s gaps, %s out of order\n",
                grouped(static_cast<double>(r.frames)).c_str(),
                grouped(static_cast<double>(r.expected)).c_str(),
                grouped(static_cast<double>(r.gaps)).c_str(),
                grouped(static_cast<double>(r.disorder)).c_str());
  if (!r.stall.empty())
    std::printf("  %-10s stalled: %s\n", "", r.stall.c_str());
  if (!r.cpu.empty())
    std::printf("  %-10s CPU, %% of one core: %s\n", "", r.cpu.c_str());
}

/// A fresh arbord with the 100-byte-lines kernel, one session: its client targets.
std::optional<server> lines_server(const options& o, size_t clients,
                                   std::vector<std::string>& targets) {
  auto srv = start_arbord(o.arbord, arbord_config(o, lines_kernel(), clients, 10));
  if (!srv)
    return std::nullopt;
  asio::io_context io;
  auto id = api{io, srv->port}.create_session();
  if (!id)
    return std::nullopt;
  targets.assign(clients, session_target(*id));
  return srv;
}

void bench_fanout(const options& o) {
  std::printf("\n== fan-out: 1 session, %zu clients, one sends `burst %s` (100-byte lines, "
              "kernel sh + seq)\n",
              o.clients, grouped(static_cast<double>(o.lines)).c_str());
  arm_watchdog(2 * o.timeout + 60);
  std::vector<std::string> targets;
  auto srv = lines_server(o, o.clients, targets);
  if (!srv)
    return;
  auto r =
      run_stream(o, *srv, targets, true, input_frame("burst " + std::to_string(o.lines)), o.lines);
  print_stream_header();
  print_stream_row("arbord", r);
  std::printf("  target >= 1,000,000 frames/s delivered in total: %s\n",
              verdict(r.complete() && r.rate() >= 1e6));
}

void bench_throughput(const options& o) {
  auto n = std::to_string(o.single_lines);
  std::printf("\n== one client: %s lines of 100 bytes (arbord: kernel sh + seq, `burst N`; "
              "websocketd: sh -c 'read n; seq -f %%0100.0f 1 $n')\n",
              grouped(static_cast<double>(o.single_lines)).c_str());
  arm_watchdog(3 * o.timeout + 60);
  stream_result ours, theirs;
  {
    std::vector<std::string> targets;
    if (auto srv = lines_server(o, 1, targets))
      ours = run_stream(o, *srv, targets, true, input_frame("burst " + n), o.single_lines);
  }
  if (!o.websocketd.empty())
    if (auto srv = start_websocketd(o.websocketd, {"sh", "-c", "read n; seq -f %0100.0f 1 $n"}))
      theirs = run_stream(o, *srv, {"/"}, false, n, o.single_lines);
  print_stream_header();
  print_stream_row("arbord", ours);
  if (o.websocketd.empty()) {
    std::printf("  websocketd not found: comparison skipped\n");
    return;
  }
  print_stream_row("websocketd", theirs);
  double ratio = theirs.rate() > 0 ? ours.rate() / theirs.rate() : 0;
  std::printf("  arbord / websocketd = %.2fx; target >= 3x: %s\n", ratio,
              verdict(ours.complete() && theirs.complete() && ratio >= 3));
}

// --- echo round trip -------------------------------------------------------------

struct latency {
  std::vector<double> us; // measured rounds, sorted
  std::string cpu;
  double at(double p) const {
    return us.empty() ? 0 : us[static_cast<size_t>(p * (us.size() - 1))];
  }
};

/// One client: send `x<i>`, wait for that line, `warmup + rounds` times.
latency run_echo(const server& srv, const std::string& target, bool arbord, size_t warmup,
                 size_t rounds, double timeout) {
  latency r;
  asio::io_context io;
  auto ps = open_all<beast_peer>(io, srv.port, {target});
  if (!ps)
    return r;
  beast_peer& p = *ps->front();
  size_t i = 0, total = warmup + rounds;
  std::string expect;
  clk::time_point sent;
  std::optional<cpu_watch> cpu;
  auto next = [&] {
    if (i == warmup)
      cpu.emplace(srv.proc.pid());
    expect = "x" + std::to_string(i);
    sent = clk::now();
    p.send_text(arbord ? input_frame(expect) : expect);
  };
  auto on_text = [&](client_state&, std::string_view m) {
    if (arbord && !p.attached && has_type(m, "status")) {
      p.attached = true;
      next();
    }
    if (!(arbord ? output_is(m, expect) : m == expect))
      return true;
    if (i >= warmup)
      r.us.push_back(std::chrono::duration<double, std::micro>(clk::now() - sent).count());
    if (++i < total)
      next();
    return i < total;
  };
  p.start(on_text);
  if (!arbord)
    next();
  run_until(io, clk::now() + secs(timeout), [&] { return i == total; });
  if (cpu)
    r.cpu = cpu->report();
  if (i < total)
    std::printf("  echo stopped after %zu of %zu rounds\n", i, total);
  std::sort(r.us.begin(), r.us.end());
  drop_all(io, *ps);
  return r;
}

void print_echo_row(const char* name, const latency& r) {
  std::printf("  %-10s %8zu %10.1f %10.1f %10.1f\n", name, r.us.size(), r.at(0.5), r.at(0.99),
              r.us.empty() ? 0 : r.us.back());
  if (!r.cpu.empty())
    std::printf("  %-10s CPU, %% of one core: %s\n", "", r.cpu.c_str());
}

void bench_echo(const options& o) {
  bool demo = o.echo_kernel == "demo";
  std::printf("\n== echo round trip: one client, %zu rounds after %zu warm-up (arbord: %s; "
              "websocketd: cat)\n",
              o.rounds, o.warmup, demo ? "demo kernel" : "cat");
  arm_watchdog(3 * o.timeout + 60);
  latency ours, theirs;
  std::vector<std::string> kernel;
  if (!demo)
    kernel = {"/bin/cat"}; // the same program on both sides: the servers are compared
  if (auto srv = start_arbord(o.arbord, arbord_config(o, kernel, 10, 10))) {
    asio::io_context io;
    if (auto id = api{io, srv->port}.create_session())
      ours = run_echo(*srv, session_target(*id), true, o.warmup, o.rounds, o.timeout);
  }
  if (!o.websocketd.empty())
    if (auto srv = start_websocketd(o.websocketd, {"cat"}))
      theirs = run_echo(*srv, "/", false, o.warmup, o.rounds, o.timeout);
  std::printf("  %-10s %8s %10s %10s %10s\n", "server", "rounds", "p50 µs", "p99 µs", "max µs");
  print_echo_row("arbord", ours);
  bool complete = ours.us.size() == o.rounds;
  if (o.websocketd.empty()) {
    std::printf("  websocketd not found: comparison skipped\n");
  } else {
    print_echo_row("websocketd", theirs);
    complete = complete && theirs.us.size() == o.rounds;
    std::printf("  target arbord p50 <= websocketd p50: %s\n",
                verdict(complete && ours.at(0.5) <= theirs.at(0.5)));
  }
  std::printf("  target arbord p99 < 1 ms: %s\n",
              verdict(ours.us.size() == o.rounds && ours.at(0.99) < 1000));
}

// --- shutdown ------------------------------------------------------------------------

struct shutdown_result {
  size_t clients = 0, closing = 0, code_1001 = 0, kernels = 0, survivors = 0;
  std::map<uint16_t, size_t> codes;
  double last_close_ms = -1, last_end_ms = -1, exit_ms = -1;
  std::optional<int> status;
};

/// Sessions, one attached client each; SIGTERM; closes and the exit timed.
shutdown_result run_shutdown(server& srv, const std::vector<std::string>& ids, double timeout) {
  shutdown_result r;
  asio::io_context io;
  std::vector<std::string> targets;
  for (const auto& id : ids)
    targets.push_back(session_target(id));
  auto ps = open_all<beast_peer>(io, srv.port, targets);
  if (!ps)
    return r;
  size_t attached = 0, ended = 0;
  auto on_text = [&](client_state& p, std::string_view m) {
    if (!p.attached && has_type(m, "status") && ++attached)
      p.attached = true;
    if (has_type(m, "closing"))
      p.closing = true;
    return true;
  };
  for (auto& p : *ps)
    p->start(on_text, [&](client_state&) { ++ended; });
  auto limit = secs(timeout);
  if (!run_until(io, clk::now() + limit, [&] { return attached == ps->size(); })) {
    std::printf("  only %zu of %zu clients attached\n", attached, ps->size());
    return r;
  }
  r.clients = ps->size();
  auto kernels = children_of(srv.proc.pid());
  r.kernels = kernels.size();
  clk::time_point exited;
  auto t0 = clk::now();
  ::kill(srv.proc.pid(), SIGTERM);
  std::thread waiter{[&] {
    r.status = srv.proc.wait(std::chrono::duration_cast<std::chrono::milliseconds>(limit));
    exited = clk::now();
  }};
  run_until(io, t0 + limit, [&] { return ended == ps->size(); });
  waiter.join();
  for (const auto& k : kernels)
    r.survivors += alive(k);
  auto last = t0, gone = t0;
  for (auto& p : *ps) {
    r.closing += p->closing;
    r.code_1001 += p->close_code == 1001;
    ++r.codes[p->close_code];
    last = std::max(last, p->close_at);
    gone = std::max(gone, p->ended_at);
  }
  auto ms = [&](clk::time_point t) {
    return std::chrono::duration<double, std::milli>(t - t0).count();
  };
  if (ended == ps->size() && r.codes.count(0) == 0)
    r.last_close_ms = ms(last);
  if (ended == ps->size())
    r.last_end_ms = ms(gone);
  if (r.status)
    r.exit_ms = ms(exited);
  drop_all(io, *ps);
  return r;
}

std::string exit_text(const std::optional<int>& status) {
  if (!status)
    return "still running at the timeout";
  if (WIFEXITED(*status))
    return "exit code " + std::to_string(WEXITSTATUS(*status));
  return WIFSIGNALED(*status) ? "killed by signal " + std::to_string(WTERMSIG(*status)) : "?";
}

void print_shutdown(const shutdown_result& r) {
  std::printf("  %-46s %s\n", "clients attached when SIGTERM was sent",
              grouped(static_cast<double>(r.clients)).c_str());
  std::printf("  %-46s %.1f ms\n", "last client's close frame, after the signal", r.last_close_ms);
  std::printf("  %-46s %.1f ms\n", "last connection ended (TCP), after the signal", r.last_end_ms);
  std::printf("  %-46s %.1f ms (%s)\n", "arbord exited (waitpid), after the signal", r.exit_ms,
              exit_text(r.status).c_str());
  std::printf("  %-46s %zu of %zu\n", "clients that got a `closing` frame", r.closing, r.clients);
  std::printf("  %-46s %zu of %zu (", "clients closed with code 1001", r.code_1001, r.clients);
  for (const auto& [code, n] : r.codes)
    std::printf(" %u: %zu", code, n);
  std::printf(" ; 0 = no close frame )\n");
  std::printf("  %-46s %zu of %zu\n", "kernel processes alive after arbord's exit", r.survivors,
              r.kernels);
  bool ok = r.clients > 0 && r.last_close_ms >= 0 && r.exit_ms >= 0 &&
            std::max(r.last_close_ms, r.exit_ms) < 2000 && r.closing == r.clients &&
            r.code_1001 == r.clients && r.survivors == 0 && r.status && WIFEXITED(*r.status) &&
            WEXITSTATUS(*r.status) == 0;
  std::printf("  target < 2 s to both, every client `closing` + 1001, no kernel left, exit 0: %s\n",
              verdict(ok));
}

void bench_shutdown(const options& o) {
  std::printf("\n== shutdown: %zu sessions (demo kernel), one client each, then SIGTERM\n",
              o.sessions);
  arm_watchdog(2 * o.timeout + 0.2 * static_cast<double>(o.sessions) + 60);
  auto srv = start_arbord(o.arbord, arbord_config(o, {}, 10, o.sessions + 10));
  if (!srv)
    return;
  std::vector<std::string> ids;
  auto t0 = clk::now();
  {
    asio::io_context io;
    api http{io, srv->port};
    for (size_t i = 0; i < o.sessions; ++i) {
      auto id = http.create_session();
      if (!id)
        return;
      ids.push_back(*id);
    }
  }
  std::printf("  %-46s %.1f s (one after another)\n", "sessions created", seconds_since(t0));
  print_shutdown(run_shutdown(*srv, ids, o.timeout));
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_ws: arbord over WebSocket on loopback, beside websocketd"};
  options o;
  o.arbord = default_arbord();
  app.add_option("--arbord", o.arbord, "the arbord binary (default: the one of this build)");
  app.add_option("--websocketd", o.websocketd, "websocketd, a path or a name in PATH");
  app.add_option("--only", o.only, "run only these benchmarks")
      ->check(CLI::IsMember({"fanout", "throughput", "echo", "shutdown"}));
  app.add_option("--lines", o.lines, "fanout: lines in the burst");
  app.add_option("--clients", o.clients, "fanout: clients of the session");
  app.add_option("--single-lines", o.single_lines, "throughput: lines to the one client");
  app.add_option("--rounds", o.rounds, "echo: measured round trips");
  app.add_option("--warmup", o.warmup, "echo: round trips before measuring");
  app.add_option("--sessions", o.sessions, "shutdown: sessions, one client each");
  app.add_option("--client", o.client, "the streams' client: lean (own framing) or beast")
      ->check(CLI::IsMember({"lean", "beast"}));
  app.add_option("--repeat", o.repeat, "run the selected benchmarks this many times");
  app.add_option("--timeout", o.timeout, "seconds each phase may take at most");
  app.add_flag("--idle-polling", o.idle_polling, "arbord with CAF's stock idle polling");
  app.add_option("--echo-kernel", o.echo_kernel,
                 "arbord's kernel for the echo: cat (as websocketd's) or demo")
      ->check(CLI::IsMember({"cat", "demo"}));
  app.add_option("--io-loops", o.io_loops, "arbord's I/O threads (scheduler.io_loops)")
      ->check(CLI::Range(1, 2));
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  arbor::bench::raise_fd_limit();
  std::signal(SIGALRM, on_alarm);
  if (::access(o.arbord.c_str(), X_OK) != 0) {
    std::printf("bench_ws: no arbord at %s (--arbord)\n", o.arbord.c_str());
    return 2;
  }
  auto wsd = find_program(o.websocketd);
  if (wsd.empty())
    std::printf("bench_ws: %s not found: the websocketd comparisons are skipped "
                "(scripts/install-bench-deps.sh installs it)\n",
                o.websocketd.c_str());
  o.websocketd = wsd;
  std::string load;
  std::getline(std::ifstream{"/proc/loadavg"}, load);
  std::printf("bench_ws: arbord %s, websocketd %s, %ld cores, loopback; load average %s\n",
              o.arbord.c_str(), wsd.empty() ? "-" : wsd.c_str(), ::sysconf(_SC_NPROCESSORS_ONLN),
              load.c_str());
  for (size_t run = 1; run <= o.repeat; ++run) {
    if (o.repeat > 1)
      std::printf("\n#### run %zu of %zu\n", run, o.repeat);
    if (o.wants("fanout"))
      bench_fanout(o);
    if (o.wants("throughput"))
      bench_throughput(o);
    if (o.wants("echo"))
      bench_echo(o);
    if (o.wants("shutdown"))
      bench_shutdown(o);
  }
  ::alarm(0);
  return 0;
}
