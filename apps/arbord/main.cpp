// arbord: the arbor reference server (docs/arbord.md, API in docs/http-api.md).
//
// Reads its config (a JSON file and flags, docs/configuration.md; invalid →
// one error line, exit 2, nothing started), runs the node's supervision tree
// (node.hpp) and prints where it listens. Signals become ordered exits: the
// first SIGINT/SIGTERM (or POST /api/shutdown) stops the tree in reverse start
// order, a second one shortens every deadline. Exit code 0 after a clean
// shutdown, 1 when the tree ended with an error, 2 when it could not start.
#include "apps/arbord/config.hpp"
#include "apps/arbord/node.hpp"
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "supervisors/log_ring.hpp"
#include "supervisors/scheduler.hpp"
#include "supervisors/supervisor.hpp"
#include "supervisors/supervisor_log.hpp"

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <csignal>
#include <cstdio>
#include <random>
#include <sys/resource.h>
#include <thread>

namespace {

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

std::string random_token() {
  std::random_device rd;
  std::string token;
  for (int i = 0; i < 4; ++i) {
    char buf[9];
    std::snprintf(buf, sizeof(buf), "%08x", rd());
    token += buf;
  }
  return token;
}

/// The one stop path: signals and POST /api/shutdown both come here. The first
/// request stops the tree, later ones shorten its deadlines.
class stopper {
public:
  stopper(caf::actor root, arbor::http::server_state& front)
    : root_(std::move(root)), front_(front) {}

  void request(const char* why) {
    int n = ++count_;
    arbor::log_event ev{n == 1 ? "stop_requested" : "hurry_requested", spdlog::level::info, "/app"};
    ev.reason = why;
    arbor::log_supervisor_event(ev);
    if (n == 1) {
      front_.ready.store(false, std::memory_order_release);
      caf::anon_send_exit(root_, caf::exit_reason::user_shutdown);
    } else {
      caf::anon_send(root_, arbor::hurry_atom::value);
    }
  }

private:
  caf::actor root_;
  arbor::http::server_state& front_;
  std::atomic<int> count_{0};
};

void forward_signals(stopper& stop) {
  auto set = handled_signals();
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGUSR2)
      return;
    stop.request(strsignal(sig));
  }
}

void print_address(const arbor::config::server& cfg, uint16_t port, bool token_generated) {
  std::printf("arbord: listening on http://%s:%u/", cfg.host.c_str(), static_cast<unsigned>(port));
  if (token_generated)
    std::printf("?token=%s", cfg.token.c_str());
  std::printf("\n");
  std::fflush(stdout);
}

caf::error wait_for_exit(caf::actor_system& sys, const caf::actor& root) {
  caf::error reason;
  caf::scoped_actor self{sys};
  self->monitor(root);
  self->receive([&](caf::down_msg& msg) { reason = msg.reason; });
  return reason;
}

int run(const arbor::config::server& cfg, bool token_generated,
        std::shared_ptr<arbor::http::server_state> front, arbor::io_loop_ptr kernels) {
  caf::actor_system_config sys_cfg;
  arbor::add_message_types(sys_cfg);
  arbor::configure_scheduler(sys_cfg, cfg.scheduler);
  caf::actor_system sys{sys_cfg};
  auto root =
      arbor::start_supervisor(sys, arbord::app_spec(cfg, kernels, front), "/app",
                              std::chrono::seconds(cfg.stop_timeout_s), std::chrono::seconds(60));
  if (!root) {
    std::fprintf(stderr, "arbord: cannot start: %s\n", arbor::describe(root.error()).c_str());
    return 2;
  }
  stopper stop{*root, *front};
  front->root = caf::actor_cast<caf::weak_actor_ptr>(*root);
  front->shutdown = [&stop] { stop.request("POST /api/shutdown"); };
  front->ready.store(true, std::memory_order_release);
  arbor::log_supervisor_event({"node_started", spdlog::level::info, "/app"});
  print_address(cfg, front->port.load(), token_generated);
  std::thread signals{forward_signals, std::ref(stop)};
  auto reason = wait_for_exit(sys, *root);
  pthread_kill(signals.native_handle(), SIGUSR2);
  signals.join();
  arbor::http::close_all(*front, std::chrono::seconds(2));
  arbor::log_event ev{"node_stopped",
                      arbor::is_clean_exit(reason) ? spdlog::level::info : spdlog::level::err,
                      "/app"};
  ev.reason = arbor::describe(reason);
  arbor::log_supervisor_event(ev);
  return arbor::is_clean_exit(reason) ? 0 : 1;
}

struct flags {
  std::string config_file;
  bool print_config = false;
};

/// Declares every flag; each overrides its config key only when given.
void add_flags(CLI::App& app, flags& f, arbor::config::server& cfg) {
  app.add_option("--config", f.config_file, "JSON config file (docs/configuration.md)")
      ->check(CLI::ExistingFile);
  app.add_flag("--print-config", f.print_config, "print the effective config and exit");
  app.add_option("--host", cfg.host, "listen address (config: host)");
  app.add_option("--port", cfg.port, "listen port, 0 = any (config: port)");
  app.add_option("--token", cfg.token, "API token; generated when empty (config: token)");
  app.add_option("--kernel", cfg.kernels["default"].run.command,
                 "the default kernel's command (config: kernels.default.command)");
  app.add_option("--session-ttl", cfg.session_ttl_s,
                 "seconds a session outlives its last client; 0 = at once, -1 = never");
  app.add_option("--max-sessions", cfg.limit.max_sessions, "most sessions at once");
  app.add_option("--export-dir", cfg.export_dir, "where transcripts are written");
  app.add_option("--node", cfg.logging.node, "node name in the supervisor log");
  app.add_option("--log-file", cfg.logging.file, "supervisor log file (JSON Lines, rotated)");
  app.add_flag("!--no-log-stderr", cfg.logging.to_stderr,
               "do not copy the supervisor log to stderr");
  app.add_option("--stop-timeout", cfg.stop_timeout_s,
                 "outer shutdown deadline in seconds (systemd TimeoutStopSec)");
}

/// Parses flags over the config file: flags are parsed twice, first to find
/// --config, then over the loaded file so that given flags win.
int load_config(int argc, char** argv, arbor::config::server& cfg, flags& f) {
  CLI::App pre{"arbord"};
  pre.allow_extras();
  pre.set_help_flag();
  pre.add_option("--config", f.config_file);
  try {
    pre.parse(argc, argv);
  } catch (const CLI::ParseError&) {
  }
  if (!f.config_file.empty()) {
    auto loaded = arbor::config::load(f.config_file);
    if (!loaded) {
      std::fprintf(stderr, "arbord: bad config: %s\n", arbor::context_of(loaded.error()).c_str());
      return 2;
    }
    cfg = std::move(*loaded);
  }
  CLI::App app{"arbord: the arbor multi-session backend"};
  add_flags(app, f, cfg);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    app.exit(e); // prints help, or the one-line error
    return e.get_exit_code() == 0 ? 0 : 2;
  }
  if (cfg.kernels.count("default") && cfg.kernels["default"].run.command.empty())
    cfg.kernels.erase("default"); // --kernel not given: the demo kernel
  if (auto err = arbor::config::validate(cfg)) {
    std::fprintf(stderr, "arbord: bad config: %s\n", arbor::context_of(err).c_str());
    return 2;
  }
  return -1;
}

} // namespace

int main(int argc, char** argv) {
  arbor::config::server cfg;
  flags f;
  if (int rc = load_config(argc, argv, cfg, f); rc >= 0)
    return rc;
  if (f.print_config) {
    std::printf("%s\n", arbor::config::to_json_text(cfg).c_str());
    return 0;
  }
  bool token_generated = cfg.token.empty();
  if (token_generated)
    cfg.token = random_token();

  // Block the signals before any thread starts; one thread waits for them.
  auto signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto logs = std::make_shared<arbor::log_ring>();
  arbor::supervisor_log_config log_cfg;
  log_cfg.node = cfg.logging.node;
  log_cfg.file = cfg.logging.file;
  log_cfg.to_stderr = cfg.logging.to_stderr;
  log_cfg.max_file_bytes = cfg.logging.max_file_bytes;
  log_cfg.max_files = cfg.logging.max_files;
  log_cfg.extra_sinks.push_back(logs->sink());
  arbor::configure_supervisor_log(log_cfg);
  raise_fd_limit();
  // The I/O loops outlive the actor system: kernels of dying actors are reaped
  // there, the last WebSocket close frames written. One loop by default: a
  // client's input, the kernel's output and its delivery then stay on one
  // thread (scheduler.io_loops).
  auto kernels = std::make_shared<arbor::io_loop>();
  auto front = std::make_shared<arbor::http::server_state>();
  front->net = cfg.io_loops == 1 ? kernels : std::make_shared<arbor::io_loop>();
  front->logs = logs;
  int rc = run(cfg, token_generated, front, kernels);
  front->net->stop();
  kernels->stop();
  arbor::shutdown_supervisor_log();
  return rc;
}
