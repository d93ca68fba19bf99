// arbord's config file: the JSON schema of config::server (keys and ranges in
// docs/configuration.md) is listed once, in visit_server(), and walked by two
// visitors: `reader` applies a JSON document to the struct and checks every
// value (parse; with no document it only checks: validate), `writer` turns the
// struct back into JSON (to_json_text, for --print-config).
#include "apps/arbord/config.hpp"

#include "messages/errc.hpp"

#include <algorithm>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <regex>
#include <set>
#include <utility>

namespace arbor::config {

namespace {

namespace bj = boost::json;

using std::string;
using std::string_view;

constexpr size_t max_file_size = 16u << 20;

// -- rules (parse and validate) --------------------------------------------------

struct int_range {
  int64_t lo;
  int64_t hi;
};

struct num_range {
  double lo;
  double hi;
  bool minus_one = false; ///< -1 is also allowed ("never")
};

/// Checks a string: "" when fine, else what it must be.
using text_rule = string (*)(const string&);

string any_text(const string&) {
  return {};
}

string non_empty(const string& x) {
  return x.empty() ? "must be a non-empty string" : "";
}

/// Non-empty, of ASCII letters, digits and `punct` (not locale dependent).
bool is_name(const string& x, string_view punct) {
  auto ok = [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           punct.find(c) != punct.npos;
  };
  return !x.empty() && std::all_of(x.begin(), x.end(), ok);
}

string kernel_name(const string& x) {
  return is_name(x, "_.-") ? "" : "must match [A-Za-z0-9_.-]+";
}

string lifespan_name(const string& x) {
  return is_name(x, "_-") ? "" : "must match [A-Za-z0-9_-]+";
}

string absolute_path(const string& x) {
  return !x.empty() && x[0] == '/' ? "" : "must be an absolute path";
}

string absolute_or_empty(const string& x) {
  return x.empty() ? "" : absolute_path(x);
}

string token_text(const string& x) {
  auto printable = [](unsigned char c) { return c > 0x20 && c < 0x7f; };
  if (!x.empty() && (x.size() < 16 || !std::all_of(x.begin(), x.end(), printable)))
    return "must be empty or at least 16 printable ASCII characters without spaces";
  return {};
}

string regex_text(const string& x) {
  if (x.empty())
    return {};
  // std::regex reports a bad pattern only by throwing; it does not leave here.
  try {
    std::regex re{x, std::regex::ECMAScript};
  } catch (const std::regex_error& e) {
    return string{"must be a valid ECMAScript regex ("} + e.what() + ")";
  }
  return {};
}

string command_problem(const std::vector<string>& argv) {
  return argv.empty() || argv[0].empty() ? "must be a non-empty array of strings" : "";
}

string env_problem(const std::map<string, string>& env) {
  for (const auto& [name, value] : env)
    if (name.empty() || name.find('=') != name.npos)
      return "variable name \"" + name + "\" must be non-empty and without '='";
  return {};
}

string duplicate_problem(const std::vector<lifespan>& xs) {
  std::set<string_view> seen;
  for (const auto& x : xs)
    if (!seen.insert(x.name).second)
      return "name \"" + x.name + "\" is used twice";
  return {};
}

string format_number(double x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return string{buf, res.ptr};
}

string int_message(int_range r) {
  return "must be an integer in [" + std::to_string(r.lo) + ", " + std::to_string(r.hi) + "]";
}

string number_problem(double x, num_range r) {
  if ((r.minus_one && x == -1) || (std::isfinite(x) && x >= r.lo && x <= r.hi))
    return {};
  auto range = "a number in [" + format_number(r.lo) + ", " + format_number(r.hi) + "]";
  return r.minus_one ? "must be -1 or " + range : "must be " + range;
}

template <class T>
bool in_range(T x, int_range r) {
  if constexpr (std::is_signed_v<T>)
    return x >= r.lo && x <= r.hi;
  else
    return r.hi >= 0 && x <= static_cast<uint64_t>(r.hi) &&
           (r.lo <= 0 || x >= static_cast<uint64_t>(r.lo));
}

// -- the schema -----------------------------------------------------------------

template <class V, class P>
void visit_program(V& v, P& p) {
  v.strings("command", p.command, any_text);
  v.check("command", command_problem(p.command));
  v.env("env", p.env);
  v.text("cwd", p.cwd, any_text);
}

template <class V, class K>
void visit_kernel(V& v, K& k) {
  visit_program(v, k.run);
  v.integer("prestart", k.prestart, {0, 64});
  v.number("term_timeout", k.term_timeout_s, {0.1, 600});
}

template <class V, class L>
void visit_lifespan(V& v, L& l) {
  v.text("name", l.name, lifespan_name);
  visit_program(v, l.run);
  v.text("ready_line", l.ready_line, regex_text);
  v.integer("ready_port", l.ready_port, {0, 65535});
  v.number("start_timeout", l.start_timeout_s, {0.1, 3600});
  v.number("stop_timeout", l.stop_timeout_s, {0.1, 3600});
}

template <class V, class L>
void visit_limits(V& v, L& l) {
  v.integer("max_sessions", l.max_sessions, {1, 100'000});
  v.integer("max_clients_per_session", l.max_clients_per_session, {1, 10'000});
  v.integer("max_connections", l.max_connections, {1, 1'000'000});
  v.integer("max_body_bytes", l.max_body_bytes, {1024, 1 << 30});
  v.integer("max_frame_bytes", l.max_frame_bytes, {1024, 64 << 20});
  v.integer("client_queue_bytes", l.client_queue_bytes, {64 << 10, 1 << 30});
  v.integer("client_queue_lines", l.client_queue_lines, {1, 10'000'000});
  v.number("client_stall_timeout", l.client_stall_timeout_s, {0, 3600});
}

template <class V, class L>
void visit_log(V& v, L& l) {
  v.text("node", l.node, non_empty);
  v.text("file", l.file, any_text);
  v.flag("stderr", l.to_stderr);
  v.integer("max_file_bytes", l.max_file_bytes, {64 << 10, int64_t{1} << 40});
  v.integer("max_files", l.max_files, {1, 1000});
}

template <class V, class S>
void visit_server(V& v, S& c) {
  v.text("host", c.host, non_empty);
  v.integer("port", c.port, {0, 65535});
  v.secret("token", c.token);
  v.strings("allowed_origins", c.allowed_origins, non_empty);
  v.number("session_ttl", c.session_ttl_s, {0, 31'536'000, true});
  v.section("heartbeat", [&](auto& h) {
    h.number("interval", c.heartbeat_interval_s, {0.1, 3600});
    h.integer("max_missed", c.heartbeat_max_missed, {1, 1000});
  });
  v.section("replay", [&](auto& r) {
    r.integer("lines", c.replay_lines, {0, 10'000'000});
    r.integer("bytes", c.replay_bytes, {0, 1 << 30});
  });
  v.named("kernels", c.kernels, kernel_name, [](auto& kv, auto& k) { visit_kernel(kv, k); });
  v.list("lifespans", c.lifespans, [](auto& lv, auto& l) { visit_lifespan(lv, l); });
  v.check("lifespans", duplicate_problem(c.lifespans));
  v.section("limits", [&](auto& l) { visit_limits(l, c.limit); });
  v.section("log", [&](auto& l) { visit_log(l, c.logging); });
  v.text("export_dir", c.export_dir, absolute_or_empty);
  v.strings("file_roots", c.file_roots, absolute_path);
  v.integer("stop_timeout", c.stop_timeout_s, {1, 86400});
  v.section("scheduler", [&](auto& s) {
    s.integer("workers", c.scheduler.workers, {0, 1024});
    s.flag("idle_polling", c.scheduler.idle_polling);
    s.flag("lean_clock", c.scheduler.lean_clock);
    s.integer("io_loops", c.io_loops, {1, 2});
  });
}

// -- reading and checking -------------------------------------------------------

/// Levenshtein distance, for "did you mean".
size_t distance(string_view a, string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = std::exchange(row[0], i);
    for (size_t j = 1; j <= b.size(); ++j)
      diagonal = std::exchange(
          row[j], std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])}));
  }
  return row[b.size()];
}

std::optional<int64_t> as_int(const bj::value& x) {
  if (x.is_int64())
    return x.get_int64();
  if (x.is_uint64() && x.get_uint64() <= uint64_t{INT64_MAX})
    return static_cast<int64_t>(x.get_uint64());
  if (x.is_double() && std::trunc(x.get_double()) == x.get_double() &&
      std::abs(x.get_double()) <= 9007199254740992.0)
    return static_cast<int64_t>(x.get_double());
  return std::nullopt;
}

/// A JSON string arbord can use (no NUL, which argv and paths cannot hold).
std::optional<string> as_text(const bj::value& x) {
  if (!x.is_string() || x.get_string().find('\0') != bj::string::npos)
    return std::nullopt;
  return string{x.get_string()};
}

std::optional<std::vector<string>> as_strings(const bj::value& x) {
  if (!x.is_array())
    return std::nullopt;
  std::vector<string> result;
  for (const auto& item : x.get_array())
    if (auto s = as_text(item))
      result.push_back(std::move(*s));
    else
      return std::nullopt;
  return result;
}

std::optional<std::map<string, string>> as_env(const bj::value& x) {
  if (!x.is_object())
    return std::nullopt;
  std::map<string, string> result;
  for (const auto& kv : x.get_object())
    if (auto s = as_text(kv.value()))
      result[string{kv.key()}] = std::move(*s);
    else
      return std::nullopt;
  return result;
}

/// Applies one JSON object to a struct and checks every value, the given and
/// the kept ones; with no object (validate) it only checks. It walks the schema
/// twice: first only collecting the keys it knows, so that a typo is reported
/// before its consequences, then converting and checking. Keeps the first error.
class reader {
public:
  reader(const bj::object* obj, string path, caf::error* err)
    : obj_(obj), path_(std::move(path)), err_(err) {}

  template <class F>
  void run(F&& f) {
    if (obj_ != nullptr) {
      quiet_ = true;
      f(*this);
      quiet_ = false;
      if (*err_ || report_unknown())
        return;
    }
    f(*this);
  }

  void check(string_view key, const string& problem) {
    if (!problem.empty())
      fail_at(path_of(key), problem);
  }

  template <class T>
  void integer(string_view key, T& x, int_range r) {
    if (auto v = find(key)) {
      auto n = as_int(*v);
      if (!n || !in_range(*n, r))
        return fail_at(path_of(key), int_message(r));
      x = static_cast<T>(*n);
    }
    if (!in_range(x, r))
      fail_at(path_of(key), int_message(r));
  }

  void number(string_view key, double& x, num_range r) {
    if (auto v = find(key)) {
      if (!v->is_number())
        return fail_at(path_of(key), number_problem(NAN, r));
      x = v->to_number<double>();
    }
    check(key, number_problem(x, r));
  }

  void flag(string_view key, bool& x) {
    if (auto v = find(key); v && !v->is_bool())
      fail_at(path_of(key), "must be true or false");
    else if (v)
      x = v->get_bool();
  }

  void text(string_view key, string& x, text_rule rule) {
    if (auto v = find(key)) {
      auto s = as_text(*v);
      if (!s)
        return fail_at(path_of(key), "must be a string");
      x = std::move(*s);
    }
    check(key, rule(x));
  }

  void secret(string_view key, string& x) { text(key, x, token_text); }

  void strings(string_view key, std::vector<string>& xs, text_rule rule) {
    if (auto v = find(key)) {
      auto result = as_strings(*v);
      if (!result)
        return fail_at(path_of(key), "must be an array of strings");
      xs = std::move(*result);
    }
    for (size_t i = 0; i < xs.size(); ++i)
      if (auto problem = rule(xs[i]); !problem.empty())
        fail_at(index_of(path_of(key), i), problem);
  }

  void env(string_view key, std::map<string, string>& x) {
    if (auto v = find(key)) {
      auto result = as_env(*v);
      if (!result)
        return fail_at(path_of(key), "must be an object of strings");
      x = std::move(*result);
    }
    check(key, env_problem(x));
  }

  template <class F>
  void section(string_view key, F&& f) {
    auto v = find(key);
    if (!quiet_ && !*err_)
      read_item(path_of(key), v, f);
  }

  /// An object of objects: the file's entries replace the struct's.
  template <class T, class F>
  void named(string_view key, std::map<string, T>& xs, text_rule rule, F&& f) {
    auto v = find(key);
    if (quiet_ || *err_)
      return;
    if (v && !v->is_object())
      return fail_at(path_of(key), "must be an object");
    if (v)
      xs = map_of<T>(v->get_object());
    for (auto& [name, x] : xs) {
      if (auto problem = rule(name); !problem.empty())
        return fail_at(path_of(key), "name \"" + name + "\" " + problem);
      auto item = v ? v->get_object().if_contains(name) : nullptr;
      read_item(path_of(key) + "." + name, item, [&](reader& r) { f(r, x); });
    }
  }

  /// An array of objects: the file's items replace the struct's.
  template <class T, class F>
  void list(string_view key, std::vector<T>& xs, F&& f) {
    auto v = find(key);
    if (quiet_ || *err_)
      return;
    if (v && !v->is_array())
      return fail_at(path_of(key), "must be an array of objects");
    if (v)
      xs = std::vector<T>(v->get_array().size());
    for (size_t i = 0; i < xs.size(); ++i) {
      auto item = v ? &v->get_array()[i] : nullptr;
      read_item(index_of(path_of(key), i), item, [&](reader& r) { f(r, xs[i]); });
    }
  }

private:
  string path_of(string_view key) const {
    return path_.empty() ? string{key} : path_ + "." + string{key};
  }

  static string index_of(const string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  void fail_at(const string& path, const string& what) {
    if (!quiet_ && !*err_)
      *err_ = make_error(errc::bad_config, path + ": " + what);
  }

  const bj::value* find(string_view key) {
    if (quiet_)
      known_.push_back(key);
    if (quiet_ || *err_ || obj_ == nullptr)
      return nullptr;
    return obj_->if_contains(bj::string_view{key.data(), key.size()});
  }

  template <class F>
  void read_item(const string& path, const bj::value* v, F&& f) {
    if (v && !v->is_object())
      return fail_at(path, "must be an object");
    reader child{v ? &v->get_object() : nullptr, path, err_};
    child.run(f);
  }

  template <class T>
  static std::map<string, T> map_of(const bj::object& obj) {
    std::map<string, T> result;
    for (const auto& kv : obj)
      result[string{kv.key()}];
    return result;
  }

  bool report_unknown() {
    for (const auto& kv : *obj_) {
      string_view key{kv.key().data(), kv.key().size()};
      if (std::find(known_.begin(), known_.end(), key) != known_.end())
        continue;
      auto what = "unknown key \"" + path_of(key) + "\"";
      auto near = std::min_element(known_.begin(), known_.end(), [&](auto a, auto b) {
        return distance(key, a) < distance(key, b);
      });
      if (near != known_.end() && distance(key, *near) <= std::min<size_t>(2, key.size() / 2))
        what += " (did you mean \"" + path_of(*near) + "\"?)";
      *err_ = make_error(errc::bad_config, what);
      return true;
    }
    return false;
  }

  const bj::object* obj_;
  string path_;
  caf::error* err_;
  bool quiet_ = false; ///< while collecting the keys the schema knows
  std::vector<string_view> known_;
};

// -- writing --------------------------------------------------------------------

/// Builds the JSON of a struct (to_json_text).
class writer {
public:
  bj::object obj;

  template <class T>
  void integer(string_view key, T x, int_range) {
    put(key, x);
  }
  void number(string_view key, double x, num_range) { put(key, x); }
  void flag(string_view key, bool x) { put(key, x); }
  void text(string_view key, const string& x, text_rule) { put(key, x); }
  void secret(string_view key, const string& x) { put(key, x.empty() ? "" : "***"); }
  void strings(string_view key, const std::vector<string>& xs, text_rule) {
    put(key, bj::array(xs.begin(), xs.end()));
  }
  void env(string_view key, const std::map<string, string>& x) {
    bj::object result;
    for (const auto& [name, value] : x)
      result[name] = value;
    put(key, std::move(result));
  }
  void check(string_view, const string&) {}

  template <class F>
  void section(string_view key, F&& f) {
    writer child;
    f(child);
    put(key, std::move(child.obj));
  }

  template <class T, class F>
  void named(string_view key, const std::map<string, T>& xs, text_rule, F&& f) {
    bj::object result;
    for (const auto& [name, x] : xs)
      result[name] = write(x, f);
    put(key, std::move(result));
  }

  template <class T, class F>
  void list(string_view key, const std::vector<T>& xs, F&& f) {
    bj::array result;
    for (const auto& x : xs)
      result.push_back(write(x, f));
    put(key, std::move(result));
  }

private:
  template <class T>
  void put(string_view key, T&& x) {
    obj[bj::string_view{key.data(), key.size()}] = bj::value(std::forward<T>(x));
  }

  template <class T, class F>
  static bj::object write(const T& x, F& f) {
    writer child;
    f(child, x);
    return std::move(child.obj);
  }
};

// -- text -----------------------------------------------------------------------

/// Non-empty objects and arrays of containers one item per line, the rest inline.
void pretty(const bj::value& x, string& out, size_t indent) {
  const auto* arr = x.if_array();
  const auto* obj = x.if_object();
  auto nested = [](const bj::value& y) { return y.is_structured(); };
  if (arr && std::none_of(arr->begin(), arr->end(), nested)) {
    out += "[";
    for (size_t i = 0; i < arr->size(); ++i) {
      out += i > 0 ? ", " : "";
      pretty((*arr)[i], out, indent);
    }
    out += "]";
    return;
  }
  if (!arr && !(obj && !obj->empty())) {
    out += x.is_double() ? format_number(x.get_double()) : bj::serialize(x);
    return;
  }
  out += obj ? "{\n" : "[\n";
  for (size_t i = 0, n = obj ? obj->size() : arr->size(); i < n; ++i) {
    out.append(indent + 2, ' ');
    if (obj)
      out += bj::serialize((obj->begin() + i)->key()) + ": ";
    pretty(obj ? (obj->begin() + i)->value() : (*arr)[i], out, indent + 2);
    out += i + 1 < n ? ",\n" : "\n";
  }
  out.append(indent, ' ');
  out += obj ? "}" : "]";
}

string position(string_view text, size_t offset) {
  auto before = text.substr(0, offset);
  auto line = 1 + std::count(before.begin(), before.end(), '\n');
  auto newline = before.rfind('\n');
  auto column = newline == before.npos ? offset + 1 : offset - newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

caf::error cannot_read(const string& path) {
  return make_error(errc::bad_config, path + ": cannot read: " + std::strerror(errno));
}

caf::expected<string> read_file(const string& path) {
  struct closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, closer> file{std::fopen(path.c_str(), "rb")};
  if (!file)
    return cannot_read(path);
  string text;
  char buf[65536];
  while (auto n = std::fread(buf, 1, sizeof buf, file.get())) {
    text.append(buf, n);
    if (text.size() > max_file_size)
      return make_error(errc::bad_config, path + ": larger than 16 MiB");
  }
  if (std::ferror(file.get()))
    return cannot_read(path);
  return text;
}

} // namespace

caf::expected<server> parse(std::string_view json_text) {
  bj::parser parser;
  boost::system::error_code ec;
  auto consumed = parser.write(json_text.data(), json_text.size(), ec);
  if (ec)
    return make_error(errc::bad_config, position(json_text, consumed) + ": " + ec.message());
  auto doc = parser.release();
  if (!doc.is_object())
    return make_error(errc::bad_config, "the config must be a JSON object");
  server cfg;
  caf::error err;
  reader{&doc.get_object(), "", &err}.run([&](reader& r) { visit_server(r, cfg); });
  if (err)
    return err;
  return cfg;
}

caf::expected<server> load(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return text.error();
  auto cfg = parse(*text);
  if (!cfg)
    return make_error(errc::bad_config, path + ": " + context_of(cfg.error()));
  return cfg;
}

caf::error validate(const server& cfg) {
  auto copy = cfg;
  caf::error err;
  reader{nullptr, "", &err}.run([&](reader& r) { visit_server(r, copy); });
  return err;
}

std::string to_json_text(const server& cfg) {
  writer w;
  visit_server(w, cfg);
  string out;
  pretty(w.obj, out, 0);
  return out;
}

} // namespace arbor::config
