// The pure parts of arbord's HTTP API (see api.hpp).
#include "actors/http/api.hpp"

#include "messages/ws_wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <filesystem>

namespace arbor::http {

namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

caf::expected<std::string> decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else if (i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      return make_error(errc::bad_request, "bad percent-escape in the request target");
    }
  }
  return out;
}

caf::error parse_query(std::string_view query, target& out) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq), true);
    auto value = decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key)
      return key.error();
    if (!value)
      return value.error();
    out.query[*key] = *value;
  }
  return {};
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || b.empty())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string json_str(std::string_view text) {
  std::string out;
  ws::append_json_string(out, text);
  return out;
}

/// "http://host:port" → "host:port" (the scheme's default port made explicit).
std::string origin_authority(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos)
    return {};
  auto scheme = origin.substr(0, scheme_end);
  auto rest = std::string{origin.substr(scheme_end + 3)};
  if (rest.find(':') == std::string::npos)
    rest += scheme == "https" ? ":443" : ":80";
  return rest;
}

std::string host_authority(std::string_view host) {
  std::string out{host};
  if (out.find(':') == std::string::npos)
    out += ":80";
  return out;
}

} // namespace

caf::expected<target> parse_target(std::string_view raw) {
  target out;
  auto q = raw.find('?');
  auto path = decode(raw.substr(0, q), false);
  if (!path)
    return path.error();
  out.path = std::move(*path);
  if (out.path.empty() || out.path.front() != '/')
    return make_error(errc::bad_request, "the request target must be an absolute path");
  if (q != std::string_view::npos)
    if (auto err = parse_query(raw.substr(q + 1), out))
      return err;
  return out;
}

std::string error_body(std::string_view code, std::string_view message) {
  return R"({"error":{"code":)" + json_str(code) + R"(,"message":)" + json_str(message) + "}}";
}

std::string error_body(const caf::error& err) {
  if (!err)
    return error_body("internal_error", "no error");
  if (err.category() != errc_category)
    return error_body("internal_error", describe(err));
  auto code = static_cast<errc>(err.code());
  auto context = context_of(err);
  return error_body(to_string(code), context.empty() ? to_string(code) : context);
}

error_frame input_error_frame(const caf::error& err) {
  return error_frame{is(err, errc::queue_full) ? "queue_full" : "io_error", describe(err)};
}

unsigned status_of(const caf::error& err) {
  if (!err || err.category() != errc_category)
    return 500;
  switch (static_cast<errc>(err.code())) {
    case errc::bad_json:
    case errc::bad_request:
    case errc::bad_config:
      return 400;
    case errc::unauthorized:
      return 401;
    case errc::forbidden:
      return 403;
    case errc::not_found:
    case errc::unknown_child:
      return 404;
    case errc::method_not_allowed:
      return 405;
    case errc::too_large:
      return 413;
    case errc::limit_reached:
      return 429;
    case errc::queue_full:
    case errc::shutting_down:
    case errc::not_ready:
      return 503;
    case errc::timeout:
      return 504;
    default:
      return 500;
  }
}

bool authorized(std::string_view token, std::string_view header, const target& t) {
  constexpr std::string_view bearer = "bearer "; // the scheme is case-insensitive
  auto scheme = std::string{header.substr(0, bearer.size())};
  for (auto& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == bearer && equal_constant_time(header.substr(bearer.size()), token))
    return true;
  auto q = t.query.find("token");
  return q != t.query.end() && equal_constant_time(q->second, token);
}

bool origin_allowed(std::string_view origin, std::string_view host,
                    const std::vector<std::string>& allowed) {
  if (origin.empty())
    return true; // not a browser: nothing to protect against cross-site use
  for (const auto& entry : allowed)
    if (entry == "*" || entry == origin)
      return true;
  return allowed.empty() && !host.empty() && origin_authority(origin) == host_authority(host);
}

caf::expected<std::string> confine(std::string_view file, const std::vector<std::string>& roots) {
  if (roots.empty())
    return make_error(errc::forbidden,
                      "binding sessions to files is off (no file_roots configured)");
  fs::path path{std::string{file}};
  if (!path.is_absolute())
    return make_error(errc::forbidden, "file must be an absolute path");
  std::error_code ec;
  auto real = fs::weakly_canonical(path, ec);
  if (ec)
    return make_error(errc::forbidden, "file: " + ec.message());
  for (const auto& root : roots) {
    auto base = fs::weakly_canonical(fs::path{root}, ec);
    if (ec)
      continue;
    auto rel = real.lexically_relative(base);
    if (!rel.empty() && *rel.begin() != ".." && !rel.is_absolute())
      return real.string();
  }
  return make_error(errc::forbidden, "file is outside the configured file_roots");
}

bool plausible_session_id(std::string_view id) {
  if (id.size() != 34 || id.substr(0, 2) != "s-")
    return false;
  for (char c : id.substr(2))
    if (hex_value(c) < 0 || (c >= 'A' && c <= 'F'))
      return false;
  return true;
}

std::string session_json(const session_info& info) {
  std::string out = R"({"id":)" + json_str(info.id) + R"(,"state":)" + json_str(info.state);
  out += R"(,"kernel":{"name":)" + json_str(info.kernel_name) + R"(,"pid":)" +
         std::to_string(info.kernel.pid) + R"(,"restarts":)" +
         std::to_string(info.kernel.restarts) + R"(,"state":)" + json_str(info.kernel.state) + "}";
  out += R"(,"clients":)" + std::to_string(info.clients);
  out += R"(,"created_at":)" + json_str(info.created_at);
  if (!info.file.empty())
    out += R"(,"file":)" + json_str(info.file);
  out += '}';
  return out;
}

std::string sessions_json(const std::vector<session_info>& all) {
  std::string out = R"({"sessions":[)";
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0)
      out += ',';
    out += session_json(all[i]);
  }
  out += "]}";
  return out;
}

caf::expected<session_request> parse_session_request(std::string_view body) {
  session_request req;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return req; // no body: the defaults
  boost::system::error_code ec;
  auto doc = bj::parse(body, ec);
  if (ec)
    return make_error(errc::bad_json, "body is not JSON: " + ec.message());
  auto* obj = doc.if_object();
  if (!obj)
    return make_error(errc::bad_json, "body must be a JSON object");
  for (const auto& kv : *obj) {
    auto* str = kv.value().if_string();
    if (kv.key() != "file" && kv.key() != "kernel")
      return make_error(errc::bad_json, "unknown key \"" + std::string{kv.key()} + "\"");
    if (!str)
      return make_error(errc::bad_json, std::string{kv.key()} + " must be a string");
    (kv.key() == "file" ? req.file : req.kernel) = std::string{*str};
  }
  return req;
}

metrics_snapshot sessions_snapshot(const std::vector<session_info>& all) {
  metrics_snapshot out;
  out.sessions = all.size();
  for (const auto& info : all) {
    out.session_clients += info.clients;
    out.kernel_restarts += info.kernel.restarts;
  }
  return out;
}

} // namespace arbor::http
