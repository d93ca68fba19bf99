// JSON codecs for the supervision types. JSON is parsed at the edge only (HTTP/WS,
// config, tools); actors exchange the typed structs. Parsing never throws: bad
// input is an `errc::bad_json` error naming what is wrong.
#pragma once

#include "messages/supervision.hpp"

#include <boost/json/value.hpp>
#include <caf/expected.hpp>
#include <string_view>

namespace arbor {

boost::json::value to_json(const child_counts& x);
boost::json::value to_json(const tree_node& x);

caf::expected<child_counts> child_counts_from_json(const boost::json::value& x);
caf::expected<tree_node> tree_node_from_json(const boost::json::value& x);

/// Parses `text` as JSON without throwing; `errc::bad_json` on malformed input.
caf::expected<boost::json::value> parse_json(std::string_view text);

namespace json {

/// Field readers: a missing or mistyped field is `errc::bad_json` naming the key.
caf::expected<std::string> get_string(const boost::json::object& obj, std::string_view key);
caf::expected<uint64_t> get_uint(const boost::json::object& obj, std::string_view key);
caf::expected<int64_t> get_int(const boost::json::object& obj, std::string_view key);
caf::expected<const boost::json::object*> get_object(const boost::json::value& x,
                                                     std::string_view what);

} // namespace json

} // namespace arbor
