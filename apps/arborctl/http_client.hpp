// arborctl's HTTP/1.1 client: one request per fresh TCP connection (Boost.Beast),
// bounded by a timeout, never throwing. Also the request/response types the
// commands use, so that tests can replace the network with a function.
#pragma once

#include "apps/arborctl/ctl.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <variant>

namespace arbor::ctl {

struct http_request {
  std::string method; ///< GET, POST, DELETE
  std::string target; ///< path below the base URL, e.g. "/api/tree"
  std::string body;   ///< JSON; empty for none
};

struct http_response {
  unsigned status = 0;
  std::string body;
};

/// Why no response came back.
enum class transport_failure_kind {
  connect, ///< name resolution or TCP connect failed
  timeout, ///< no complete response within the timeout
  io,      ///< the connection broke while sending or receiving
};

struct transport_failure {
  transport_failure_kind kind = transport_failure_kind::io;
  std::string message; ///< the system's reason ("Connection refused")
};

using http_result = std::variant<http_response, transport_failure>;

/// Sends one request; the commands receive this so that tests can fake the server.
using transport = std::function<http_result(const http_request&)>;

struct client_config {
  url server;
  std::string token; ///< sent as `Authorization: Bearer <token>` unless empty
  std::chrono::milliseconds timeout{10000};
};

/// Resolves, connects, sends `request` (below `config.server.base`) and reads the
/// whole response, all within `config.timeout`.
http_result http_exchange(const client_config& config, const http_request& request);

/// A transport that calls `http_exchange` with `config`.
transport make_http_transport(client_config config);

} // namespace arbor::ctl
