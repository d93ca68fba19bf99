// Prometheus text rendering of arbord's counters (see metrics.hpp).
#include "actors/http/metrics.hpp"

namespace arbor::http {

namespace {

void metric(std::string& out, const char* name, const char* type, const char* help,
            uint64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

uint64_t load(const std::atomic<uint64_t>& x) {
  return x.load(std::memory_order_relaxed);
}

} // namespace

std::string render_prometheus(const metrics& m, const metrics_snapshot& s) {
  std::string out;
  metric(out, "arbor_sessions", "gauge", "Sessions open.", s.sessions);
  metric(out, "arbor_clients", "gauge", "WebSocket clients attached to sessions.",
         s.session_clients);
  metric(out, "arbor_kernel_restarts", "gauge", "Kernel restarts summed over open sessions.",
         s.kernel_restarts);
  metric(out, "arbor_connections_open", "gauge", "TCP connections open.", load(m.connections_open));
  metric(out, "arbor_connections_total", "counter", "TCP connections accepted.",
         load(m.connections_total));
  metric(out, "arbor_connections_refused_total", "counter",
         "Connections refused over max_connections.", load(m.connections_refused));
  metric(out, "arbor_http_requests_total", "counter", "HTTP requests handled.",
         load(m.requests_total));
  metric(out, "arbor_ws_frames_in_total", "counter", "WebSocket messages received from clients.",
         load(m.frames_in));
  metric(out, "arbor_ws_frames_out_total", "counter", "WebSocket frames sent to clients.",
         load(m.frames_out));
  metric(out, "arbor_ws_bytes_out_total", "counter", "WebSocket bytes written to clients.",
         load(m.bytes_out));
  metric(out, "arbor_dropped_clients_total", "counter",
         "Clients closed with 1008 (slow consumer or heartbeat timeout).", load(m.dropped_clients));
  out += "# HELP arbor_supervisor_events_total Supervisor log lines by event.\n"
         "# TYPE arbor_supervisor_events_total counter\n";
  for (const auto& [event, count] : s.supervisor_events)
    out += "arbor_supervisor_events_total{event=\"" + event + "\"} " + std::to_string(count) + '\n';
  return out;
}

} // namespace arbor::http
