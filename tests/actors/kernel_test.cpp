// Kernel host: real processes (the demo kernel and /bin/sh one-liners).
//
//   test (scoped actor = sink) ◀──chunks── kernel host ──pipes── process
#include "actor_fixture.hpp"
#include "actors/detail/kernel_process.hpp"
#include "actors/kernel.hpp"

#include <csignal>
#include <fcntl.h>
#include <future>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace arbor;
using namespace arbor::test;

namespace {

kernel_spec sh(const std::string& script) {
  kernel_spec spec;
  spec.command = {"/bin/sh", "-c", script};
  return spec;
}

/// Collects stdout (acking chunks back to the host) until `needle` shows up.
bool read_until(actor_fixture& f, const caf::actor& host, std::string& out,
                const std::string& needle, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms)
      return false;
    (*f.self)->receive(
        [&](detail::chunk_atom, int64_t, const std::string& bytes) {
          out += bytes;
          (*f.self)->send(host, detail::credit_atom::value);
        },
        [](status_atom, const kernel_status&) {}, caf::after(left) >> [] {});
  }
  return true;
}

/// True once `pid` no longer exists, waiting on a pidfd (bounded).
bool process_gone(int pid, std::chrono::milliseconds timeout) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0)
    return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  ::close(fd);
  return n == 1;
}

int64_t running_pid(actor_fixture& f) {
  int64_t pid = 0;
  (*f.self)->receive([&](status_atom, const kernel_status& st) { pid = st.pid; },
                     caf::after(10s) >> [] {});
  return pid;
}

/// Keeps the I/O loop busy until `release()` (or 10 s): what the host posts
/// there (its launch) waits until then.
class loop_hold {
public:
  explicit loop_hold(io_loop& io) {
    io.post([f = released_.get_future().share()] { f.wait_for(10s); });
  }
  ~loop_hold() { release(); }
  void release() {
    if (!done_)
      released_.set_value();
    done_ = true;
  }

private:
  std::promise<void> released_;
  bool done_ = false;
};

/// `spec` cannot start: readiness fails with start_failed whose message
/// contains `text`, and the host ends with the same reason. The readiness
/// request is queued before the launch can fail: a request that arrived after
/// the host ended would get request_receiver_down (a monitor gets the reason).
void check_start_fails(actor_fixture& f, const kernel_spec& spec, const std::string& text) {
  loop_hold hold{*f.io};
  auto host = spawn_kernel(*f.sys, f.io, spec, *f.self);
  caf::expected<ok_atom> ready = make_error(errc::timeout);
  auto pending = (*f.self)->request(host, 10s, ready_atom::value);
  hold.release();
  pending.receive([&](ok_atom x) { ready = x; }, [&](caf::error& err) { ready = std::move(err); });
  REQUIRE_FALSE(ready);
  CHECK(is(ready.error(), errc::start_failed));
  CHECK(describe(ready.error()).find(text) != std::string::npos);
  CHECK(is(f.wait_down(host), errc::start_failed));
}

} // namespace

TEST_CASE_METHOD(actor_fixture, "a kernel's stdout reaches the sink and its clean exit is normal",
                 "[kernel]") {
  auto host = spawn_kernel(*sys, io, sh("echo hello; echo world"), *self);
  REQUIRE(ask<ok_atom>(host, ready_atom::value));
  REQUIRE(running_pid(*this) > 0);
  std::string out;
  REQUIRE(read_until(*this, host, out, "world\n"));
  CHECK(out == "hello\nworld\n");
  CHECK(wait_down(host) == caf::exit_reason::normal);
}

TEST_CASE_METHOD(actor_fixture, "exit codes and signals become exit reasons", "[kernel]") {
  auto code = spawn_kernel(*sys, io, sh("exit 3"), *self);
  CHECK(describe(wait_down(code)) == "exit_code:3");
  kernel_spec crash;
  crash.command = {demo_kernel};
  auto host = spawn_kernel(*sys, io, crash, *self);
  REQUIRE(ask<ok_atom>(host, ready_atom::value));
  REQUIRE(ask<ok_atom>(host, input_atom::value, std::string{"crash"}));
  CHECK(describe(wait_down(host)) == "signal:6");
}

TEST_CASE_METHOD(actor_fixture, "input lines reach stdin and interrupt reaches the group",
                 "[kernel]") {
  kernel_spec spec;
  spec.command = {demo_kernel};
  auto host = spawn_kernel(*sys, io, spec, *self);
  REQUIRE(ask<ok_atom>(host, ready_atom::value));
  REQUIRE(ask<ok_atom>(host, input_atom::value, std::string{"upper abc"}));
  std::string out;
  REQUIRE(read_until(*this, host, out, "ABC\n"));
  REQUIRE(ask<ok_atom>(host, interrupt_atom::value));
  REQUIRE(read_until(*this, host, out, "interrupted\n"));
  REQUIRE(ask<ok_atom>(host, input_atom::value, std::string{"count"}));
  REQUIRE(read_until(*this, host, out, "1\n"));
  (*self)->send_exit(host, caf::exit_reason::user_shutdown);
  CHECK(wait_down(host) == caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(actor_fixture,
                 "a kernel that ignores SIGTERM is killed at the deadline and reaped",
                 "[kernel][shutdown]") {
  kernel_spec spec;
  spec.command = {demo_kernel};
  spec.term_timeout = 200ms;
  auto host = spawn_kernel(*sys, io, spec, *self);
  REQUIRE(ask<ok_atom>(host, ready_atom::value));
  auto pid = running_pid(*this);
  REQUIRE(pid > 0);
  REQUIRE(ask<ok_atom>(host, input_atom::value, std::string{"ignore-term"}));
  std::string out;
  REQUIRE(read_until(*this, host, out, "ignoring SIGTERM\n"));
  (*self)->send_exit(host, caf::exit_reason::user_shutdown);
  CHECK(wait_down(host) == caf::exit_reason::user_shutdown);
  CHECK(process_gone(static_cast<int>(pid), 5s));
  CHECK(::kill(static_cast<pid_t>(pid), 0) == -1); // reaped: not even a zombie
}

TEST_CASE_METHOD(actor_fixture, "a full stdin queue is an error to the sender, not a drop",
                 "[kernel]") {
  // The kernel never reads: the pipe fills (64 KiB), then the queue (4 KiB).
  auto spec = sh("exec sleep 30");
  spec.stdin_queue_bytes = 4096;
  auto host = spawn_kernel(*sys, io, spec, *self);
  REQUIRE(ask<ok_atom>(host, ready_atom::value));
  std::string line(1000, 'x');
  caf::error refused;
  size_t accepted = 0;
  for (; accepted < 1000 && !refused; ++accepted) {
    auto res = ask<ok_atom>(host, input_atom::value, line);
    if (!res)
      refused = res.error();
  }
  CHECK(is(refused, errc::queue_full));
  CHECK(accepted > 4); // what fitted was taken
  (*self)->send_exit(host, caf::exit_reason::user_shutdown);
  CHECK(wait_down(host) == caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(actor_fixture, "a kernel that cannot start fails readiness with the reason",
                 "[kernel]") {
  kernel_spec spec;
  spec.command = {"/nonexistent/kernel"};
  check_start_fails(*this, spec, "/nonexistent/kernel");
}

TEST_CASE_METHOD(actor_fixture, "a kernel starts in its directory with its environment",
                 "[kernel]") {
  kernel_spec spec = sh("pwd; echo \"$ARBOR_TEST_VALUE\"");
  spec.cwd = "/usr";
  spec.env["ARBOR_TEST_VALUE"] = "from the spec";
  auto host = spawn_kernel(*sys, io, spec, *self);
  std::string out;
  REQUIRE(read_until(*this, host, out, "spec\n"));
  CHECK(out == "/usr\nfrom the spec\n");
  CHECK(wait_down(host) == caf::exit_reason::normal);
}

TEST_CASE_METHOD(actor_fixture, "a kernel whose directory is missing fails readiness naming it",
                 "[kernel]") {
  kernel_spec spec = sh("echo never");
  spec.cwd = "/nonexistent/arbor-dir";
  check_start_fails(*this, spec, "cannot enter /nonexistent/arbor-dir: No such file");
}

TEST_CASE_METHOD(actor_fixture, "a kernel starts with every signal at its default and none blocked",
                 "[kernel]") {
  // The server ignores SIGPIPE (io_loop) and here also SIGUSR2: ignored
  // signals would survive the exec if the child did not reset them.
  auto previous = std::signal(SIGUSR2, SIG_IGN);
  auto host = spawn_kernel(*sys, io, sh("exec grep -E '^Sig(Blk|Ign)' /proc/self/status"), *self);
  std::string out;
  bool complete = read_until(*this, host, out, "SigIgn:\t0000000000000000\n");
  std::signal(SIGUSR2, previous);
  CHECK(complete);
  CHECK(out == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  CHECK(wait_down(host) == caf::exit_reason::normal);
}

TEST_CASE_METHOD(actor_fixture, "a killed host still kills and reaps its kernel",
                 "[kernel][shutdown]") {
  auto host = spawn_kernel(*sys, io, sh("exec sleep 30"), *self);
  REQUIRE(ask<ok_atom>(host, ready_atom::value));
  auto pid = running_pid(*this);
  REQUIRE(pid > 0);
  (*self)->send_exit(host, caf::exit_reason::kill);
  CHECK(wait_down(host) == caf::exit_reason::kill);
  CHECK(process_gone(static_cast<int>(pid), 5s));
}

TEST_CASE("a kernel does not outlive its host program killed with SIGKILL", "[kernel]") {
  // The helper starts a kernel (sleep 300), prints its pid and waits; we SIGKILL it.
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t helper = ::fork();
  REQUIRE(helper >= 0);
  if (helper == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::execl(ORPHAN_HELPER_PATH, ORPHAN_HELPER_PATH, nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  pollfd p{out[0], POLLIN, 0};
  while (::poll(&p, 1, 10000) == 1 && ::read(out[0], &c, 1) == 1 && c != '\n')
    line.push_back(c);
  ::close(out[0]);
  int kernel_pid = std::atoi(line.c_str());
  REQUIRE(kernel_pid > 0);
  ::kill(helper, SIGKILL);
  int status = 0;
  ::waitpid(helper, &status, 0);
  CHECK(process_gone(kernel_pid, 5s));
}

TEST_CASE_METHOD(actor_fixture, "a kernel inherits no descriptor but its stdin, stdout and stderr",
                 "[kernel]") {
  // Descriptors the parent holds without O_CLOEXEC, as Asio's sockets are:
  // one low (below the launcher's own pipe) and one high.
  int low = ::open("/dev/null", O_RDONLY);
  int high = ::fcntl(low, F_DUPFD, 200);
  REQUIRE(low > 2);
  REQUIRE(high >= 200);
  kernel_spec spec;
  spec.command = {demo_kernel};
  auto host = spawn_kernel(*sys, io, spec, *self);
  REQUIRE(ask<ok_atom>(host, input_atom::value, std::string{"fds"}));
  std::string out;
  REQUIRE(read_until(*this, host, out, "\n"));
  CHECK(out == "0 1 2\n");
  (*self)->send_exit(host, caf::exit_reason::user_shutdown);
  CHECK(wait_down(host) == caf::exit_reason::user_shutdown);
  ::close(low);
  ::close(high);
}

//   test ── exit_msg ──▶ host ── SIGTERM ──▶ process (exits 3, ignores it, or dies of it)
TEST_CASE_METHOD(actor_fixture,
                 "with stop_failures a stop that ends the process badly ends the host so",
                 "[kernel][shutdown]") {
  auto run = [this](bool stop_failures, const std::string& script) {
    auto spec = sh(script);
    spec.stop_failures = stop_failures;
    spec.term_timeout = 300ms;
    auto host = spawn_kernel(*sys, io, spec, *self);
    REQUIRE(ask<ok_atom>(host, ready_atom::value));
    std::string out;
    REQUIRE(read_until(*this, host, out, "up\n"));
    (*self)->send_exit(host, caf::exit_reason::user_shutdown);
    return describe(wait_down(host));
  };
  // Exits 3 on SIGTERM at once (a shell's trap would wait for a `sleep` it
  // forked after the signal: up to a second, past the 300 ms deadline).
  const std::string exits_3 = "exec python3 -c \"import signal, sys\n"
                              "signal.signal(signal.SIGTERM, lambda *a: sys.exit(3))\n"
                              "print('up', flush=True)\n"
                              "while True: signal.pause()\"";
  const std::string ignores = "trap '' TERM; echo up; while :; do sleep 1; done";
  CHECK(run(false, exits_3) == "shutdown"); // a session's kernel: the stop's reason
  CHECK(run(true, exits_3) == "exit_code:3");
  CHECK(run(true, ignores) == "signal:9");                  // killed at term_timeout
  CHECK(run(true, "echo up; exec sleep 60") == "shutdown"); // SIGTERM ended it: clean
}
