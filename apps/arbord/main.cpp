// arbord: the arbor reference server.
//
// Today it runs the node's supervision tree (ARCHITECTURE.md §2) as far as it
// exists: /app (rest_for_one) with the task supervisor /app/tasks. Sessions,
// lifespans and HTTP join the tree as they land. Signals become ordered exits:
// the first SIGINT/SIGTERM stops the tree in reverse start order, a second one
// shortens every deadline (hurry). Exit code 0 after a clean shutdown, 1 when
// the tree ended with an error, 2 when it could not start or an option is invalid.
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "supervisors/supervisor.hpp"
#include "supervisors/supervisor_log.hpp"
#include "supervisors/tasks.hpp"

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

namespace {

struct options {
  arbor::supervisor_log_config log;
  int stop_timeout_s = 90; // systemd's default TimeoutStopSec
};

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2); // internal: wakes the signal thread at the end
  return set;
}

arbor::supervisor_spec app_spec() {
  arbor::child_spec tasks;
  tasks.id = "tasks";
  tasks.kind = arbor::child_kind::supervisor;
  tasks.shutdown = arbor::shutdown_policy::deadline(std::chrono::seconds(10));
  tasks.start = [](arbor::child_context& ctx) -> caf::expected<caf::actor> {
    return arbor::spawn_task_supervisor(ctx.system, ctx.path, std::chrono::seconds(5));
  };
  arbor::supervisor_spec spec;
  spec.name = "app";
  spec.strat = arbor::strategy::rest_for_one;
  spec.children = {tasks};
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

int run(const options& opts) {
  caf::actor_system_config cfg;
  arbor::add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto root = arbor::start_supervisor(
      sys, app_spec(), "/app", std::chrono::seconds(opts.stop_timeout_s), std::chrono::seconds(30));
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
  int rc = run(opts);
  arbor::shutdown_supervisor_log();
  return rc;
}
