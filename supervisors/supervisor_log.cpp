#include "supervisors/supervisor_log.hpp"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>
#include <spdlog/async.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace arbor {

namespace {

constexpr std::string_view flush_marker = "\x01arbor-flush\x01";

// The one sink of the supervisor logger: forwards every line to the configured
// sinks and turns the flush marker into "everything before me is written".
class fanout_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit fanout_sink(std::vector<spdlog::sink_ptr> sinks) : sinks_(std::move(sinks)) {}

  /// Blocks until every line logged before the marker reached the sinks.
  void wait_for_marker(uint64_t seen) {
    std::unique_lock<std::mutex> guard{marker_mtx_};
    marker_cv_.wait_for(guard, std::chrono::seconds(10), [&] { return markers_ > seen; });
  }

  uint64_t markers() {
    std::lock_guard<std::mutex> guard{marker_mtx_};
    return markers_;
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (std::string_view{msg.payload.data(), msg.payload.size()} == flush_marker) {
      flush_();
      std::lock_guard<std::mutex> guard{marker_mtx_};
      ++markers_;
      marker_cv_.notify_all();
      return;
    }
    for (auto& sink : sinks_)
      sink->log(msg);
  }

  void flush_() override {
    for (auto& sink : sinks_)
      sink->flush();
  }

private:
  std::vector<spdlog::sink_ptr> sinks_;
  std::mutex marker_mtx_;
  std::condition_variable marker_cv_;
  uint64_t markers_ = 0;
};

struct log_state {
  std::shared_ptr<spdlog::logger> logger;
  std::shared_ptr<fanout_sink> fanout;
  std::string node;
};

// Replaced as a whole by configure/shutdown; readers take a copy atomically.
std::shared_ptr<const log_state> current_state;

// Whether a state is installed, for the hot-path check. atomic_load on a
// shared_ptr takes one of libstdc++'s global spinlocks and a reference count;
// every supervisor asks this per child event, most often with the log off. A
// reader that sees `true` just as the log shuts down finds no state in
// log_supervisor_event and writes nothing.
std::atomic<bool> log_on{false};

std::shared_ptr<const log_state> load_state() {
  return std::atomic_load(&current_state);
}

std::vector<spdlog::sink_ptr> make_sinks(const supervisor_log_config& cfg) {
  std::vector<spdlog::sink_ptr> sinks = cfg.extra_sinks;
  if (!cfg.file.empty())
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        cfg.file, cfg.max_file_bytes, cfg.max_files));
  if (cfg.to_stderr)
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  for (auto& sink : sinks)
    sink->set_pattern("%v"); // the line is the JSON object, nothing around it
  return sinks;
}

std::shared_ptr<spdlog::logger> make_logger(const supervisor_log_config& cfg,
                                            const std::shared_ptr<fanout_sink>& fanout) {
  std::shared_ptr<spdlog::logger> logger;
  if (cfg.async) {
    static std::once_flag pool_once;
    std::call_once(pool_once, [] { spdlog::init_thread_pool(1u << 15, 1); });
    logger = std::make_shared<spdlog::async_logger>("supervisor", fanout, spdlog::thread_pool(),
                                                    spdlog::async_overflow_policy::block);
  } else {
    logger = std::make_shared<spdlog::logger>("supervisor", fanout);
  }
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::err);
  return logger;
}

void append_timestamp(std::string& out, std::chrono::system_clock::time_point ts) {
  using namespace std::chrono;
  auto secs = time_point_cast<seconds>(ts);
  auto millis = duration_cast<milliseconds>(ts - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  out += buf;
}

const char* level_name(spdlog::level::level_enum lvl) {
  switch (lvl) {
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
    case spdlog::level::critical:
      return "error";
    case spdlog::level::debug:
    case spdlog::level::trace:
      return "debug";
    default:
      return "info";
  }
}

void append_field(std::string& out, std::string_view key, std::string_view json_value) {
  out += ",\"";
  out += key;
  out += "\":";
  out += json_value;
}

void flush_state(const log_state& state) {
  auto seen = state.fanout->markers();
  state.logger->log(spdlog::level::critical, flush_marker);
  state.fanout->wait_for_marker(seen);
}

} // namespace

std::string json_quote(std::string_view text) {
  return boost::json::serialize(boost::json::string{text});
}

std::string format_supervisor_event(const log_event& ev, std::chrono::system_clock::time_point ts,
                                    std::string_view node) {
  std::string out;
  out.reserve(256);
  out += "{\"ts\":\"";
  append_timestamp(out, ts);
  out += "\",\"v\":";
  out += std::to_string(supervisor_log_schema);
  append_field(out, "level", json_quote(level_name(ev.level)));
  append_field(out, "event", json_quote(ev.event));
  append_field(out, "node", json_quote(node));
  append_field(out, "supervisor", json_quote(ev.supervisor));
  if (!ev.child.empty())
    append_field(out, "child", json_quote(ev.child));
  if (ev.reason)
    append_field(out, "reason", json_quote(*ev.reason));
  if (ev.restarts)
    append_field(out, "restarts", std::to_string(*ev.restarts));
  if (ev.window_s)
    append_field(out, "window_s", boost::json::serialize(boost::json::value(*ev.window_s)));
  if (ev.duration_ms)
    append_field(out, "duration_ms", std::to_string(*ev.duration_ms));
  for (const auto& [key, value] : ev.extra)
    append_field(out, key, value);
  out += '}';
  return out;
}

void configure_supervisor_log(const supervisor_log_config& cfg) {
  auto state = std::make_shared<log_state>();
  state->fanout = std::make_shared<fanout_sink>(make_sinks(cfg));
  state->logger = make_logger(cfg, state->fanout);
  state->node = cfg.node;
  auto old = std::atomic_exchange(&current_state, std::shared_ptr<const log_state>{state});
  log_on.store(true, std::memory_order_relaxed);
  if (old)
    flush_state(*old);
}

void flush_supervisor_log() {
  if (auto state = load_state())
    flush_state(*state);
}

void shutdown_supervisor_log() {
  flush_supervisor_log();
  log_on.store(false, std::memory_order_relaxed);
  std::atomic_store(&current_state, std::shared_ptr<const log_state>{});
}

bool supervisor_log_enabled() noexcept {
  return log_on.load(std::memory_order_relaxed);
}

void log_supervisor_event(const log_event& ev) {
  auto state = load_state();
  if (!state)
    return;
  try {
    auto line = format_supervisor_event(ev, std::chrono::system_clock::now(), state->node);
    state->logger->log(ev.level, line);
  } catch (...) {
    // Logging must never take a supervisor down; spdlog reports sink errors itself.
  }
}

} // namespace arbor
