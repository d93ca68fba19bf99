// arborctl's pure logic (see ctl.hpp): URL and error-body parsing, tree drawing,
// log filtering and formatting, the session table.
#include "apps/arborctl/ctl.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdio>

namespace arbor::ctl {

namespace bj = boost::json;

namespace {

// -- JSON helpers ----------------------------------------------------------------

/// Parses without throwing; deep trees need more than Boost.JSON's default depth.
outcome<bj::value> parse_text(std::string_view text) {
  bj::parse_options options;
  options.max_depth = 1024;
  boost::system::error_code ec;
  auto value = bj::parse(bj::string_view{text.data(), text.size()}, ec, {}, options);
  if (ec)
    return failure{"bad JSON: " + ec.message()};
  return value;
}

std::optional<std::string> string_field(const bj::object& obj, std::string_view key) {
  auto field = obj.if_contains(key);
  if (field == nullptr || !field->is_string())
    return std::nullopt;
  return std::string{field->get_string()};
}

std::optional<uint64_t> uint_field(const bj::object& obj, std::string_view key) {
  auto field = obj.if_contains(key);
  if (field == nullptr)
    return std::nullopt;
  if (field->is_uint64())
    return field->get_uint64();
  if (field->is_int64() && field->get_int64() >= 0)
    return static_cast<uint64_t>(field->get_int64());
  return std::nullopt;
}

std::string format_double(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.15g", x);
  return buf;
}

/// A scalar as a human reads it: strings unquoted, numbers in plain notation.
std::string plain_text(const bj::value& x) {
  switch (x.kind()) {
    case bj::kind::string:
      return std::string{x.get_string()};
    case bj::kind::int64:
      return std::to_string(x.get_int64());
    case bj::kind::uint64:
      return std::to_string(x.get_uint64());
    case bj::kind::double_:
      return format_double(x.get_double());
    case bj::kind::bool_:
      return x.get_bool() ? "true" : "false";
    case bj::kind::null:
      return "null";
    default:
      return bj::serialize(x);
  }
}

// -- URL helpers -----------------------------------------------------------------

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

outcome<uint16_t> parse_port(std::string_view digits) {
  unsigned value = 0;
  for (char c : digits)
    value = c >= '0' && c <= '9' && value <= 65535 ? value * 10 + unsigned(c - '0') : 65536;
  if (value == 0 || value > 65535)
    return failure{"bad port '" + std::string{digits} + "'"};
  return static_cast<uint16_t>(value);
}

/// `host[:port]` or `[v6]:port` into `result`; the error says what is wrong.
std::optional<std::string> parse_authority(std::string_view authority, url& result) {
  if (authority.find('@') != std::string_view::npos)
    return "credentials in the URL are not supported (use --token)";
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return "unterminated '[' in the host";
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':')
      return "unexpected text after ']'";
    port = after.empty() ? after : after.substr(1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char))
      return "bad IPv6 address '" + std::string{host} + "'";
    if (!after.empty() && port.empty())
      return "empty port";
  } else {
    auto colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty())
        return "empty port";
    }
    if (host.empty())
      return "no host";
    if (!std::all_of(host.begin(), host.end(), is_host_char))
      return "bad host '" + std::string{host} + "'";
  }
  result.host = std::string{host};
  if (!port.empty()) {
    auto parsed = parse_port(port);
    if (!parsed)
      return parsed.error();
    result.port = *parsed;
  }
  return std::nullopt;
}

/// The path after the authority, without trailing slashes.
std::optional<std::string> parse_base(std::string_view path, url& result) {
  if (path.find_first_of("?#") != std::string_view::npos)
    return "a query or fragment is not allowed";
  if (std::any_of(path.begin(), path.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' '; }))
    return "spaces or control characters in the path";
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  result.base = std::string{path};
  return std::nullopt;
}

// -- error replies ---------------------------------------------------------------

std::string code_for_status(unsigned status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 429:
      return "too_many_requests";
    case 500:
      return "internal_error";
    case 502:
      return "bad_gateway";
    case 503:
      return "service_unavailable";
    case 504:
      return "gateway_timeout";
    default:
      return "http_error";
  }
}

/// The first non-empty line of a non-JSON body, shortened; a hint when there is none.
std::string first_line(std::string_view body) {
  constexpr size_t max_length = 200;
  auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos)
    return "no details in the reply";
  auto line = body.substr(start, body.find_first_of("\r\n", start) - start);
  if (line.size() > max_length)
    return std::string{line.substr(0, max_length)} + "…";
  return std::string{line};
}

// -- tree ------------------------------------------------------------------------

std::string plural(uint64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// `2 active`, or `2/3 active` when some children are not running.
std::optional<std::string> active_note(const bj::object& node) {
  auto counts = node.if_contains("counts");
  if (counts == nullptr || !counts->is_object())
    return std::nullopt;
  auto active = uint_field(counts->get_object(), "active");
  auto specs = uint_field(counts->get_object(), "specs");
  if (!active)
    return std::nullopt;
  if (specs && *specs != *active)
    return std::to_string(*active) + "/" + std::to_string(*specs) + " active";
  return std::to_string(*active) + " active";
}

void draw_children(const bj::object& node, const std::string& prefix, size_t max_children,
                   std::string& out);

void draw_child(const bj::value& child, const std::string& prefix, bool last, size_t max_children,
                std::string& out) {
  out += prefix + (last ? "└── " : "├── ");
  if (!child.is_object()) {
    out += "? (malformed node)\n";
    return;
  }
  out += describe_node(child.get_object()) + "\n";
  draw_children(child.get_object(), prefix + (last ? "    " : "│   "), max_children, out);
}

void draw_children(const bj::object& node, const std::string& prefix, size_t max_children,
                   std::string& out) {
  auto children = node.if_contains("children");
  if (children == nullptr || !children->is_array())
    return;
  const auto& list = children->get_array();
  bool truncated = max_children != 0 && list.size() > max_children;
  size_t shown = truncated ? max_children : list.size();
  for (size_t i = 0; i < shown; ++i)
    draw_child(list[i], prefix, i + 1 == shown && !truncated, max_children, out);
  if (truncated)
    out += prefix + "└── … " + std::to_string(list.size() - shown) + " more\n";
}

// -- logs ------------------------------------------------------------------------

bool is_core_log_field(std::string_view key) {
  for (auto core : {"ts", "v", "level", "event", "node", "supervisor", "child"})
    if (key == core)
      return true;
  return false;
}

bool needs_quotes(std::string_view text) {
  return text.empty() || std::any_of(text.begin(), text.end(), [](char c) {
           auto u = static_cast<unsigned char>(c);
           return u <= ' ' || u == 0x7f || c == '"' || c == '\\';
         });
}

std::string log_value(const bj::value& x) {
  if (x.is_string() && needs_quotes(x.get_string()))
    return bj::serialize(x);
  return plain_text(x);
}

// -- sessions --------------------------------------------------------------------

/// A table cell: "-" for a missing, null or empty value.
std::string cell(const bj::object* obj, std::string_view key) {
  auto field = obj != nullptr ? obj->if_contains(key) : nullptr;
  if (field == nullptr || field->is_null())
    return "-";
  auto text = plain_text(*field);
  return text.empty() ? "-" : text;
}

std::vector<std::string> session_row(const bj::object& session) {
  auto kernel_field = session.if_contains("kernel");
  const bj::object* kernel =
      kernel_field != nullptr && kernel_field->is_object() ? &kernel_field->get_object() : nullptr;
  auto pid = cell(kernel, "pid");
  if (pid == "0" || pid.rfind('-', 0) == 0)
    pid = "-"; // no kernel process (yet)
  return {cell(&session, "id"),     cell(&session, "state"),   pid,
          cell(kernel, "restarts"), cell(&session, "clients"), cell(&session, "created_at"),
          cell(&session, "file")};
}

/// Display width of UTF-8 text (code points; good enough for paths and ids).
size_t text_width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], text_width(row[i]));
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size())
        out += std::string(widths[i] - text_width(row[i]) + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

} // namespace

// -- URL -------------------------------------------------------------------------

outcome<url> parse_url(std::string_view text) {
  auto bad = [text](const std::string& why) {
    return failure{"bad URL '" + std::string{text} + "': " + why};
  };
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return bad("expected http://host[:port]");
  auto scheme = lower(text.substr(0, scheme_end));
  if (scheme != "http")
    return bad("scheme '" + scheme + "' is not supported (only http)");
  auto rest = text.substr(scheme_end + 3);
  auto path_start = std::min(rest.find_first_of("/?#"), rest.size());
  url result;
  if (auto error = parse_authority(rest.substr(0, path_start), result))
    return bad(*error);
  if (auto error = parse_base(rest.substr(path_start), result))
    return bad(*error);
  return result;
}

std::string to_string(const url& x) {
  bool v6 = x.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + x.host + "]" : x.host;
  return "http://" + host + ":" + std::to_string(x.port) + x.base;
}

std::string host_header(const url& x) {
  bool v6 = x.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + x.host + "]" : x.host;
  return x.port == 80 ? host : host + ":" + std::to_string(x.port);
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xF];
    }
  }
  return out;
}

// -- error replies ---------------------------------------------------------------

api_error parse_error_body(unsigned status, std::string_view body) {
  api_error result{status, code_for_status(status), first_line(body)};
  auto parsed = parse_text(body);
  if (!parsed || !parsed->is_object())
    return result;
  auto error = parsed->get_object().if_contains("error");
  if (error == nullptr || !error->is_object())
    return result;
  if (auto code = string_field(error->get_object(), "code"); code && !code->empty())
    result.code = *code;
  result.message = string_field(error->get_object(), "message").value_or("");
  return result;
}

std::string format_api_error(const api_error& x) {
  auto out = "arborctl: " + std::to_string(x.status) + " " + x.code;
  return x.message.empty() ? out : out + ": " + x.message;
}

// -- tree ------------------------------------------------------------------------

std::string describe_node(const bj::object& node) {
  auto out = string_field(node, "id").value_or("?");
  auto kind = string_field(node, "kind");
  if (kind) {
    auto strategy = string_field(node, "strategy");
    out += " (" + *kind + (strategy && !strategy->empty() ? ", " + *strategy : "") + ")";
  }
  if (auto state = string_field(node, "state"))
    out += " " + *state;
  if (kind == "supervisor")
    if (auto active = active_note(node))
      out += ", " + *active;
  if (auto restarts = uint_field(node, "restarts"); restarts && *restarts > 0)
    out += ", " + plural(*restarts, "restart");
  return out;
}

outcome<std::string> draw_tree(const bj::value& root, size_t max_children) {
  if (!root.is_object())
    return failure{"the tree must be a JSON object"};
  auto out = describe_node(root.get_object()) + "\n";
  draw_children(root.get_object(), "", max_children, out);
  return out;
}

outcome<std::string> draw_tree_json(std::string_view text, size_t max_children) {
  auto parsed = parse_text(text);
  if (!parsed)
    return failure{parsed.error()};
  return draw_tree(*parsed, max_children);
}

// -- logs ------------------------------------------------------------------------

std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "info")
    return log_level::info;
  if (text == "warn")
    return log_level::warn;
  if (text == "error")
    return log_level::error;
  return std::nullopt;
}

bool path_under(std::string_view path, std::string_view prefix) {
  while (!prefix.empty() && prefix.back() == '/')
    prefix.remove_suffix(1);
  if (prefix.empty())
    return true;
  if (path.substr(0, prefix.size()) != prefix)
    return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

bool log_line_matches(const log_filter& filter, const bj::object& line) {
  if (!filter.events.empty()) {
    auto event = string_field(line, "event");
    if (!event ||
        std::find(filter.events.begin(), filter.events.end(), *event) == filter.events.end())
      return false;
  }
  if (filter.min_level) {
    auto level = string_field(line, "level");
    auto parsed = level ? parse_log_level(*level) : std::nullopt;
    if (parsed && *parsed < *filter.min_level)
      return false;
  }
  if (!filter.supervisor_prefix.empty()) {
    auto supervisor = string_field(line, "supervisor");
    if (!supervisor || !path_under(*supervisor, filter.supervisor_prefix))
      return false;
  }
  return true;
}

std::string format_log_line(const bj::object& line) {
  auto level = string_field(line, "level").value_or("-");
  if (level.size() < 5)
    level.resize(5, ' ');
  auto where = string_field(line, "supervisor").value_or("-");
  if (auto child = string_field(line, "child"))
    where += "/" + *child;
  auto out = string_field(line, "ts").value_or("-") + " " + level + " " +
             string_field(line, "event").value_or("-") + " " + where;
  for (const auto& field : line)
    if (!is_core_log_field(field.key()))
      out += " " + std::string{field.key()} + "=" + log_value(field.value());
  return out;
}

outcome<log_page> parse_log_page(std::string_view body) {
  auto parsed = parse_text(body);
  if (!parsed)
    return failure{parsed.error()};
  auto obj = parsed->if_object();
  auto lines = obj != nullptr ? obj->if_contains("lines") : nullptr;
  auto next = obj != nullptr ? uint_field(*obj, "next") : std::nullopt;
  if (lines == nullptr || !lines->is_array() || !next)
    return failure{"the reply needs a 'lines' array and a 'next' number"};
  log_page page;
  page.next = *next;
  for (const auto& line : lines->get_array()) {
    if (!line.is_object())
      return failure{"a log line is not a JSON object"};
    page.lines.push_back(line.get_object());
  }
  return page;
}

// -- sessions --------------------------------------------------------------------

outcome<std::string> format_sessions_table(const bj::value& reply) {
  auto obj = reply.if_object();
  auto sessions = obj != nullptr ? obj->if_contains("sessions") : nullptr;
  if (sessions == nullptr || !sessions->is_array())
    return failure{"the reply needs a 'sessions' array"};
  std::vector<std::vector<std::string>> rows{
      {"ID", "STATE", "KERNEL PID", "RESTARTS", "CLIENTS", "CREATED", "FILE"}};
  for (const auto& session : sessions->get_array()) {
    if (!session.is_object())
      return failure{"a session is not a JSON object"};
    rows.push_back(session_row(session.get_object()));
  }
  return render_table(rows);
}

outcome<std::string> format_sessions_table_json(std::string_view text) {
  auto parsed = parse_text(text);
  if (!parsed)
    return failure{parsed.error()};
  return format_sessions_table(*parsed);
}

} // namespace arbor::ctl
