// The pure parts of arbord's HTTP API (ARCHITECTURE.md §5): targets, auth,
// Origin, file confinement and the JSON bodies. No I/O, no actors; the
// connection actor (client_actor.hpp) uses these to answer.
#pragma once

#include "actors/http/metrics.hpp"
#include "messages/errc.hpp"
#include "messages/frames.hpp"
#include "messages/session.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace arbor::http {

/// A request target split into its decoded path and query parameters.
struct target {
  std::string path;
  std::map<std::string, std::string> query;
};

/// Splits and percent-decodes `/a/b?x=1&y=%20`; bad escapes → errc::bad_request.
caf::expected<target> parse_target(std::string_view raw);

/// `{"error":{"code":…,"message":…}}`.
std::string error_body(std::string_view code, std::string_view message);

/// The error body of an arbor error (code = errc name, message = its context).
std::string error_body(const caf::error& err);

/// The `error` frame for an `input` or `interrupt` that failed: queue_full,
/// or io_error with the reason (http-api.md, client frames).
error_frame input_error_frame(const caf::error& err);

/// The HTTP status that fits an arbor error (404 not_found, 429 limit_reached, ...).
unsigned status_of(const caf::error& err);

/// True when `header` ("Bearer T") or the `token` query parameter carries `token`
/// (compared in constant time).
bool authorized(std::string_view token, std::string_view header, const target& t);

/// True when a WebSocket upgrade with this Origin may proceed (see server_config).
bool origin_allowed(std::string_view origin, std::string_view host,
                    const std::vector<std::string>& allowed);

/// `file` made absolute and normal, when it lies below one of `roots`
/// (symbolic links resolved); errc::forbidden otherwise.
caf::expected<std::string> confine(std::string_view file, const std::vector<std::string>& roots);

/// True for ids the session manager hands out ("s-" + 32 hex digits).
bool plausible_session_id(std::string_view id);

/// The session object of §5.
std::string session_json(const session_info& info);

/// `{"sessions":[…]}`.
std::string sessions_json(const std::vector<session_info>& all);

/// Reads `{"file"?: string, "kernel"?: string}`; anything else is errc::bad_json.
caf::expected<session_request> parse_session_request(std::string_view body);

/// What /metrics adds about sessions.
metrics_snapshot sessions_snapshot(const std::vector<session_info>& all);

} // namespace arbor::http
