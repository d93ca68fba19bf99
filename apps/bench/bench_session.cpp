// bench_session: the session runtime's figures (docs/performance.md).
//   1. kernel stdout → one subscriber, 100-byte lines, vs `cat` through a pipe
//   2. fan-out in process: 1 KiB lines to 100 subscribers (deliveries/s)
//   3. session create → kernel ready → first output line (p50, p99)
//   4. N concurrent sessions with demo kernels: memory per session, close time
//   5. kernel launch: spawn_process (vfork) vs fork + exec, small and large heap
#include "actors/detail/kernel_process.hpp"
#include "actors/detail/spawn_process.hpp"
#include "actors/distributor.hpp"
#include "actors/io_loop.hpp"
#include "actors/kernel.hpp"
#include "actors/session_channel.hpp"
#include "actors/session_manager.hpp"
#include "common.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "messages/session.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace arbor;
using clk = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

/// A subscriber that acks every batch and reports to `done` at `target` lines.
caf::behavior counter(caf::event_based_actor* self, caf::actor dist, uint64_t target,
                      caf::actor done) {
  auto seen = std::make_shared<uint64_t>(0);
  return {
      [=](output_atom, const output_batch& b) {
        *seen += b.lines.size();
        self->send(dist, ack_atom::value, b.lines.back().seq);
        if (*seen >= target) {
          self->send(done, ok_atom::value);
          self->quit();
        }
      },
      [](const subscription&) {},
      [](closing_atom, const std::string&) {},
      [](status_atom, const kernel_status&) {},
  };
}

std::string make_lines(size_t lines, size_t width) {
  std::string out;
  out.reserve(lines * (width + 1));
  for (size_t i = 0; i < lines; ++i) {
    auto n = std::to_string(i);
    out += std::string(width - n.size(), '0') + n + '\n';
  }
  return out;
}

double cat_baseline(const std::string& file, size_t lines) {
  auto t0 = clk::now();
  FILE* p = ::popen(("cat " + file).c_str(), "r");
  char buf[65536];
  size_t n, count = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0)
    count += static_cast<size_t>(std::count(buf, buf + n, '\n'));
  ::pclose(p);
  if (count != lines)
    std::printf("  cat counted %zu lines, expected %zu\n", count, lines);
  return static_cast<double>(lines) / seconds_since(t0);
}

void bench_pipe(caf::actor_system& sys, io_loop_ptr io, size_t lines) {
  std::string file = "/tmp/arbor-bench-lines.txt";
  std::ofstream{file} << make_lines(lines, 99);
  caf::scoped_actor self{sys};
  distributor_config cfg;
  auto chan = std::make_shared<session_channel>(cfg); // as a session wires them
  auto dist = spawn_distributor(sys, cfg, chan);
  auto sub = sys.spawn(counter, dist, lines, caf::actor{self});
  caf::send_as(sub, dist, subscribe_atom::value, subscribe_request{});
  kernel_spec spec;
  spec.command = {"cat", file};
  auto t0 = clk::now();
  auto host = spawn_kernel(sys, io, spec, dist, chan);
  self->receive([](ok_atom) {}, caf::after(120s) >> [] { std::puts("  timeout"); });
  double ours = static_cast<double>(lines) / seconds_since(t0);
  double cat = cat_baseline(file, lines);
  std::printf("kernel stdout -> 1 subscriber, %zu x 100 B lines: %.0f lines/s; cat through a "
              "pipe: %.0f lines/s; ratio %.0f%% (target >= 70%%)\n",
              lines, ours, cat, 100.0 * ours / cat);
  self->send_exit(dist, caf::exit_reason::user_shutdown);
  std::remove(file.c_str());
}

void bench_fanout(caf::actor_system& sys, size_t lines, size_t subscribers) {
  lines = std::max<size_t>(lines / 64, 1) * 64; // whole chunks of 64 lines
  caf::scoped_actor self{sys};
  distributor_config cfg;
  cfg.subscriber_queue_lines = lines + 1;
  cfg.replay_lines = 1000;
  auto dist = spawn_distributor(sys, cfg);
  // The bench plays the kernel: it feeds chunks and waits for credit.
  self->send(dist, status_atom::value, kernel_status{"running", 1, 0, {}});
  for (size_t i = 0; i < subscribers; ++i) {
    auto sub = sys.spawn(counter, dist, lines, caf::actor{self});
    caf::send_as(sub, dist, subscribe_atom::value, subscribe_request{});
  }
  auto chunk = make_lines(64, 1023); // 64 lines of 1 KiB per read
  size_t chunks = lines / 64, sent = 0, credited = 0, done = 0;
  auto t0 = clk::now();
  while (done < subscribers) {
    while (sent < chunks && sent - credited < 16) {
      caf::anon_send(dist, detail::chunk_atom::value, int64_t{1}, chunk);
      ++sent;
    }
    self->receive([&](detail::credit_atom) { ++credited; }, [&](ok_atom) { ++done; },
                  [](caf::message&) {}, caf::after(60s) >> [&] { done = subscribers; });
  }
  double secs = seconds_since(t0);
  std::printf("fan-out 1 KiB lines to %zu subscribers: %.0f deliveries/s (%zu lines, %.3f s; "
              "target >= 3,000,000)\n",
              subscribers, static_cast<double>(chunks * 64 * subscribers) / secs, chunks * 64,
              secs);
  self->send_exit(dist, caf::exit_reason::user_shutdown);
}

long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(4096, '\n');
  }
  return 0;
}

double percentile(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  return xs.empty() ? 0 : xs[static_cast<size_t>(p * (xs.size() - 1))];
}

session_manager_config manager_config(const std::string& kernel, uint32_t max) {
  session_manager_config cfg;
  cfg.path = "/bench/sessions";
  cfg.kernels["default"].command = {kernel};
  cfg.kernels["default"].prestart = 2; // a warm pool: sessions adopt a running kernel
  cfg.max_sessions = max;
  cfg.defaults.heartbeat.interval = 30s;
  return cfg;
}

void bench_first_line(caf::actor_system& sys, io_loop_ptr io, const std::string& kernel,
                      size_t rounds) {
  caf::scoped_actor self{sys};
  auto mgr = spawn_session_manager(sys, manager_config(kernel, 10), io);
  std::vector<double> us, created;
  for (size_t i = 0; i < rounds; ++i) {
    auto t0 = clk::now();
    session_info info;
    self->request(mgr, 10s, create_atom::value, session_request{})
        .receive([&](session_info& x) { info = x; }, [](caf::error&) {});
    caf::actor dist;
    self->request(mgr, 10s, get_child_atom::value, info.id)
        .receive([&](caf::actor& d) { dist = d; }, [](caf::error&) {});
    self->request(dist, 10s, subscribe_atom::value, subscribe_request{})
        .receive([](subscription&) {}, [](caf::error&) {});
    created.push_back(std::chrono::duration<double, std::micro>(clk::now() - t0).count());
    self->send(dist, input_atom::value, std::string{"hello"});
    bool got = false;
    self->receive_while([&] { return !got; })([&](output_atom, const output_batch&) { got = true; },
                                              [](caf::message&) {},
                                              caf::after(10s) >> [&] { got = true; });
    us.push_back(std::chrono::duration<double, std::micro>(clk::now() - t0).count());
    self->request(mgr, 10s, close_atom::value, info.id).receive([](ok_atom) {}, [](caf::error&) {});
  }
  std::printf("session create -> kernel ready -> first output line (%zu rounds): p50 %.2f ms, "
              "p99 %.2f ms (target p50 < 5 ms)\n",
              rounds, percentile(us, 0.5) / 1000, percentile(us, 0.99) / 1000);
  std::printf("  of which create + attach: p50 %.2f ms\n", percentile(created, 0.5) / 1000);
  self->send_exit(mgr, caf::exit_reason::user_shutdown);
  self->wait_for(mgr);
}

void bench_many(caf::actor_system& sys, io_loop_ptr io, const std::string& kernel, size_t n) {
  caf::scoped_actor self{sys};
  auto mgr = spawn_session_manager(sys, manager_config(kernel, static_cast<uint32_t>(n)), io);
  auto before = bench::live_bytes();
  auto rss_before = rss_kib();
  auto t0 = clk::now();
  size_t ok = 0;
  for (size_t i = 0; i < n; ++i)
    self->request(mgr, 30s, create_atom::value, session_request{})
        .receive([&](session_info&) { ++ok; },
                 [](caf::error& e) { std::printf("  create: %s\n", describe(e).c_str()); });
  double create_s = seconds_since(t0);
  auto per_session = [n](long bytes) {
    return static_cast<double>(bytes) / static_cast<double>(n);
  };
  std::printf("%zu concurrent sessions with demo kernels: created in %.2f s; memory per session "
              "(this process, kernels excluded) %.1f KiB allocated through %s, RSS delta %.1f "
              "KiB (target < 64 KiB)\n",
              ok, create_s, per_session(bench::live_bytes() - before) / 1024,
              bench::allocator_name(), per_session(rss_kib() - rss_before));
  t0 = clk::now();
  self->send_exit(mgr, caf::exit_reason::user_shutdown);
  self->wait_for(mgr);
  std::printf("close of %zu sessions, every kernel reaped: %.3f s (target < 2 s)\n", ok,
              seconds_since(t0));
}

/// How the old launcher started a kernel: fork, then wait on a close-on-exec
/// pipe until the child's exec (Boost.Process's default launcher does this).
pid_t fork_and_exec(const char* exe) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(exe, exe, nullptr);
    ::_exit(127);
  }
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return pid;
  }
  char c;
  while (::read(report[0], &c, 1) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  return pid;
}

pid_t spawn_true(const char* exe) {
  auto child = detail::spawn_process({exe, {exe}, {}, {}});
  if (!child)
    return -1;
  for (int fd : {child->in, child->out, child->err})
    ::close(fd);
  return child->pid;
}

/// p50/p99 of the time `launch` blocks its caller, over `rounds` launches of /bin/true.
std::pair<double, double> time_launches(pid_t (*launch)(const char*), size_t rounds) {
  std::vector<double> us;
  for (size_t i = 0; i < rounds; ++i) {
    auto t0 = clk::now();
    pid_t pid = launch("/bin/true");
    us.push_back(std::chrono::duration<double, std::micro>(clk::now() - t0).count());
    if (pid > 0)
      ::waitpid(pid, nullptr, 0);
  }
  return {percentile(us, 0.5), percentile(us, 0.99)};
}

void print_launches(const char* heap, size_t rounds) {
  auto spawn = time_launches(spawn_true, rounds);
  auto fork = time_launches(fork_and_exec, rounds);
  std::printf("kernel launch, %s: spawn_process p50 %.0f us p99 %.0f us; fork + exec p50 %.0f us "
              "p99 %.0f us (%zu rounds, caller blocked until the exec)\n",
              heap, spawn.first, spawn.second, fork.first, fork.second, rounds);
}

/// Launch cost with the process as it is, then with `ballast_mib` more memory
/// touched (a server holding many sessions' buffers): fork copies its page tables.
void bench_launch(size_t rounds, size_t ballast_mib) {
  print_launches("this process's heap", rounds);
  size_t bytes = ballast_mib << 20;
  void* ballast =
      ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ballast == MAP_FAILED)
    return;
  std::memset(ballast, 1, bytes);
  std::string label = "with " + std::to_string(ballast_mib) + " MiB more touched";
  print_launches(label.c_str(), rounds);
  ::munmap(ballast, bytes);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_session: the session runtime (kernel pipes, fan-out, sessions)"};
  size_t lines = 1000000, fan_lines = 100000, subscribers = 100, rounds = 200, sessions = 1000;
  std::string kernel;
  app.add_option("--kernel", kernel, "path of arbor-demo-kernel")->required();
  app.add_option("--lines", lines, "100-byte lines through one kernel pipe");
  app.add_option("--fanout-lines", fan_lines, "1 KiB lines fanned out");
  app.add_option("--subscribers", subscribers, "subscribers for the fan-out");
  app.add_option("--rounds", rounds, "sessions for the first-line latency");
  app.add_option("--sessions", sessions, "concurrent sessions");
  size_t launches = 200, ballast_mib = 256;
  app.add_option("--launches", launches, "launches of /bin/true per launch figure");
  app.add_option("--ballast", ballast_mib, "MiB touched for the large-heap launch figures");
  bench::scheduler_flags flags;
  flags.add_to(app);
  CLI11_PARSE(app, argc, argv);
  auto sched = flags.options();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  bench::raise_fd_limit();
  bench_launch(launches, ballast_mib); // first: "this process's heap" is still small
  auto io = std::make_shared<io_loop>();
  {
    caf::actor_system_config cfg;
    add_message_types(cfg);
    configure_scheduler(cfg, sched);
    caf::actor_system sys{cfg};
    bench_pipe(sys, io, lines);
    bench_fanout(sys, fan_lines, subscribers);
    bench_first_line(sys, io, kernel, rounds);
    bench_many(sys, io, kernel, sessions);
  }
  io->stop();
  return 0;
}
