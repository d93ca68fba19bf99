#include "messages/json.hpp"

#include "messages/errc.hpp"

#include <boost/json/parse.hpp>

namespace arbor {

namespace bj = boost::json;

namespace json {

caf::expected<const bj::object*> get_object(const bj::value& x, std::string_view what) {
  if (auto obj = x.if_object())
    return obj;
  return make_error(errc::bad_json, std::string{what} + " must be a JSON object");
}

caf::expected<std::string> get_string(const bj::object& obj, std::string_view key) {
  auto field = obj.if_contains(key);
  if (field == nullptr || !field->is_string())
    return make_error(errc::bad_json, "field '" + std::string{key} + "' must be a string");
  return std::string{field->get_string()};
}

caf::expected<int64_t> get_int(const bj::object& obj, std::string_view key) {
  auto field = obj.if_contains(key);
  if (field != nullptr && field->is_int64())
    return field->get_int64();
  if (field != nullptr && field->is_uint64() && field->get_uint64() <= INT64_MAX)
    return static_cast<int64_t>(field->get_uint64());
  return make_error(errc::bad_json, "field '" + std::string{key} + "' must be an integer");
}

caf::expected<uint64_t> get_uint(const bj::object& obj, std::string_view key) {
  auto field = obj.if_contains(key);
  if (field != nullptr && field->is_uint64())
    return field->get_uint64();
  if (field != nullptr && field->is_int64() && field->get_int64() >= 0)
    return static_cast<uint64_t>(field->get_int64());
  return make_error(errc::bad_json,
                    "field '" + std::string{key} + "' must be a non-negative integer");
}

} // namespace json

caf::expected<bj::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  auto value = bj::parse(bj::string_view{text.data(), text.size()}, ec);
  if (ec)
    return make_error(errc::bad_json, ec.message());
  return value;
}

bj::value to_json(const child_counts& x) {
  return {{"specs", x.specs},
          {"active", x.active},
          {"supervisors", x.supervisors},
          {"workers", x.workers}};
}

bj::value to_json(const tree_node& x) {
  bj::array children;
  children.reserve(x.children.size());
  for (const auto& child : x.children)
    children.push_back(to_json(child));
  bj::object obj{{"id", x.id},
                 {"path", x.path},
                 {"kind", to_string(x.kind)},
                 {"state", to_string(x.state)},
                 {"restarts", x.restarts},
                 {"counts", to_json(x.counts)},
                 {"children", std::move(children)}};
  if (!x.strategy.empty())
    obj["strategy"] = x.strategy;
  return obj;
}

caf::expected<child_counts> child_counts_from_json(const bj::value& x) {
  auto obj = json::get_object(x, "counts");
  if (!obj)
    return obj.error();
  child_counts result;
  uint32_t* fields[] = {&result.specs, &result.active, &result.supervisors, &result.workers};
  const char* keys[] = {"specs", "active", "supervisors", "workers"};
  for (size_t i = 0; i < 4; ++i) {
    auto value = json::get_uint(**obj, keys[i]);
    if (!value)
      return value.error();
    *fields[i] = static_cast<uint32_t>(*value);
  }
  return result;
}

namespace {

caf::error read_node_enums(const bj::object& obj, tree_node& node) {
  auto kind = json::get_string(obj, "kind");
  auto state = json::get_string(obj, "state");
  if (!kind)
    return kind.error();
  if (!state)
    return state.error();
  auto parsed_kind = parse_child_kind(*kind);
  auto parsed_state = parse_child_state(*state);
  if (!parsed_kind || !parsed_state)
    return make_error(errc::bad_json, "unknown kind or state in tree node");
  node.kind = *parsed_kind;
  node.state = *parsed_state;
  if (auto strat = obj.if_contains("strategy"); strat && strat->is_string())
    node.strategy = std::string{strat->get_string()};
  return caf::none;
}

} // namespace

caf::expected<tree_node> tree_node_from_json(const bj::value& x) {
  auto obj = json::get_object(x, "tree node");
  if (!obj)
    return obj.error();
  tree_node node;
  auto id = json::get_string(**obj, "id");
  auto path = json::get_string(**obj, "path");
  auto restarts = json::get_uint(**obj, "restarts");
  auto counts_field = (*obj)->if_contains("counts");
  auto children = (*obj)->if_contains("children");
  if (!id || !path || !restarts || !counts_field || !children || !children->is_array())
    return make_error(errc::bad_json, "tree node needs id, path, restarts, counts, children");
  node.id = *id;
  node.path = *path;
  node.restarts = static_cast<uint32_t>(*restarts);
  if (auto err = read_node_enums(**obj, node))
    return err;
  auto counts = child_counts_from_json(*counts_field);
  if (!counts)
    return counts.error();
  node.counts = *counts;
  for (const auto& child : children->get_array()) {
    auto parsed = tree_node_from_json(child);
    if (!parsed)
      return parsed.error();
    node.children.push_back(std::move(*parsed));
  }
  return node;
}

} // namespace arbor
