// arbord: the arbor reference server.
//
// It runs the node's supervision tree (ARCHITECTURE.md §2) as far as it exists:
//   /app (rest_for_one) → event_bus, tasks, sessions (session manager; kernel:
//   the demo kernel next to arbord unless --kernel names another program).
// Lifespans from config and HTTP join the tree with the server issue. Signals become ordered exits:
// the first SIGINT/SIGTERM stops the tree in reverse start order, a second one
// shortens every deadline (hurry). Exit code 0 after a clean shutdown, 1 when
// the tree ended with an error, 2 when it could not start or an option is invalid.
#include "actors/event_bus.hpp"
#include "actors/io_loop.hpp"
#include "actors/session_manager.hpp"
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "supervisors/supervisor.hpp"
#include "supervisors/supervisor_log.hpp"
#include "supervisors/tasks.hpp"

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace {

struct options {
  arbor::supervisor_log_config log;
  int stop_timeout_s = 90; // systemd's default TimeoutStopSec
  std::string kernel;      // default kernel program; "" = the demo kernel
  uint32_t max_sessions = 1000;
};

/// The demo kernel built and installed beside arbord.
std::string demo_kernel_path() {
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string dir = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{"."};
  dir = dir.substr(0, dir.rfind('/'));
  for (auto candidate : {dir + "/arbor-demo-kernel", dir + "/../demo_kernel/arbor-demo-kernel"})
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  return "arbor-demo-kernel"; // from PATH
}

/// Many sessions need many descriptors (three pipes and a pidfd each).
void raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2); // internal: wakes the signal thread at the end
  return set;
}

/// The bus's current handle, written by its factory and read by the sessions'
/// factory; both run inside /app's handlers, one after the other.
using bus_slot = std::shared_ptr<caf::actor>;

arbor::child_spec event_bus_child(bus_slot slot) {
  arbor::child_spec bus;
  bus.id = "event_bus";
  bus.shutdown = arbor::shutdown_policy::deadline(std::chrono::seconds(1));
  bus.start = [slot](arbor::child_context& ctx) -> caf::expected<caf::actor> {
    *slot = arbor::spawn_event_bus(ctx.system);
    return *slot;
  };
  return bus;
}

arbor::child_spec tasks_child() {
  arbor::child_spec tasks;
  tasks.id = "tasks";
  tasks.kind = arbor::child_kind::supervisor;
  tasks.shutdown = arbor::shutdown_policy::deadline(std::chrono::seconds(10));
  tasks.start = [](arbor::child_context& ctx) -> caf::expected<caf::actor> {
    return arbor::spawn_task_supervisor(ctx.system, ctx.path, std::chrono::seconds(5));
  };
  return tasks;
}

arbor::child_spec sessions_child(const options& opts, arbor::io_loop_ptr io, bus_slot slot) {
  arbor::session_manager_config cfg;
  cfg.kernels["default"].command = {opts.kernel.empty() ? demo_kernel_path() : opts.kernel};
  cfg.max_sessions = opts.max_sessions;
  auto child = arbor::session_manager_child("sessions", cfg, io);
  child.shutdown = arbor::shutdown_policy::deadline(std::chrono::seconds(30));
  child.start = [cfg, io, slot](arbor::child_context& ctx) -> caf::expected<caf::actor> {
    auto c = cfg;
    c.path = ctx.path;
    c.event_bus = *slot;
    return arbor::spawn_session_manager(ctx.system, std::move(c), io);
  };
  return child;
}

arbor::supervisor_spec app_spec(const options& opts, arbor::io_loop_ptr io) {
  auto slot = std::make_shared<caf::actor>();
  arbor::supervisor_spec spec;
  spec.name = "app";
  spec.strat = arbor::strategy::rest_for_one;
  spec.children = {event_bus_child(slot), tasks_child(), sessions_child(opts, io, slot)};
  return spec;
}

/// Turns signals into messages to the root: exit first, hurry on the second.
void forward_signals(caf::actor_system& sys, caf::actor root) {
  auto set = handled_signals();
  int count = 0;
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGUSR2)
      return;
    arbor::log_event ev{++count == 1 ? "stop_requested" : "hurry_requested", spdlog::level::info,
                        "/app"};
    ev.reason = strsignal(sig);
    arbor::log_supervisor_event(ev);
    if (count == 1)
      caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    else
      caf::anon_send(root, arbor::hurry_atom::value);
  }
  (void)sys;
}

int run(const options& opts, arbor::io_loop_ptr io) {
  caf::actor_system_config cfg;
  arbor::add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto root =
      arbor::start_supervisor(sys, app_spec(opts, io), "/app",
                              std::chrono::seconds(opts.stop_timeout_s), std::chrono::seconds(30));
  if (!root) {
    std::fprintf(stderr, "arbord: cannot start: %s\n", arbor::describe(root.error()).c_str());
    return 2;
  }
  arbor::log_supervisor_event({"node_started", spdlog::level::info, "/app"});
  std::thread signals{forward_signals, std::ref(sys), *root};
  caf::error reason;
  {
    caf::scoped_actor self{sys};
    self->monitor(*root);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; });
  }
  pthread_kill(signals.native_handle(), SIGUSR2);
  signals.join();
  arbor::log_event ev{"node_stopped",
                      arbor::is_clean_exit(reason) ? spdlog::level::info : spdlog::level::err,
                      "/app"};
  ev.reason = arbor::describe(reason);
  arbor::log_supervisor_event(ev);
  return arbor::is_clean_exit(reason) ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"arbord: the arbor multi-session backend"};
  options opts;
  opts.log.to_stderr = true;
  app.add_option("--node", opts.log.node, "node name in the supervisor log")->capture_default_str();
  app.add_option("--log-file", opts.log.file, "supervisor log file (JSON Lines, rotated)");
  app.add_flag("!--no-log-stderr", opts.log.to_stderr, "do not copy the supervisor log to stderr");
  app.add_option("--stop-timeout", opts.stop_timeout_s,
                 "outer shutdown deadline in seconds (systemd TimeoutStopSec); the tree "
                 "must be able to stop within it")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--kernel", opts.kernel,
                 "default kernel program (default: arbor-demo-kernel beside arbord)")
      ->check(CLI::ExistingFile);
  app.add_option("--max-sessions", opts.max_sessions, "most sessions at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    app.exit(e); // prints help, or the one-line error
    return e.get_exit_code() == 0 ? 0 : 2;
  }

  // Block the signals before CAF starts its threads; one thread waits for them.
  auto signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  arbor::configure_supervisor_log(opts.log);
  raise_fd_limit();
  // The I/O loop outlives the actor system: kernels of dying actors are reaped there.
  auto io = std::make_shared<arbor::io_loop>();
  int rc = run(opts, io);
  io->stop();
  arbor::shutdown_supervisor_log();
  return rc;
}
