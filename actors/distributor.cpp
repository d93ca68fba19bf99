#include "actors/distributor.hpp"

#include "actors/detail/kernel_process.hpp"
#include "actors/detail/line_splitter.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "messages/ws_wire.hpp"
#include "supervisors/probe.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <deque>
#include <unordered_map>

namespace arbor {

namespace {

using ttl_atom = caf::atom_constant<caf::atom("ttl")>;
using stall_atom = caf::atom_constant<caf::atom("stall")>;

struct client_slot {
  caf::actor handle;
  uint64_t sent = 0;           ///< last seq sent
  uint64_t acked = 0;          ///< last seq acknowledged
  uint64_t acked_at_tick = 0;  ///< `acked` at the previous heartbeat tick
  uint64_t acked_at_stall = 0; ///< `acked` when the pending stall check was armed
  uint32_t stalled_ticks = 0;  ///< ticks in a row over the queue without an ack
  uint32_t missed_pongs = 0;
};

class distributor : public probed<caf::event_based_actor> {
public:
  distributor(caf::actor_config& cfg, distributor_config conf)
    : probed<caf::event_based_actor>(cfg), cfg_(std::move(conf)), lines_(cfg_.max_line_bytes) {
    if (!cfg_.last_seq)
      cfg_.last_seq = std::make_shared<std::atomic<uint64_t>>(0);
    last_seq_ = cfg_.last_seq->load();
  }

  caf::behavior make_behavior() override {
    set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
    set_exit_handler([this](caf::exit_msg& msg) { on_exit_request(std::move(msg.reason)); });
    arm_ttl(cfg_.ttl.count() > 0);
    return {
        [this](detail::chunk_atom, int64_t pid, std::string& bytes) { on_chunk(pid, bytes); },
        [this](status_atom, kernel_status& st) { on_kernel_up(st); },
        [this](subscribe_atom, const subscribe_request& req) -> caf::result<subscription> {
          return on_subscribe(req);
        },
        [this](unsubscribe_atom) -> ok_atom {
          detach(current_sender(), {});
          return ok_atom::value;
        },
        [this](ack_atom, uint64_t seq) { on_ack(seq); },
        [this](input_atom a, std::string& line) -> caf::result<ok_atom> {
          return to_kernel(caf::make_message(a, std::move(line)));
        },
        [this](interrupt_atom a) -> caf::result<ok_atom> {
          return to_kernel(caf::make_message(a));
        },
        [this](info_atom) {
          return caf::make_message(kernel_, static_cast<uint32_t>(subs_.size()));
        },
        [this](export_atom) { return std::vector<output_line>(replay_.begin(), replay_.end()); },
        [this](tick_atom) { on_tick(); },
        [this](pong_atom) { on_pong(); },
        [this](file_changed_atom a, const file_event& ev) { broadcast(caf::make_message(a, ev)); },
        [this](ttl_atom, uint64_t generation) { on_ttl(generation); },
        [this](stall_atom) { on_stall_check(); },
    };
  }

  void on_exit() override {
    kernel_handle_ = nullptr;
    subs_.clear();
  }

private:
  // -- output ------------------------------------------------------------------

  void on_chunk(int64_t pid, const std::string& bytes) {
    output_batch batch;
    lines_.feed(bytes, [&](std::string&& line, bool split) {
      batch.lines.push_back(output_line{++last_seq_, std::move(line), split});
    });
    publish(std::move(batch));
    if (kernel_handle_ && pid == kernel_.pid) {
      ++withheld_;
      release_credit();
    }
  }

  /// Reading from the kernel pauses while a client is more than half its queue
  /// behind: a brief lag slows the kernel down instead of dropping the client.
  /// A client that stays stuck is detached by the heartbeat (missed pongs).
  void release_credit() {
    if (withheld_ == 0 || !kernel_handle_)
      return;
    for (auto& kv : subs_)
      if (lagging(kv.second))
        return arm_stall_check();
    for (; withheld_ > 0; --withheld_)
      send(kernel_handle_, detail::credit_atom::value);
  }

  bool lagging(const client_slot& sub) const {
    return sub.sent - sub.acked > cfg_.subscriber_queue_lines / 2;
  }

  /// The kernel is paused for a lagging client: check back after
  /// `stall_timeout` whether each laggard acknowledged anything meanwhile.
  void arm_stall_check() {
    if (stall_armed_ || cfg_.stall_timeout.count() <= 0)
      return;
    stall_armed_ = true;
    for (auto& kv : subs_)
      kv.second.acked_at_stall = kv.second.acked;
    delayed_send(this, cfg_.stall_timeout, stall_atom::value);
  }

  /// A client that held the whole session's output back for `stall_timeout`
  /// without acknowledging a line is dropped, so the others go on.
  void on_stall_check() {
    stall_armed_ = false;
    std::vector<caf::actor> stuck;
    for (auto& kv : subs_)
      if (lagging(kv.second) && kv.second.acked == kv.second.acked_at_stall)
        stuck.push_back(kv.second.handle);
    for (auto& who : stuck)
      detach(who, "slow_consumer");
    release_credit();
  }

  void publish(output_batch batch) {
    if (batch.lines.empty())
      return;
    cfg_.last_seq->store(last_seq_, std::memory_order_relaxed);
    for (auto& line : batch.lines)
      remember(line);
    batch.wire = ws::make_wire_cache(); // encoded once for every WebSocket client
    auto msg = caf::make_message(output_atom::value, std::move(batch));
    for (auto& kv : subs_) {
      kv.second.sent = last_seq_;
      send(kv.second.handle, msg);
    }
  }

  void remember(const output_line& line) {
    replay_bytes_ += line.data.size();
    replay_.push_back(line);
    while (!replay_.empty() &&
           (replay_.size() > cfg_.replay_lines || replay_bytes_ > cfg_.replay_bytes)) {
      replay_bytes_ -= replay_.front().data.size();
      replay_.pop_front();
    }
  }

  // -- subscribers ---------------------------------------------------------------

  caf::result<subscription> on_subscribe(const subscribe_request& req) {
    auto who = caf::actor_cast<caf::actor>(current_sender());
    if (!who)
      return make_error(errc::invalid_spec, "subscribe needs a sender");
    if (subs_.count(who.address()) == 0 && cfg_.max_clients > 0 && subs_.size() >= cfg_.max_clients)
      return make_error(errc::limit_reached, "too many clients on this session");
    if (subs_.count(who.address()) == 0)
      monitor(who);
    auto& sub = subs_[who.address()];
    sub.handle = who;
    ++ttl_generation_; // any pending TTL timer is now stale
    replay_to(sub, req.since);
    return subscription{last_seq_, kernel_};
  }

  void replay_to(client_slot& sub, int64_t since) {
    auto first = replay_.empty() ? last_seq_ + 1 : replay_.front().seq;
    uint64_t from = since < 0 ? first : static_cast<uint64_t>(since) + 1;
    if (from < first) {
      send(sub.handle, gap_atom::value, gap_notice{from, first - 1});
      from = first;
    }
    output_batch batch;
    for (auto& line : replay_)
      if (line.seq >= from)
        batch.lines.push_back(line);
    sub.acked = from > 0 ? from - 1 : 0;
    sub.sent = last_seq_;
    if (!batch.lines.empty())
      send(sub.handle, output_atom::value, std::move(batch));
    if (sub.acked > sub.sent)
      sub.acked = sub.sent;
  }

  void on_ack(uint64_t seq) {
    auto i = subs_.find(current_sender() ? current_sender()->address() : caf::actor_addr{});
    if (i == subs_.end())
      return;
    i->second.acked = std::max(i->second.acked, std::min(seq, i->second.sent));
    i->second.missed_pongs = 0;
    release_credit();
  }

  void detach(const caf::strong_actor_ptr& who, const std::string& reason) {
    detach(caf::actor_cast<caf::actor>(who), reason);
  }

  void detach(const caf::actor& who, const std::string& reason) {
    if (!who)
      return;
    auto i = subs_.find(who.address());
    if (i == subs_.end())
      return;
    demonitor(who);
    if (!reason.empty())
      send(who, dropped_atom::value, reason);
    subs_.erase(i);
    release_credit();
    if (subs_.empty())
      arm_ttl(true);
  }

  void broadcast(const caf::message& msg) {
    for (auto& kv : subs_)
      send(kv.second.handle, msg);
  }

  // -- heartbeat -------------------------------------------------------------------

  void on_tick() {
    std::vector<std::pair<caf::actor, const char*>> dead;
    for (auto& kv : subs_) {
      auto& sub = kv.second;
      if (sub.missed_pongs >= cfg_.max_missed_pongs)
        dead.emplace_back(sub.handle, "heartbeat_timeout");
      else if (stalled(sub) >= cfg_.max_missed_pongs)
        dead.emplace_back(sub.handle, "slow_consumer");
      ++sub.missed_pongs;
      send(sub.handle, ping_atom::value);
    }
    for (auto& [who, why] : dead)
      detach(who, why);
  }

  /// Consecutive ticks this subscriber spent over its queue without acknowledging anything.
  uint32_t stalled(client_slot& sub) {
    bool stuck =
        sub.sent - sub.acked > cfg_.subscriber_queue_lines && sub.acked == sub.acked_at_tick;
    sub.stalled_ticks = stuck ? sub.stalled_ticks + 1 : 0;
    sub.acked_at_tick = sub.acked;
    return sub.stalled_ticks;
  }

  void on_pong() {
    auto i = subs_.find(current_sender() ? current_sender()->address() : caf::actor_addr{});
    if (i != subs_.end())
      i->second.missed_pongs = 0;
  }

  // -- kernel ------------------------------------------------------------------------

  void on_kernel_up(kernel_status st) {
    kernel_handle_ = caf::actor_cast<caf::actor>(current_sender());
    if (kernel_handle_)
      monitor(kernel_handle_);
    st.restarts = kernel_starts_++;
    st.reason = kernel_.reason;
    kernel_ = st;
    broadcast(caf::make_message(status_atom::value, kernel_));
  }

  caf::result<ok_atom> to_kernel(caf::message msg) {
    if (!kernel_handle_)
      return make_error(errc::not_found, "kernel is not running");
    auto rp = make_response_promise();
    rp.delegate(kernel_handle_, std::move(msg));
    return rp;
  }

  void on_down(const caf::down_msg& msg) {
    if (kernel_handle_ && msg.source == kernel_handle_.address()) {
      kernel_handle_ = nullptr;
      withheld_ = 0;
      // A kernel stopped by its supervisor (session closing) is not coming back.
      bool stopped = msg.reason == caf::exit_reason::user_shutdown;
      kernel_ = kernel_status{stopped ? "stopped" : "restarting", 0, kernel_.restarts,
                              describe(msg.reason)};
      broadcast(caf::make_message(status_atom::value, kernel_));
      return;
    }
    auto i = subs_.find(msg.source);
    if (i == subs_.end())
      return;
    subs_.erase(i);
    release_credit();
    if (subs_.empty())
      arm_ttl(true);
  }

  // -- TTL and shutdown ----------------------------------------------------------------

  void arm_ttl(bool armed) {
    if (!armed || cfg_.ttl.count() < 0)
      return;
    auto generation = ++ttl_generation_;
    if (cfg_.ttl.count() == 0) {
      on_ttl(generation);
      return;
    }
    delayed_send(this, cfg_.ttl, ttl_atom::value, generation);
  }

  void on_ttl(uint64_t generation) {
    if (generation != ttl_generation_ || !subs_.empty())
      return; // a client attached since: this timer is stale
    close_session("ttl_expired", caf::exit_reason::normal);
  }

  void on_exit_request(caf::error reason) {
    auto why = describe(reason); // before the move below
    close_session(why, std::move(reason));
  }

  void close_session(const std::string& why, caf::error reason) {
    output_batch rest;
    lines_.flush([&](std::string&& line, bool split) {
      rest.lines.push_back(output_line{++last_seq_, std::move(line), split});
    });
    publish(std::move(rest));
    broadcast(caf::make_message(closing_atom::value, why));
    for (auto& kv : subs_)
      demonitor(kv.second.handle);
    subs_.clear();
    quit(std::move(reason));
  }

  distributor_config cfg_;
  detail::line_splitter lines_;
  uint64_t last_seq_ = 0;
  std::deque<output_line> replay_;
  size_t replay_bytes_ = 0;
  std::unordered_map<caf::actor_addr, client_slot> subs_;
  caf::actor kernel_handle_;
  kernel_status kernel_{"starting", 0, 0, {}};
  uint32_t kernel_starts_ = 0;
  uint64_t ttl_generation_ = 0;
  size_t withheld_ = 0; ///< kernel credits held back while a client lags
  bool stall_armed_ = false;
};

} // namespace

caf::actor spawn_distributor(caf::actor_system& sys, distributor_config cfg) {
  return sys.spawn<distributor>(std::move(cfg));
}

} // namespace arbor
