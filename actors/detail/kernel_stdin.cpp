#include "actors/detail/kernel_stdin.hpp"

#include "messages/errc.hpp"

#include <cerrno>
#include <sys/uio.h>
#include <unistd.h>

namespace arbor::detail {

namespace {

/// Writes what `fd` takes of `parts` without blocking; the byte count, or -1
/// with errno set (EAGAIN: nothing fitted).
ssize_t write_some(int fd, std::string_view a, std::string_view b) {
  iovec parts[2] = {{const_cast<char*>(a.data()), a.size()},
                    {const_cast<char*>(b.data()), b.size()}};
  ssize_t n;
  do
    n = ::writev(fd, parts, b.empty() ? 1 : 2);
  while (n < 0 && errno == EINTR);
  return n;
}

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK;
}

} // namespace

caf::error kernel_stdin::write(std::string_view line) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (closed_)
    return make_error(errc::not_found, "kernel is not running");
  if (broken_)
    return make_error(errc::io_error, "the kernel closed its input");
  if (pending_.size() - offset_ + line.size() + 1 > limit_)
    return make_error(errc::queue_full, "kernel stdin queue is full");
  size_t done = 0;
  if (fd_ >= 0 && offset_ == pending_.size()) { // nothing queued: straight into the pipe
    auto n = write_some(fd_, line, "\n");
    if (n < 0 && !would_block(errno)) {
      broken_ = true;
      return make_error(errc::io_error, "the kernel closed its input");
    }
    done = n > 0 ? static_cast<size_t>(n) : 0;
    if (done == line.size() + 1)
      return {};
  }
  if (done < line.size())
    pending_.append(line.substr(done));
  pending_.push_back('\n');
  if (fd_ >= 0 && !waiting_) {
    waiting_ = true;
    wait_writable_();
  }
  return {};
}

void kernel_stdin::attach(int fd, std::function<void()> wait_writable) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (closed_)
    return;
  fd_ = fd;
  wait_writable_ = std::move(wait_writable);
  flush_locked();
}

void kernel_stdin::on_writable() {
  std::lock_guard<std::mutex> guard{mtx_};
  waiting_ = false;
  flush_locked();
}

void kernel_stdin::flush_locked() {
  if (fd_ < 0 || closed_ || broken_ || waiting_)
    return;
  while (offset_ < pending_.size()) {
    std::string_view rest{pending_.data() + offset_, pending_.size() - offset_};
    auto n = write_some(fd_, rest, {});
    if (n < 0 && would_block(errno)) {
      if (offset_ >= (64u << 10)) { // keep the buffer from growing at the front
        pending_.erase(0, offset_);
        offset_ = 0;
      }
      waiting_ = true;
      wait_writable_();
      return;
    }
    if (n < 0) { // the kernel is gone or closed its end: what is left cannot go anywhere
      broken_ = true;
      break;
    }
    offset_ += static_cast<size_t>(n);
  }
  pending_.clear();
  offset_ = 0;
}

void kernel_stdin::close() {
  std::lock_guard<std::mutex> guard{mtx_};
  closed_ = true;
  fd_ = -1;
  pending_.clear();
  offset_ = 0;
  wait_writable_ = nullptr;
}

bool kernel_stdin::closed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return closed_;
}

size_t kernel_stdin::queued() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return pending_.size() - offset_;
}

} // namespace arbor::detail
