#include "actors/session_channel.hpp"

#include "actors/detail/kernel_process.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/ws_wire.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <csignal>

namespace arbor {

using guard = std::lock_guard<std::mutex>;

session_channel::session_channel(const distributor_config& cfg)
  : cfg_(cfg), lines_(cfg.max_line_bytes), replay_(cfg.replay_lines, cfg.replay_bytes) {
  if (!cfg_.last_seq)
    cfg_.last_seq = std::make_shared<std::atomic<uint64_t>>(0);
  last_seq_ = cfg_.last_seq->load();
}

void session_channel::set_owner(const caf::actor& owner) {
  guard g{mtx_};
  owner_ = caf::actor_cast<caf::weak_actor_ptr>(owner);
}

// -- the kernel ------------------------------------------------------------------

void session_channel::kernel_started(kernel_link link) {
  guard g{mtx_};
  if (closed_)
    return;
  kernel_ = std::move(link);
  withheld_ = 0;
}

void session_channel::kernel_stopped(int64_t pid) {
  guard g{mtx_};
  if (kernel_.pid != pid)
    return;
  kernel_ = kernel_link{};
  withheld_ = 0;
}

bool session_channel::has_kernel(int64_t pid) const {
  guard g{mtx_};
  return kernel_.pid == pid && pid != 0;
}

bool session_channel::publish(int64_t pid, std::string_view bytes) {
  guard g{mtx_};
  if (closed_)
    return true;
  output_batch batch;
  lines_.feed(bytes, [&](std::string&& line, bool split) {
    batch.lines.push_back(output_line{++last_seq_, std::move(line), split});
  });
  fan_out(std::move(batch));
  if (pid == 0 || pid != kernel_.pid || !kernel_.resume || !any_lagging())
    return true;
  ++withheld_; // resumed once the laggard catches up or leaves
  arm_stall_check();
  return false;
}

void session_channel::fan_out(output_batch batch) {
  if (batch.lines.empty())
    return;
  cfg_.last_seq->store(last_seq_, std::memory_order_relaxed);
  // One message for every actor subscriber and the replay buffer (shared, no
  // copy per line); the WebSocket encoding is made once for every sink.
  auto msg = caf::make_message(output_atom::value, std::move(batch));
  const auto& shared = msg.get_as<output_batch>(1);
  std::shared_ptr<ws::wire_cache> wire;
  for (auto& kv : clients_) {
    kv.second.sent = last_seq_;
    if (!kv.second.sink) {
      caf::anon_send(kv.second.handle, msg);
      continue;
    }
    if (!wire)
      wire = ws::make_wire_cache();
    kv.second.sink->output(shared, wire);
  }
  replay_.add(std::move(msg));
}

// -- input -------------------------------------------------------------------------

session_channel::input_result session_channel::input(std::string_view line) {
  std::shared_ptr<detail::kernel_stdin> in;
  {
    guard g{mtx_};
    if (kernel_.pid != 0 && !kernel_.in)
      return {false, {}};
    in = kernel_.in;
  }
  if (!in)
    return {true, make_error(errc::not_found, "kernel is not running")};
  return {true, in->write(line)};
}

session_channel::input_result session_channel::interrupt() {
  guard g{mtx_};
  if (kernel_.pid != 0 && !kernel_.in)
    return {false, {}};
  if (kernel_.pid == 0 || kernel_.in->closed()) // closed: reaped, the pid may be reused
    return {true, make_error(errc::not_found, "kernel is not running")};
  detail::signal_group(static_cast<pid_t>(kernel_.pid), SIGINT);
  return {true, {}};
}

// -- subscribers ---------------------------------------------------------------------

caf::expected<uint64_t> session_channel::subscribe(const caf::actor& who, output_sink_ptr sink,
                                                   int64_t since) {
  guard g{mtx_};
  if (closed_)
    return make_error(errc::not_found, "session closed");
  auto known = clients_.find(who.address());
  if (known == clients_.end() && cfg_.max_clients > 0 && clients_.size() >= cfg_.max_clients)
    return make_error(errc::limit_reached, "too many clients on this session");
  auto& c = clients_[who.address()];
  c.handle = who;
  c.sink = std::move(sink);
  replay_to(c, since);
  return last_seq_;
}

void session_channel::replay_to(client& c, int64_t since) {
  auto first = replay_.empty() ? last_seq_ + 1 : replay_.first_seq();
  uint64_t from = since < 0 ? first : static_cast<uint64_t>(since) + 1;
  if (from < first) {
    gap_notice gap{from, first - 1};
    c.sink ? c.sink->gap(gap) : caf::anon_send(c.handle, gap_atom::value, gap);
    from = first;
  }
  output_batch batch;
  replay_.for_each_from(from, [&](const output_line& line) { batch.lines.push_back(line); });
  c.acked = std::min(from > 0 ? from - 1 : 0, last_seq_);
  c.sent = last_seq_;
  if (batch.lines.empty())
    return;
  if (c.sink)
    c.sink->output(batch, nullptr);
  else
    caf::anon_send(c.handle, output_atom::value, std::move(batch));
}

bool session_channel::unsubscribe(const caf::actor_addr& who) {
  guard g{mtx_};
  if (clients_.erase(who) == 0)
    return false;
  release_credit();
  return true;
}

void session_channel::ack(const caf::actor_addr& who, uint64_t seq) {
  guard g{mtx_};
  auto i = clients_.find(who);
  if (i == clients_.end())
    return;
  i->second.acked = std::max(i->second.acked, std::min(seq, i->second.sent));
  i->second.missed_pongs = 0;
  release_credit();
}

void session_channel::pong(const caf::actor_addr& who) {
  guard g{mtx_};
  if (auto i = clients_.find(who); i != clients_.end())
    i->second.missed_pongs = 0;
}

std::vector<caf::actor> session_channel::subscribers() const {
  guard g{mtx_};
  std::vector<caf::actor> result;
  for (auto& kv : clients_)
    result.push_back(kv.second.handle);
  return result;
}

size_t session_channel::subscriber_count() const {
  guard g{mtx_};
  return clients_.size();
}

// -- flow control --------------------------------------------------------------------

bool session_channel::lagging(const client& c) const {
  return c.sent - c.acked > cfg_.subscriber_queue_lines / 2;
}

bool session_channel::any_lagging() const {
  for (auto& kv : clients_)
    if (lagging(kv.second))
      return true;
  return false;
}

/// Reading from the kernel pauses while a client is more than half its queue
/// behind: a brief lag slows the kernel down instead of dropping the client.
void session_channel::release_credit() {
  if (withheld_ == 0 || !kernel_.resume)
    return;
  if (any_lagging())
    return arm_stall_check();
  kernel_.resume(std::exchange(withheld_, 0));
}

/// The kernel is paused for a lagging client: the owner checks back after
/// `stall_timeout` whether each laggard acknowledged anything meanwhile.
void session_channel::arm_stall_check() {
  if (stall_armed_ || cfg_.stall_timeout.count() <= 0)
    return;
  auto owner = caf::actor_cast<caf::actor>(owner_);
  if (!owner)
    return;
  stall_armed_ = true;
  for (auto& kv : clients_)
    kv.second.acked_at_stall = kv.second.acked;
  caf::delayed_anon_send(owner, cfg_.stall_timeout, stall_atom::value);
}

std::vector<caf::actor> session_channel::stalled() {
  guard g{mtx_};
  stall_armed_ = false;
  std::vector<caf::actor> stuck;
  for (auto& kv : clients_)
    if (lagging(kv.second) && kv.second.acked == kv.second.acked_at_stall)
      stuck.push_back(kv.second.handle);
  return stuck;
}

void session_channel::recheck() {
  guard g{mtx_};
  release_credit();
}

session_channel::tick_result session_channel::tick(uint32_t max_missed) {
  guard g{mtx_};
  tick_result result;
  for (auto& kv : clients_) {
    auto& c = kv.second;
    bool stuck = c.sent - c.acked > cfg_.subscriber_queue_lines && c.acked == c.acked_at_tick;
    c.stalled_ticks = stuck ? c.stalled_ticks + 1 : 0;
    c.acked_at_tick = c.acked;
    if (c.missed_pongs >= max_missed)
      result.drop.emplace_back(c.handle, "heartbeat_timeout");
    else if (c.stalled_ticks >= max_missed)
      result.drop.emplace_back(c.handle, "slow_consumer");
    ++c.missed_pongs;
    result.ping.push_back(c.handle);
  }
  return result;
}

// -- the rest -------------------------------------------------------------------------

std::vector<output_line> session_channel::replay() const {
  guard g{mtx_};
  return replay_.lines();
}

uint64_t session_channel::last_seq() const {
  guard g{mtx_};
  return last_seq_;
}

std::vector<caf::actor> session_channel::close() {
  guard g{mtx_};
  std::vector<caf::actor> result;
  if (closed_)
    return result;
  output_batch rest;
  lines_.flush([&](std::string&& line, bool split) {
    rest.lines.push_back(output_line{++last_seq_, std::move(line), split});
  });
  fan_out(std::move(rest));
  closed_ = true;
  for (auto& kv : clients_)
    result.push_back(kv.second.handle);
  clients_.clear();
  kernel_ = kernel_link{};
  withheld_ = 0;
  return result;
}

} // namespace arbor
