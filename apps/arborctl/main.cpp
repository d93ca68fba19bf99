// arborctl: the command-line client of arbord's HTTP API (docs/arborctl.md).
//
//   arborctl [--url URL] [--token T] [--timeout S] sessions|tree|logs|close|shutdown ...
//
// Exit codes: 0 done, 1 the request failed (the reason is one line on stderr),
// 2 invalid options.
#include "apps/arborctl/commands.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

namespace {

using namespace arbor::ctl;

struct global_options {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  double timeout_s = 10;
};

struct command_options {
  bool json = false;
  size_t max_children = default_max_children;
  std::string session_id;
  std::string level;
  logs_options logs;
};

/// CLI11 validator: "" if `text` is a base URL arborctl can use, else why not.
std::string check_url(const std::string& text) {
  auto parsed = parse_url(text);
  return parsed ? std::string{} : parsed.error();
}

void add_global_options(CLI::App& app, global_options& global) {
  app.add_option("--url", global.url, "arbord's base URL (http://host[:port][/prefix])")
      ->envname("ARBOR_URL")
      ->check(CLI::Validator{check_url, "URL"})
      ->capture_default_str();
  app.add_option("--token", global.token, "API token, sent as 'Authorization: Bearer <token>'")
      ->envname("ARBOR_TOKEN");
  app.add_option("--timeout", global.timeout_s, "seconds to wait for each request")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
}

void add_logs_command(CLI::App& app, command_options& opts) {
  auto logs = app.add_subcommand("logs", "print the supervisor log lines arbord keeps in memory");
  logs->add_flag("-f,--follow", opts.logs.follow,
                 "keep polling for new lines (every 500 ms) until interrupted or arbord exits");
  logs->add_option("--event", opts.logs.filter.events,
                   "only lines with this event (repeat or separate with commas)")
      ->delimiter(',');
  logs->add_option("--level", opts.level, "only lines at this level or above")
      ->check(CLI::IsMember({"info", "warn", "error"}));
  logs->add_option("--supervisor", opts.logs.filter.supervisor_prefix,
                   "only lines of this supervisor path and the supervisors below it");
  logs->add_flag("--json", opts.json, "print the lines as JSON Lines (as the server sends them)");
}

void add_commands(CLI::App& app, command_options& opts) {
  app.add_subcommand("sessions", "list the sessions")
      ->add_flag("--json", opts.json, "print the server's JSON reply");
  auto tree = app.add_subcommand("tree", "draw the live supervision tree");
  tree->add_flag("--json", opts.json, "print the server's JSON reply");
  tree->add_option("--max-children", opts.max_children,
                   "children shown per supervisor, the rest summed up (0: all)")
      ->capture_default_str();
  add_logs_command(app, opts);
  app.add_subcommand("close", "close a session (its kernel is stopped)")
      ->add_option("id", opts.session_id, "the session id (s-...)")
      ->required();
  app.add_subcommand("shutdown", "start arbord's ordered shutdown (like SIGTERM)");
}

int dispatch(const CLI::App& app, const context& ctx, command_options& opts) {
  if (app.got_subcommand("sessions"))
    return run_sessions(ctx, opts.json);
  if (app.got_subcommand("tree"))
    return run_tree(ctx, opts.json, opts.max_children);
  if (app.got_subcommand("logs")) {
    opts.logs.json = opts.json;
    opts.logs.filter.min_level = parse_log_level(opts.level);
    return run_logs(ctx, opts.logs);
  }
  if (app.got_subcommand("close"))
    return run_close(ctx, opts.session_id);
  return run_shutdown(ctx);
}

int run(int argc, char** argv) {
  CLI::App app{"arborctl: the command-line client of arbord's HTTP API", "arborctl"};
  app.fallthrough(); // global options may also follow the command
  app.require_subcommand(1);
  global_options global;
  command_options opts;
  add_global_options(app, global);
  add_commands(app, opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    app.exit(e); // prints help, or the one-line error
    return e.get_exit_code() == 0 ? 0 : 2;
  }
  auto server = parse_url(global.url); // valid: checked while parsing
  client_config config{*server, global.token,
                       std::chrono::milliseconds{static_cast<int64_t>(global.timeout_s * 1000)}};
  context ctx{make_http_transport(config), to_string(*server), std::cout, std::cerr};
  return dispatch(app, ctx, opts);
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "arborctl: " << e.what() << '\n';
    return 1;
  }
}
