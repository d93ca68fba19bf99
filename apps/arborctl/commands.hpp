// arborctl's commands: each sends its requests through a `transport`, prints the
// result on `out` and problems on `err`, and returns the process exit code
// (0 done, 1 failed). The network is injected so that tests can fake arbord.
#pragma once

#include "apps/arborctl/ctl.hpp"
#include "apps/arborctl/http_client.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace arbor::ctl {

struct context {
  transport send;
  std::string server; ///< the base URL as shown in messages (`http://127.0.0.1:8080`)
  std::ostream& out;
  std::ostream& err;
};

struct logs_options {
  log_filter filter;
  bool follow = false;
  bool json = false;
  uint32_t page_size = 1000; ///< `limit` of each request
  std::chrono::milliseconds poll_interval{500};
  /// How to wait between polls (tests pass a function that does not sleep).
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// `arborctl sessions`: the session table, or the reply as is with `json`.
int run_sessions(const context& ctx, bool json);

/// `arborctl tree`: the drawn supervision tree, or the reply as is with `json`.
int run_tree(const context& ctx, bool json, size_t max_children);

/// `arborctl logs`: every retained line that passes the filter, page by page; with
/// `follow`, then polls for new lines until the server goes away (exit 0, a note
/// on `err`) or fails.
int run_logs(const context& ctx, const logs_options& options);

/// `arborctl close ID`: closes one session.
int run_close(const context& ctx, const std::string& id);

/// `arborctl shutdown`: starts arbord's ordered shutdown.
int run_shutdown(const context& ctx);

/// The error line for a request that got no response (no newline):
/// `arborctl: cannot connect to http://127.0.0.1:8080: Connection refused`.
std::string format_transport_failure(const std::string& server, const http_request& request,
                                     const transport_failure& failure);

} // namespace arbor::ctl
