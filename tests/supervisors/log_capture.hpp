// Test helper: an in-memory spdlog sink that keeps every supervisor log line and
// parses them back as JSON.
#pragma once

#include "messages/json.hpp"
#include "supervisors/supervisor_log.hpp"

#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <string>
#include <vector>

namespace arbor::test {

class memory_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> guard{mutex_};
    return lines_;
  }

  /// Waits until more than `seen` lines arrived; false after `timeout`.
  bool wait_for_more(size_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> guard{mutex_};
    return cv_.wait_for(guard, timeout, [&] { return lines_.size() > seen; });
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
    cv_.notify_all();
  }
  void flush_() override {}

private:
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

/// Installs a memory sink as the supervisor log for the lifetime of this object.
class log_capture {
public:
  explicit log_capture(bool async = true) : sink_(std::make_shared<memory_sink>()) {
    supervisor_log_config cfg;
    cfg.node = "test";
    cfg.async = async;
    cfg.extra_sinks.push_back(sink_);
    configure_supervisor_log(cfg);
  }
  ~log_capture() { shutdown_supervisor_log(); }

  /// Every line written so far, parsed (flushes first).
  std::vector<boost::json::object> events() {
    flush_supervisor_log();
    std::vector<boost::json::object> result;
    for (const auto& line : sink_->lines()) {
      auto parsed = parse_json(line);
      if (parsed && parsed->is_object())
        result.push_back(parsed->get_object());
      else
        result.push_back(boost::json::object{{"unparsable", line}});
    }
    return result;
  }

  /// Events named `name` (optionally for one child).
  std::vector<boost::json::object> events(std::string_view name, std::string_view child = {}) {
    std::vector<boost::json::object> result;
    for (auto& ev : events())
      if (ev["event"] == name.data() && (child.empty() || ev["child"] == child.data()))
        result.push_back(ev);
    return result;
  }

  /// The event names in order, optionally restricted to one supervisor path.
  std::vector<std::string> names(std::string_view supervisor = {}) {
    std::vector<std::string> result;
    for (auto& ev : events())
      if (supervisor.empty() || ev["supervisor"] == supervisor.data())
        result.emplace_back(ev["event"].as_string().c_str());
    return result;
  }

  /// Waits (bounded) until an event `name` for `child` was logged.
  bool wait_for(std::string_view name, std::string_view child = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto seen = sink_->lines().size();
      if (!events(name, child).empty())
        return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !sink_->wait_for_more(seen, left))
        return false;
    }
  }

private:
  std::shared_ptr<memory_sink> sink_;
};

} // namespace arbor::test
