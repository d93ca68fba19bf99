// arborctl's commands (see commands.hpp): one request each, except `logs`, which
// pages through the server's retained lines and, with --follow, keeps polling.
#include "apps/arborctl/commands.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <optional>
#include <thread>

namespace arbor::ctl {

namespace {

/// The response if it is a 2xx; otherwise prints the error line and returns none.
std::optional<http_response> check(const context& ctx, const http_request& request,
                                   const http_result& result) {
  if (auto failed = std::get_if<transport_failure>(&result)) {
    ctx.err << format_transport_failure(ctx.server, request, *failed) << '\n';
    return std::nullopt;
  }
  const auto& response = std::get<http_response>(result);
  if (response.status < 200 || response.status > 299) {
    ctx.err << format_api_error(parse_error_body(response.status, response.body)) << '\n';
    return std::nullopt;
  }
  return response;
}

std::optional<http_response> call(const context& ctx, const http_request& request) {
  return check(ctx, request, ctx.send(request));
}

int bad_reply(const context& ctx, const http_request& request, const std::string& why) {
  ctx.err << "arborctl: bad reply from " << ctx.server << request.target << ": " << why << '\n';
  return 1;
}

void print_raw(const context& ctx, const std::string& body) {
  ctx.out << body;
  if (body.empty() || body.back() != '\n')
    ctx.out << '\n';
}

/// During --follow, a failure that means arbord is gone (or going) rather than broken:
/// no response at all, or `503 shutting_down`.
std::optional<std::string> gone_reason(const http_result& result) {
  if (auto failed = std::get_if<transport_failure>(&result))
    return failed->message;
  const auto& response = std::get<http_response>(result);
  if (response.status != 503)
    return std::nullopt;
  auto error = parse_error_body(response.status, response.body);
  if (error.code != "shutting_down")
    return std::nullopt;
  return "503 shutting_down";
}

void print_page(const context& ctx, const logs_options& options, const log_page& page) {
  for (const auto& line : page.lines) {
    if (!log_line_matches(options.filter, line))
      continue;
    if (options.json)
      ctx.out << boost::json::serialize(line) << '\n';
    else
      ctx.out << format_log_line(line) << '\n';
  }
  ctx.out.flush();
}

http_request logs_request(uint64_t after, uint32_t limit) {
  return {"GET", "/api/logs?after=" + std::to_string(after) + "&limit=" + std::to_string(limit),
          ""};
}

void wait(const logs_options& options) {
  if (options.sleep)
    options.sleep(options.poll_interval);
  else
    std::this_thread::sleep_for(options.poll_interval);
}

} // namespace

std::string format_transport_failure(const std::string& server, const http_request& request,
                                     const transport_failure& failure) {
  if (failure.kind == transport_failure_kind::connect)
    return "arborctl: cannot connect to " + server + ": " + failure.message;
  return "arborctl: " + request.method + " " + server + request.target + ": " + failure.message;
}

int run_sessions(const context& ctx, bool json) {
  http_request request{"GET", "/api/sessions", ""};
  auto response = call(ctx, request);
  if (!response)
    return 1;
  if (json) {
    print_raw(ctx, response->body);
    return 0;
  }
  auto table = format_sessions_table_json(response->body);
  if (!table)
    return bad_reply(ctx, request, table.error());
  ctx.out << *table;
  return 0;
}

int run_tree(const context& ctx, bool json, size_t max_children) {
  http_request request{"GET", "/api/tree", ""};
  auto response = call(ctx, request);
  if (!response)
    return 1;
  if (json) {
    print_raw(ctx, response->body);
    return 0;
  }
  auto drawing = draw_tree_json(response->body, max_children);
  if (!drawing)
    return bad_reply(ctx, request, drawing.error());
  ctx.out << *drawing;
  return 0;
}

int run_logs(const context& ctx, const logs_options& options) {
  uint64_t after = 0;
  bool connected = false;
  for (;;) {
    auto request = logs_request(after, std::max<uint32_t>(options.page_size, 1));
    auto result = ctx.send(request);
    if (auto reason = gone_reason(result); reason && connected && options.follow) {
      ctx.err << "arborctl: " << ctx.server << " went away (" << *reason
              << "); stopped following\n";
      return 0;
    }
    auto response = check(ctx, request, result);
    if (!response)
      return 1;
    connected = true;
    auto page = parse_log_page(response->body);
    if (!page)
      return bad_reply(ctx, request, page.error());
    print_page(ctx, options, *page);
    bool progressed = !page->lines.empty() && page->next > after;
    after = std::max(after, page->next);
    if (!progressed && !options.follow)
      return 0;
    if (!progressed)
      wait(options);
  }
}

int run_close(const context& ctx, const std::string& id) {
  if (!call(ctx, {"DELETE", "/api/sessions/" + percent_encode(id), ""}))
    return 1;
  ctx.out << "closed " << id << '\n';
  return 0;
}

int run_shutdown(const context& ctx) {
  if (!call(ctx, {"POST", "/api/shutdown", ""}))
    return 1;
  ctx.out << "shutdown started\n";
  return 0;
}

} // namespace arbor::ctl
