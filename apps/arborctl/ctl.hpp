// arborctl's pure logic: parsing the server URL and error bodies, drawing the
// supervision tree, filtering and formatting supervisor log lines, formatting the
// session table. No I/O and no exceptions: failures are `outcome`s with a message.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbor::ctl {

/// The error half of an `outcome`: what went wrong, as one line for a human.
struct failure {
  std::string message;
};

/// A value or a `failure` (C++17 has no std::expected).
template <class T>
class outcome {
public:
  outcome(T value) : value_(std::move(value)) {}
  outcome(failure error) : error_(std::move(error.message)) {}

  explicit operator bool() const noexcept { return value_.has_value(); }
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return &*value_; }
  const std::string& error() const noexcept { return error_; }

private:
  std::optional<T> value_;
  std::string error_;
};

// -- server URL ------------------------------------------------------------------

/// `http://host[:port][/base]`; arbord speaks plain HTTP only.
struct url {
  std::string host; ///< a name, an IPv4 address or an IPv6 address without brackets
  uint16_t port = 80;
  std::string base; ///< path prefix without a trailing '/', "" at the root
};

/// Parses a base URL; the error names what is wrong ("bad port '99999' in ...").
outcome<url> parse_url(std::string_view text);

/// `http://host:port/base` (the port is always written).
std::string to_string(const url& x);

/// The value of the Host header: the host (bracketed if IPv6) and a non-80 port.
std::string host_header(const url& x);

/// Percent-encodes everything but RFC 3986 unreserved characters (for path segments).
std::string percent_encode(std::string_view text);

// -- error replies ---------------------------------------------------------------

/// A non-2xx reply: `{"error":{"code":"...","message":"..."}}`.
struct api_error {
  unsigned status = 0;
  std::string code;
  std::string message;
};

/// Reads an error reply; a body without the expected shape still gives a code
/// (from the status: `not_found`, `unauthorized`, ...) and its first line as message.
api_error parse_error_body(unsigned status, std::string_view body);

/// `arborctl: 404 not_found: no session s-9` (no newline).
std::string format_api_error(const api_error& x);

// -- supervision tree ------------------------------------------------------------

/// Children shown per supervisor by default; the rest are one `… N more` line.
constexpr size_t default_max_children = 20;

/// One node's line without connectors:
/// `sessions (supervisor, dynamic) running, 2 active` or `kernel (worker) running, 2 restarts`.
std::string describe_node(const boost::json::object& node);

/// Draws a tree snapshot with box-drawing connectors, one node per line (each
/// ending in '\n'). `max_children` 0 shows every child.
outcome<std::string> draw_tree(const boost::json::value& root,
                               size_t max_children = default_max_children);

/// Same, from the JSON text of `GET /api/tree`.
outcome<std::string> draw_tree_json(std::string_view text,
                                    size_t max_children = default_max_children);

// -- supervisor log --------------------------------------------------------------

enum class log_level { info, warn, error };

std::optional<log_level> parse_log_level(std::string_view text);

/// Which lines `arborctl logs` prints; an empty member does not filter.
struct log_filter {
  std::vector<std::string> events;    ///< the line's event is one of these
  std::optional<log_level> min_level; ///< the line's level is at least this
  std::string supervisor_prefix;      ///< the supervisor path is this or below it
};

/// True if `line` passes every filter. A level arborctl does not know passes a
/// level filter (it is never hidden by mistake).
bool log_line_matches(const log_filter& filter, const boost::json::object& line);

/// True if `path` is `prefix` or below it: `/app/sessions/s-1` covers itself and
/// `/app/sessions/s-1/x`, not `/app/sessions/s-10`. Trailing slashes of the prefix
/// are ignored; an empty prefix or "/" covers every path.
bool path_under(std::string_view path, std::string_view prefix);

/// `ts level event supervisor[/child] key=value...` (no newline); the other fields
/// in the server's order, `node` and `v` left out, strings with spaces quoted.
std::string format_log_line(const boost::json::object& line);

/// One reply of `GET /api/logs`.
struct log_page {
  std::vector<boost::json::object> lines;
  uint64_t next = 0;
};

outcome<log_page> parse_log_page(std::string_view body);

// -- sessions --------------------------------------------------------------------

/// The `GET /api/sessions` reply as an aligned table with a header row
/// (ID, STATE, KERNEL PID, RESTARTS, CLIENTS, CREATED, FILE); "-" for a missing value
/// and for a kernel pid of 0 (no process).
outcome<std::string> format_sessions_table(const boost::json::value& reply);

outcome<std::string> format_sessions_table_json(std::string_view text);

} // namespace arbor::ctl
