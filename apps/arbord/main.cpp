// arbord: the arbor reference server. Until the server issue lands this is the
// minimal node: it starts an actor system, logs its start and stop to the
// supervisor log and exits cleanly on SIGINT/SIGTERM.
#include "messages/module.hpp"
#include "supervisors/supervisor_log.hpp"

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <csignal>
#include <cstdio>

namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"arbord: the arbor multi-session backend"};
  arbor::supervisor_log_config log_cfg;
  log_cfg.to_stderr = true;
  app.add_option("--node", log_cfg.node, "node name in the supervisor log");
  app.add_option("--log-file", log_cfg.file, "supervisor log file (JSON Lines)");
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before CAF starts its threads; main waits for them.
  auto signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  arbor::configure_supervisor_log(log_cfg);
  caf::actor_system_config cfg;
  arbor::add_message_types(cfg);
  {
    caf::actor_system system{cfg};
    arbor::log_supervisor_event({"node_started", spdlog::level::info, "/app"});
    int sig = 0;
    sigwait(&signals, &sig);
    arbor::log_event ev{"shutdown_started", spdlog::level::info, "/app"};
    ev.reason = strsignal(sig);
    arbor::log_supervisor_event(ev);
  }
  arbor::log_supervisor_event({"shutdown_completed", spdlog::level::info, "/app"});
  arbor::shutdown_supervisor_log();
  return 0;
}
