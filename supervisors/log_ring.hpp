// The supervisor log's in-memory tail: the last `capacity` lines, numbered from
// 1, plus a count of every event seen by type. arbord serves it as
// `GET /api/logs?after=N` (what `arborctl logs --follow` polls) and counts
// supervisor events by type in `/metrics`.
//
// Add `ring.sink()` to `supervisor_log_config::extra_sinks`. Thread-safe: the
// sink is called from spdlog's writer thread, readers from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <spdlog/common.h>
#include <string>
#include <vector>

namespace arbor {

class log_ring {
public:
  explicit log_ring(size_t capacity = 5000);

  /// A sink that appends every line it is given to this ring.
  spdlog::sink_ptr sink();

  struct page {
    std::vector<std::string> lines; ///< JSON objects, oldest first
    uint64_t next = 0;              ///< number of the last line returned (or `after`)
  };

  /// Lines numbered above `after`, at most `limit` of them (the oldest still kept).
  page after(uint64_t after, size_t limit) const;

  /// How many lines of each `event` were written since start.
  std::map<std::string, uint64_t> event_counts() const;

  /// Called by the sink.
  void append(std::string line);

private:
  size_t capacity_;
  mutable std::mutex mtx_;
  std::deque<std::string> lines_;
  uint64_t last_ = 0; // number of the newest line
  std::map<std::string, uint64_t> counts_;
};

} // namespace arbor
