// Counters of the HTTP/WebSocket front end, rendered with the session and
// supervisor figures as Prometheus text (`GET /metrics`, docs/http-api.md).
// Plain relaxed atomics: written from the network thread and from connection
// actors, read by the scrape.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace arbor::http {

struct metrics {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> connections_refused{0}; ///< over max_connections
  std::atomic<uint64_t> requests_total{0};
  std::atomic<uint64_t> ws_clients{0};      ///< attached WebSocket clients now
  std::atomic<uint64_t> frames_in{0};       ///< client messages received
  std::atomic<uint64_t> frames_out{0};      ///< server frames queued to clients
  std::atomic<uint64_t> bytes_out{0};       ///< WebSocket bytes written
  std::atomic<uint64_t> dropped_clients{0}; ///< closed 1008 (slow or silent)
};

/// What the scrape adds from outside the front end.
struct metrics_snapshot {
  uint64_t sessions = 0;
  uint64_t session_clients = 0;
  uint64_t kernel_restarts = 0;                      ///< summed over live sessions
  std::map<std::string, uint64_t> supervisor_events; ///< by event type
};

/// Prometheus text exposition (version 0.0.4) of everything.
std::string render_prometheus(const metrics& m, const metrics_snapshot& s);

} // namespace arbor::http
