#include "actors/detail/kernel_pool.hpp"

#include "actors/kernel.hpp"
#include "messages/errc.hpp"

#include <csignal>
#include <spdlog/spdlog.h>

namespace arbor::detail {

kernel_pool::kernel_pool(io_loop_ptr io, std::shared_ptr<const kernel_spec> spec, size_t size,
                         std::chrono::milliseconds refill_delay)
  : io_(std::move(io)), spec_(std::move(spec)), size_(size), refill_delay_(refill_delay),
    timer_(io_->context()) {}

std::unique_ptr<started_process> kernel_pool::take() {
  while (!ready_.empty()) {
    auto p = std::move(ready_.front());
    ready_.pop_front();
    boost::system::error_code ec;
    if (p->proc->running(ec)) { // a dead one is reaped by running() and skipped
      schedule_refill();
      return p;
    }
  }
  schedule_refill();
  return nullptr;
}

void kernel_pool::fill() {
  refill_pending_ = false;
  while (!closed_ && ready_.size() < size_) {
    auto p = std::make_unique<started_process>(io_->context());
    if (auto err = start_process(io_->context(), *spec_, *p)) {
      spdlog::warn("kernel pool: cannot pre-start a kernel: {}", describe(err));
      return; // sessions will start their own and report the error
    }
    ready_.push_back(std::move(p));
  }
}

void kernel_pool::schedule_refill() {
  if (closed_ || refill_pending_)
    return;
  refill_pending_ = true;
  // Later, not now: each launch holds this loop until the child's exec while
  // the adopting session waits for its kernel's first output.
  timer_.expires_after(refill_delay_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec)
      self->fill();
  });
}

void kernel_pool::close() {
  closed_ = true;
  timer_.cancel();
  for (auto& p : ready_) {
    ::kill(-p->proc->id(), SIGKILL);
    boost::system::error_code ec;
    p->proc->wait(ec); // immediate after SIGKILL; reaps it
  }
  ready_.clear();
}

kernel_pool_ptr make_kernel_pool(io_loop_ptr io, const kernel_spec& spec, size_t size) {
  auto copy = std::make_shared<kernel_spec>(spec);
  copy->warm.reset();
  auto pool =
      std::make_shared<kernel_pool>(io, std::move(copy), size, std::chrono::milliseconds{20});
  io->post([pool] { pool->fill(); });
  return pool;
}

void close_kernel_pool(const kernel_pool_ptr& pool) {
  if (pool)
    pool->loop()->post([pool] { pool->close(); });
}

} // namespace arbor::detail
