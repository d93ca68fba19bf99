// arbord's HTTP + WebSocket front end (the client contract of ARCHITECTURE.md
// §5, reference in docs/http-api.md).
//
// Parent: the root supervisor `/app`, as its last child ("http": worker,
// permanent, shutdown deadline 5 s), so it starts after everything it serves
// and stops first. Its start binds the listening socket (a bind error is a
// start failure with the address in the reason).
//
// Threads: one network I/O loop owns the listener and every socket (arbord
// gives it the kernels' loop unless `scheduler.io_loops` is 2); each TCP
// connection has an actor (client_actor.hpp) that routes its requests to the
// session manager and, once upgraded, subscribes that WebSocket client to its
// session. The client's data then flows between its connection and the
// session's channel (session_channel.hpp) without the actor.
//
// Shutdown (exit message to "http"): readiness turns 503, the listener closes,
// idle HTTP connections close after their current response, WebSocket
// clients not attached to a session get `closing` + 1001. Attached clients are
// closed by their session as it stops next (`closing` after the buffered
// output, then 1001), so nothing buffered is lost. Then the actor quits; it
// takes no longer than a post to the network loop. `close_all` ends whatever
// is left once the tree has stopped.
#pragma once

#include "actors/http/metrics.hpp"
#include "actors/io_loop.hpp"
#include "supervisors/log_ring.hpp"
#include "supervisors/spec.hpp"

#include <atomic>
#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/weak_intrusive_ptr.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace arbor::http {

struct server_config {
  std::string host = "127.0.0.1";
  uint16_t port = 8080; ///< 0 = any free port
  std::string token;    ///< required on every route but /healthz and /readyz
  /// Origins allowed to open a WebSocket; empty = no Origin header, or one
  /// whose host:port is the request's Host.
  std::vector<std::string> allowed_origins;
  std::vector<std::string> file_roots; ///< a session's `file` must be below one of these
  uint32_t max_connections = 10000;
  uint64_t max_body_bytes = 1u << 20;
  uint64_t max_frame_bytes = 1u << 20;
  uint64_t client_queue_bytes = 16u << 20;
  std::chrono::seconds request_timeout{30}; ///< to read one request's header and body
  std::chrono::seconds call_timeout{30};    ///< for an answer from the session manager
};

class listener;

/// What the front end shares with main and between its connections.
struct server_state {
  server_config cfg;
  caf::actor_system* system = nullptr;
  io_loop_ptr net;
  /// The session manager (set before accepting) and /app (for /api/tree; read
  /// only once `ready`). Weak: the tree's specs hold this state, so strong
  /// handles here would keep the actors alive forever.
  caf::weak_actor_ptr sessions;
  caf::weak_actor_ptr root;
  std::function<void()> shutdown; ///< what POST /api/shutdown does; set before `ready`
  std::shared_ptr<log_ring> logs; ///< may be null
  metrics counters;
  std::atomic<bool> ready{false};   ///< /readyz; written by main
  std::atomic<uint16_t> port{0};    ///< the bound port
  std::shared_ptr<listener> accept; ///< touched on the network thread only
};

/// The child spec of "http". `sessions` gives the manager's current handle
/// (the sibling started before).
child_spec http_child(std::shared_ptr<server_state> state, std::function<caf::actor()> sessions);

/// Lets the remaining connections finish their close handshakes, then ends
/// what is left after `timeout` (1001 for WebSocket clients); returns when done.
void close_all(server_state& state, std::chrono::milliseconds timeout);

} // namespace arbor::http
