#include "messages/frames.hpp"

#include "messages/errc.hpp"
#include "messages/json.hpp"

#include <boost/json/serialize.hpp>

namespace arbor {

namespace bj = boost::json;

namespace {

template <class... Ts>
struct overload : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overload(Ts...) -> overload<Ts...>;

// Parses `text` into `storage` and returns its object (valid while `storage` lives).
caf::expected<const bj::object*> frame_object(std::string_view text, bj::value& storage) {
  auto parsed = parse_json(text);
  if (!parsed)
    return parsed.error();
  storage = std::move(*parsed);
  return json::get_object(storage, "frame");
}

caf::expected<std::string> frame_type(const bj::object& obj) {
  auto type = json::get_string(obj, "type");
  if (!type)
    return make_error(errc::bad_json, "frame needs a string field 'type'");
  return type;
}

caf::error unknown_type(const std::string& type) {
  return make_error(errc::bad_json, "unknown frame type '" + type + "'");
}

bool get_bool(const bj::object& obj, std::string_view key) {
  auto field = obj.if_contains(key);
  return field != nullptr && field->is_bool() && field->get_bool();
}

} // namespace

const char* type_name(const client_frame& x) noexcept {
  static constexpr const char* names[] = {"input", "interrupt", "ping"};
  return names[x.index()];
}

const char* type_name(const server_frame& x) noexcept {
  static constexpr const char* names[] = {"output", "status",  "file_changed", "gap",
                                          "error",  "closing", "pong"};
  return names[x.index()];
}

caf::expected<client_frame> parse_client_frame(std::string_view text) {
  bj::value storage;
  auto obj = frame_object(text, storage);
  if (!obj)
    return obj.error();
  auto type = frame_type(**obj);
  if (!type)
    return type.error();
  if (*type == "input") {
    auto data = json::get_string(**obj, "data");
    if (!data)
      return data.error();
    return client_frame{input_frame{std::move(*data)}};
  }
  if (*type == "interrupt")
    return client_frame{interrupt_frame{}};
  if (*type == "ping")
    return client_frame{ping_frame{}};
  return unknown_type(*type);
}

std::string to_json_text(const client_frame& x) {
  bj::object obj{{"type", type_name(x)}};
  if (auto input = std::get_if<input_frame>(&x))
    obj["data"] = input->data;
  return bj::serialize(obj);
}

std::string to_json_text(const server_frame& x) {
  bj::object obj{{"type", type_name(x)}};
  std::visit(overload{[&](const output_frame& f) {
                        obj["seq"] = f.seq;
                        obj["data"] = f.data;
                        if (f.split)
                          obj["split"] = true;
                      },
                      [&](const status_frame& f) {
                        obj["state"] = f.state;
                        obj["restarts"] = f.restarts;
                      },
                      [&](const file_changed_frame& f) { obj["path"] = f.path; },
                      [&](const gap_frame& f) {
                        obj["from"] = f.from;
                        obj["to"] = f.to;
                      },
                      [&](const error_frame& f) {
                        obj["code"] = f.code;
                        obj["message"] = f.message;
                      },
                      [&](const closing_frame& f) { obj["reason"] = f.reason; },
                      [](const pong_frame&) {}},
             x);
  return bj::serialize(obj);
}

namespace {

caf::expected<server_frame> parse_output(const bj::object& obj) {
  auto seq = json::get_uint(obj, "seq");
  auto data = json::get_string(obj, "data");
  if (!seq)
    return seq.error();
  if (!data)
    return data.error();
  return server_frame{output_frame{*seq, std::move(*data), get_bool(obj, "split")}};
}

caf::expected<server_frame> parse_status(const bj::object& obj) {
  auto state = json::get_string(obj, "state");
  if (!state)
    return state.error();
  auto restarts = json::get_uint(obj, "restarts");
  return server_frame{status_frame{std::move(*state), restarts ? uint32_t(*restarts) : 0u}};
}

caf::expected<server_frame> parse_gap(const bj::object& obj) {
  auto from = json::get_uint(obj, "from");
  auto to = json::get_uint(obj, "to");
  if (!from)
    return from.error();
  if (!to)
    return to.error();
  return server_frame{gap_frame{*from, *to}};
}

caf::expected<server_frame> parse_error(const bj::object& obj) {
  auto code = json::get_string(obj, "code");
  auto message = json::get_string(obj, "message");
  if (!code)
    return code.error();
  if (!message)
    return message.error();
  return server_frame{error_frame{std::move(*code), std::move(*message)}};
}

template <class Frame>
caf::expected<server_frame> parse_text_field(const bj::object& obj, std::string_view key) {
  auto value = json::get_string(obj, key);
  if (!value)
    return value.error();
  return server_frame{Frame{std::move(*value)}};
}

} // namespace

caf::expected<server_frame> parse_server_frame(std::string_view text) {
  bj::value storage;
  auto obj = frame_object(text, storage);
  if (!obj)
    return obj.error();
  auto type = frame_type(**obj);
  if (!type)
    return type.error();
  const auto& o = **obj;
  if (*type == "output")
    return parse_output(o);
  if (*type == "status")
    return parse_status(o);
  if (*type == "file_changed")
    return parse_text_field<file_changed_frame>(o, "path");
  if (*type == "gap")
    return parse_gap(o);
  if (*type == "error")
    return parse_error(o);
  if (*type == "closing")
    return parse_text_field<closing_frame>(o, "reason");
  if (*type == "pong")
    return server_frame{pong_frame{}};
  return unknown_type(*type);
}

} // namespace arbor
