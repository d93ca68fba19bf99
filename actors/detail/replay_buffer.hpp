// The output a session keeps for clients that (re)attach with `since`.
//
// Whole batches as they were published, held by the message that carried them
// to the subscribers (no copy per line), trimmed from the front line by line
// to at most `max_lines` lines and `max_bytes` bytes of line data.
#pragma once
#include "messages/atoms.hpp"
#include "messages/session.hpp"

#include <caf/message.hpp>
#include <deque>
#include <vector>

namespace arbor::detail {

class replay_buffer {
public:
  replay_buffer(size_t max_lines, size_t max_bytes)
    : max_lines_(max_lines), max_bytes_(max_bytes) {}

  /// Keeps `msg` = (output_atom, output_batch) and drops the oldest lines over the limits.
  void add(caf::message msg) {
    const auto* batch = &msg.get_as<output_batch>(1);
    for (const auto& line : batch->lines)
      bytes_ += line.data.size();
    lines_ += batch->lines.size();
    batches_.push_back(entry{std::move(msg), batch});
    while (lines_ > 0 && (lines_ > max_lines_ || bytes_ > max_bytes_))
      drop_oldest();
  }

  bool empty() const noexcept { return lines_ == 0; }

  /// The oldest seq kept (0 when empty).
  uint64_t first_seq() const noexcept {
    return empty() ? 0 : batches_.front().batch->lines[skip_].seq;
  }

  /// Calls `fn(line)` for every kept line with a seq of at least `from`, oldest first.
  template <class F>
  void for_each_from(uint64_t from, F&& fn) const {
    size_t skip = skip_;
    for (const auto& e : batches_) {
      const auto& lines = e.batch->lines;
      if (!lines.empty() && lines.back().seq >= from)
        for (size_t i = skip; i < lines.size(); ++i)
          if (lines[i].seq >= from)
            fn(lines[i]);
      skip = 0;
    }
  }

  std::vector<output_line> lines() const {
    std::vector<output_line> result;
    result.reserve(lines_);
    for_each_from(0, [&](const output_line& line) { result.push_back(line); });
    return result;
  }

private:
  struct entry {
    caf::message msg;
    const output_batch* batch; ///< inside `msg`, which is never changed
  };

  void drop_oldest() {
    const auto& lines = batches_.front().batch->lines;
    bytes_ -= lines[skip_].data.size();
    --lines_;
    if (++skip_ == lines.size()) {
      batches_.pop_front();
      skip_ = 0;
    }
  }

  size_t max_lines_;
  size_t max_bytes_;
  std::deque<entry> batches_;
  size_t skip_ = 0; ///< lines of the first batch already dropped
  size_t lines_ = 0;
  size_t bytes_ = 0;
};

} // namespace arbor::detail
