// arbord's configuration: one JSON file (keys in docs/configuration.md, a
// sample in deploy/arbord.json) with command-line flags that override it.
//
// Loading is all-or-nothing and happens before anything starts: an unknown
// key, a wrong type, a value out of range, a kernel without a command, a
// lifespan with an invalid `ready_line` pattern or an export/file root that is
// not an absolute directory is one `errc::bad_config` error whose message names
// the key ("kernels.default.command: must be a non-empty array of strings").
#pragma once

#include "supervisors/scheduler.hpp"

#include <caf/expected.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace arbor::config {

/// A program arbord runs (a kernel or a process lifespan).
struct program {
  std::vector<std::string> command; ///< argv; argv[0] without '/' is looked up in PATH
  std::map<std::string, std::string> env;
  std::string cwd;
};

struct kernel {
  program run;
  uint32_t prestart = 0;     ///< warm processes kept ahead of demand
  double term_timeout_s = 2; ///< SIGTERM → SIGKILL
};

struct lifespan {
  std::string name;
  program run;
  std::string ready_line;  ///< ECMAScript regex matched against stdout lines; "" = none
  uint16_t ready_port = 0; ///< TCP port on 127.0.0.1 that must accept; 0 = none
  double start_timeout_s = 10;
  double stop_timeout_s = 5;
};

struct limits {
  uint32_t max_sessions = 1000;
  uint32_t max_clients_per_session = 100;
  uint32_t max_connections = 10000;
  uint64_t max_body_bytes = 1u << 20;      ///< HTTP request body
  uint64_t max_frame_bytes = 1u << 20;     ///< WebSocket message from a client (close 1009)
  uint64_t client_queue_bytes = 16u << 20; ///< unsent bytes per client before close 1008
  uint32_t client_queue_lines = 10000;     ///< unacknowledged lines per client
  /// Seconds a client may hold its session's output back without any of it
  /// reaching its socket before it is dropped (1008 slow_consumer); 0 = never.
  double client_stall_timeout_s = 5;
};

struct log {
  std::string node = "n1";
  std::string file; ///< "" = no file sink
  bool to_stderr = true;
  uint64_t max_file_bytes = 10u << 20;
  uint32_t max_files = 5;
};

struct server {
  std::string host = "127.0.0.1";
  uint16_t port = 8080; ///< 0 = any free port (printed at start)
  std::string token;    ///< "" = generated at start and printed once
  /// Origins allowed to open a WebSocket ("http://host:port"); empty = only
  /// requests without an Origin header or with the server's own host.
  std::vector<std::string> allowed_origins;
  double session_ttl_s = 300; ///< after the last client leaves; 0 = at once, -1 = never
  double heartbeat_interval_s = 5;
  uint32_t heartbeat_max_missed = 3;
  uint32_t replay_lines = 10000;
  uint64_t replay_bytes = 8u << 20;
  std::map<std::string, kernel> kernels; ///< "default" is used when a request names none
  std::vector<lifespan> lifespans;       ///< started in order before the server accepts work
  limits limit;
  log logging;
  std::string export_dir;              ///< "" = export refused
  std::vector<std::string> file_roots; ///< sessions may bind files only below these
  int stop_timeout_s = 90;             ///< outer shutdown deadline (systemd TimeoutStopSec)
  scheduler_options scheduler;         ///< CAF's worker threads (supervisors/scheduler.hpp)
  /// I/O threads outside CAF: 1 = the network and the kernels' pipes share one
  /// loop (an echo is loop → kernel → loop); 2 = a loop each.
  size_t io_loops = 1;
};

/// Parses and validates a config document. Keys not given keep their defaults.
caf::expected<server> parse(std::string_view json_text);

/// Reads and parses `path` (errors name the file).
caf::expected<server> load(const std::string& path);

/// Re-checks a config after flags changed it (the same rules as `parse`).
caf::error validate(const server& cfg);

/// The config as JSON (what `arbord --print-config` shows), token redacted.
std::string to_json_text(const server& cfg);

} // namespace arbor::config
