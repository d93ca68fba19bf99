// The supervisor log's in-memory tail (see log_ring.hpp).
#include "supervisors/log_ring.hpp"

#include <spdlog/sinks/base_sink.h>

namespace arbor {

namespace {

class ring_sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
  explicit ring_sink(log_ring& ring) : ring_(ring) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    ring_.append(std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

private:
  log_ring& ring_;
};

/// The value of `"event":"…"` in a supervisor log line ("" when absent).
std::string event_of(const std::string& line) {
  static constexpr std::string_view key = R"("event":")";
  auto pos = line.find(key);
  if (pos == std::string::npos)
    return {};
  pos += key.size();
  auto end = line.find('"', pos);
  return end == std::string::npos ? std::string{} : line.substr(pos, end - pos);
}

} // namespace

log_ring::log_ring(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

spdlog::sink_ptr log_ring::sink() {
  return std::make_shared<ring_sink>(*this);
}

void log_ring::append(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  auto event = event_of(line);
  std::lock_guard<std::mutex> guard{mtx_};
  ++counts_[event.empty() ? "unknown" : event];
  lines_.push_back(std::move(line));
  ++last_;
  if (lines_.size() > capacity_)
    lines_.pop_front();
}

log_ring::page log_ring::after(uint64_t after, size_t limit) const {
  std::lock_guard<std::mutex> guard{mtx_};
  page result;
  result.next = after;
  uint64_t first = last_ - lines_.size() + 1; // number of lines_.front()
  uint64_t from = std::max(after + 1, first);
  for (uint64_t n = from; n <= last_ && result.lines.size() < limit; ++n) {
    result.lines.push_back(lines_[n - first]);
    result.next = n;
  }
  return result;
}

std::map<std::string, uint64_t> log_ring::event_counts() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return counts_;
}

} // namespace arbor
