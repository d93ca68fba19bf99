#include "messages/errc.hpp"

#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace arbor {

const char* to_string(errc x) noexcept {
  switch (x) {
    case errc::none:
      return "none";
    case errc::invalid_spec:
      return "invalid_spec";
    case errc::duplicate_child:
      return "duplicate_child";
    case errc::unknown_child:
      return "unknown_child";
    case errc::child_running:
      return "child_running";
    case errc::start_failed:
      return "start_failed";
    case errc::start_timeout:
      return "start_timeout";
    case errc::restart_intensity_exceeded:
      return "restart_intensity_exceeded";
    case errc::shutting_down:
      return "shutting_down";
    case errc::deadline_budget:
      return "deadline_budget";
    case errc::task_failed:
      return "task_failed";
    case errc::system_stopped:
      return "system_stopped";
    case errc::timeout:
      return "timeout";
    case errc::exit_code:
      return "exit_code";
    case errc::signal:
      return "signal";
    case errc::bad_json:
      return "bad_json";
    case errc::bad_config:
      return "bad_config";
    case errc::not_found:
      return "not_found";
    case errc::limit_reached:
      return "limit_reached";
    case errc::io_error:
      return "io_error";
    case errc::queue_full:
      return "queue_full";
    case errc::slow_consumer:
      return "slow_consumer";
    case errc::unauthorized:
      return "unauthorized";
    case errc::forbidden:
      return "forbidden";
    case errc::too_large:
      return "too_large";
    case errc::bad_request:
      return "bad_request";
    case errc::method_not_allowed:
      return "method_not_allowed";
    case errc::not_ready:
      return "not_ready";
  }
  return "unknown";
}

caf::error make_error(errc x, std::string context) {
  if (context.empty())
    return caf::error{static_cast<uint8_t>(x), errc_category};
  return caf::error{static_cast<uint8_t>(x), errc_category, caf::make_message(std::move(context))};
}

bool is(const caf::error& err, errc x) noexcept {
  return err.category() == errc_category && err.code() == static_cast<uint8_t>(x);
}

std::string context_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

namespace {

std::string describe_exit(caf::exit_reason x) {
  switch (x) {
    case caf::exit_reason::normal:
      return "normal";
    case caf::exit_reason::user_shutdown:
      return "shutdown";
    case caf::exit_reason::kill:
      return "killed";
    default:
      return caf::to_string(x);
  }
}

} // namespace

std::string describe(const caf::error& err) {
  if (!err)
    return "normal";
  if (err.category() == caf::atom("exit"))
    return describe_exit(static_cast<caf::exit_reason>(err.code()));
  if (err.category() == errc_category) {
    std::string result = to_string(static_cast<errc>(err.code()));
    auto ctx = context_of(err);
    if (!ctx.empty())
      result += ":" + ctx;
    return result;
  }
  if (err.category() == caf::atom("system"))
    return "system:" + caf::to_string(static_cast<caf::sec>(err.code()));
  return caf::to_string(err.category()) + ":" + std::to_string(err.code());
}

bool is_clean_exit(const caf::error& reason) noexcept {
  return !reason || reason == caf::exit_reason::normal || reason == caf::exit_reason::user_shutdown;
}

} // namespace arbor
