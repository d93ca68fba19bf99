// Restart intensity: at most `max_restarts` restarts within `period`.
#pragma once

#include <caf/actor_clock.hpp>
#include <deque>

namespace arbor::detail {

class restart_window {
public:
  using time_point = caf::actor_clock::time_point;
  using duration = caf::actor_clock::duration_type;

  restart_window(uint32_t max_restarts, duration period)
    : max_restarts_(max_restarts), period_(period) {}

  /// Records a restart at `now`; false when that exceeds the intensity.
  bool add(time_point now) {
    stamps_.push_back(now);
    while (!stamps_.empty() && stamps_.front() + period_ <= now)
      stamps_.pop_front();
    return stamps_.size() <= max_restarts_;
  }

  /// Restarts within the current window.
  uint32_t count() const noexcept { return static_cast<uint32_t>(stamps_.size()); }

private:
  uint32_t max_restarts_;
  duration period_;
  std::deque<time_point> stamps_;
};

} // namespace arbor::detail
