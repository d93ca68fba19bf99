// Splits a byte stream into lines of at most `max` bytes. A line longer than
// that is emitted in parts, each but the last flagged `split`; nothing is lost.
#pragma once
#include <string>
#include <string_view>

namespace arbor::detail {

class line_splitter {
public:
  explicit line_splitter(size_t max) : max_(max == 0 ? 1 : max) {}

  /// Calls `emit(std::string&& line, bool split)` for every complete line in `bytes`.
  template <class F>
  void feed(std::string_view bytes, F&& emit) {
    while (!bytes.empty()) {
      auto room = max_ - partial_.size();
      auto nl = bytes.substr(0, room + 1).find('\n');
      if (nl != std::string_view::npos) {
        partial_.append(bytes.data(), nl);
        emit(take(), false);
        bytes.remove_prefix(nl + 1);
      } else if (bytes.size() >= room + 1 || partial_.size() + bytes.size() > max_) {
        partial_.append(bytes.data(), room);
        emit(take(), true);
        bytes.remove_prefix(room);
      } else {
        partial_.append(bytes.data(), bytes.size());
        return;
      }
    }
  }

  /// Emits an unterminated last line, if any (at end of stream).
  template <class F>
  void flush(F&& emit) {
    if (!partial_.empty())
      emit(take(), false);
  }

private:
  std::string take() {
    std::string result;
    result.swap(partial_);
    return result;
  }

  size_t max_;
  std::string partial_;
};

} // namespace arbor::detail
