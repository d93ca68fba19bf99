// The supervisor log: one JSON object per line (JSON Lines), written by the
// supervisor that observed an event (ARCHITECTURE.md §4, schema in
// docs/supervisor-log.md, version `supervisor_log_schema`).
//
// Lines are formatted on the caller's thread (a few hundred bytes, no I/O) and
// written by spdlog's async thread pool with a blocking overflow policy: a full
// queue slows the writer down, it never drops a line. Only `main` (or a test)
// configures the sinks; until then every event is dropped cheaply.
#pragma once

#include <caf/error.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <spdlog/common.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbor {

/// Version of the line schema documented in docs/supervisor-log.md.
constexpr int supervisor_log_schema = 1;

/// Where supervisor log lines go.
struct supervisor_log_config {
  std::string node = "n1"; ///< value of the "node" field
  std::string file;        ///< rotating file sink when not empty
  size_t max_file_bytes = 10u << 20;
  size_t max_files = 5;
  bool to_stderr = false; ///< also write every line to stderr
  bool async = true;      ///< spdlog thread pool (blocking overflow, loses nothing)
  std::vector<spdlog::sink_ptr> extra_sinks; ///< e.g. a test's in-memory sink
};

/// Replaces the sinks. Not thread-safe against itself: call from main or a test.
void configure_supervisor_log(const supervisor_log_config& cfg);

/// Flushes every queued line to the sinks and blocks until written.
void flush_supervisor_log();

/// Flushes, then drops the sinks (events after this are ignored).
void shutdown_supervisor_log();

/// True when a sink is configured (callers may skip building costly fields).
bool supervisor_log_enabled() noexcept;

/// One supervisor event. Optional fields are omitted from the line when unset.
struct log_event {
  log_event(std::string_view event, spdlog::level::level_enum level, std::string_view supervisor,
            std::string_view child = {})
    : event(event), level(level), supervisor(supervisor), child(child) {}

  std::string_view event; ///< e.g. "child_exited"
  spdlog::level::level_enum level = spdlog::level::info;
  std::string_view supervisor;       ///< path, e.g. "/app/sessions/s-7"
  std::string_view child;            ///< child id; empty = omitted
  std::optional<std::string> reason; ///< rendered with arbor::describe
  std::optional<uint32_t> restarts;
  std::optional<double> window_s;
  std::optional<int64_t> duration_ms;
  /// Extra fields, already valid JSON values (e.g. `{"children", "[...]"}`).
  std::vector<std::pair<std::string_view, std::string>> extra;
};

/// Writes one line. Never throws; a no-op when no sink is configured.
void log_supervisor_event(const log_event& ev);

/// The JSON text of `ev` with timestamp `ts` (exposed for tests and tools).
std::string format_supervisor_event(const log_event& ev, std::chrono::system_clock::time_point ts,
                                    std::string_view node);

/// JSON-quotes `text` (for building `extra` values).
std::string json_quote(std::string_view text);

} // namespace arbor
