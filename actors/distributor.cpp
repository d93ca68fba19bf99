#include "actors/distributor.hpp"

#include "actors/detail/kernel_process.hpp"
#include "actors/session_channel.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "messages/ws_wire.hpp"
#include "supervisors/probe.hpp"
#include "supervisors/supervisor_log.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <unordered_set>

namespace arbor {

namespace {

using ttl_atom = caf::atom_constant<caf::atom("ttl")>;

class distributor : public probed<caf::event_based_actor> {
public:
  distributor(caf::actor_config& cfg, distributor_config conf, session_channel_ptr chan)
    : probed<caf::event_based_actor>(cfg), cfg_(std::move(conf)),
      chan_(chan ? std::move(chan) : std::make_shared<session_channel>(cfg_)) {}

  caf::behavior make_behavior() override {
    chan_->set_owner(caf::actor_cast<caf::actor>(this));
    set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
    set_exit_handler([this](caf::exit_msg& msg) { on_exit_request(std::move(msg.reason)); });
    arm_ttl(cfg_.ttl.count() > 0);
    return {
        [this](detail::chunk_atom, int64_t pid, std::string& bytes) { on_chunk(pid, bytes); },
        [this](status_atom, kernel_status& st) { on_kernel_up(st); },
        [this](subscribe_atom, const subscribe_request& req) -> caf::result<subscription> {
          return on_subscribe(req, nullptr);
        },
        [this](subscribe_atom, const subscribe_request& req,
               output_sink_ptr& sink) -> caf::result<subscription, session_channel_ptr> {
          auto sub = on_subscribe(req, std::move(sink));
          if (!sub)
            return std::move(sub.error());
          return {std::move(*sub), chan_};
        },
        [this](unsubscribe_atom) -> ok_atom {
          detach(caf::actor_cast<caf::actor>(current_sender()), {});
          return ok_atom::value;
        },
        [this](ack_atom, uint64_t seq) { chan_->ack(sender_addr(), seq); },
        [this](input_atom a, std::string& line) -> caf::result<ok_atom> {
          auto r = chan_->input(line);
          if (!r.direct)
            return to_kernel(caf::make_message(a, std::move(line)));
          return answer(std::move(r.err));
        },
        [this](interrupt_atom a) -> caf::result<ok_atom> {
          auto r = chan_->interrupt();
          if (!r.direct)
            return to_kernel(caf::make_message(a));
          return answer(std::move(r.err));
        },
        [this](info_atom) {
          return caf::make_message(kernel_, static_cast<uint32_t>(chan_->subscriber_count()));
        },
        [this](export_atom) { return chan_->replay(); },
        [this](tick_atom) { on_tick(); },
        [this](pong_atom) { chan_->pong(sender_addr()); },
        [this](file_changed_atom a, const file_event& ev) { broadcast(caf::make_message(a, ev)); },
        [this](ttl_atom, uint64_t generation) { on_ttl(generation); },
        [this](stall_atom) { on_stall_check(); },
    };
  }

  void on_exit() override {
    chan_->close(); // forgets the subscribers' sinks (they point at connections)
    kernel_handle_ = nullptr;
    watched_.clear();
  }

private:
  caf::actor_addr sender_addr() {
    return current_sender() ? current_sender()->address() : caf::actor_addr{};
  }

  static caf::result<ok_atom> answer(caf::error err) {
    if (err)
      return err;
    return ok_atom::value;
  }

  // -- output ------------------------------------------------------------------

  /// Output sent as messages (a kernel host without the channel, or a test):
  /// each chunk is credited once the clients keep up.
  void on_chunk(int64_t pid, const std::string& bytes) {
    bool go_on = chan_->publish(pid, bytes);
    if (go_on && kernel_handle_ && pid == kernel_.pid)
      send(kernel_handle_, detail::credit_atom::value);
  }

  /// A client that held the whole session's output back for `stall_timeout`
  /// without acknowledging a line is dropped, so the others go on.
  void on_stall_check() {
    for (auto& who : chan_->stalled())
      detach(who, "slow_consumer");
    chan_->recheck();
  }

  // -- subscribers ---------------------------------------------------------------

  caf::expected<subscription> on_subscribe(const subscribe_request& req, output_sink_ptr sink) {
    auto who = caf::actor_cast<caf::actor>(current_sender());
    if (!who)
      return make_error(errc::invalid_spec, "subscribe needs a sender");
    auto last = chan_->subscribe(who, std::move(sink), req.since);
    if (!last)
      return std::move(last.error());
    if (watched_.insert(who.address()).second)
      monitor(who);
    ++ttl_generation_; // any pending TTL timer is now stale
    return subscription{*last, kernel_};
  }

  void detach(const caf::actor& who, const std::string& reason) {
    if (!who || !chan_->unsubscribe(who.address()))
      return;
    if (watched_.erase(who.address()) > 0)
      demonitor(who);
    if (!reason.empty())
      send(who, dropped_atom::value, reason);
    if (chan_->subscriber_count() == 0)
      arm_ttl(true);
  }

  void broadcast(const caf::message& msg) {
    for (auto& who : chan_->subscribers())
      send(who, msg);
  }

  // -- heartbeat -------------------------------------------------------------------

  void on_tick() {
    auto due = chan_->tick(cfg_.max_missed_pongs);
    for (auto& who : due.ping)
      send(who, ping_atom::value);
    for (auto& [who, why] : due.drop)
      detach(who, why);
  }

  // -- kernel ------------------------------------------------------------------------

  void on_kernel_up(kernel_status st) {
    kernel_handle_ = caf::actor_cast<caf::actor>(current_sender());
    if (kernel_handle_)
      monitor(kernel_handle_);
    st.restarts = kernel_starts_++;
    st.reason = kernel_.reason;
    kernel_ = st;
    if (kernel_handle_ && !chan_->has_kernel(st.pid)) // a host that sends its output as messages
      chan_->kernel_started(kernel_link{st.pid, nullptr, [host = kernel_handle_](size_t n) {
                                          for (; n > 0; --n)
                                            caf::anon_send(host, detail::credit_atom::value);
                                        }});
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
      chan_->kernel_stopped(kernel_.pid);
      // A kernel stopped by its supervisor (session closing) is not coming back.
      bool stopped = msg.reason == caf::exit_reason::user_shutdown;
      kernel_ = kernel_status{stopped ? "stopped" : "restarting", 0, kernel_.restarts,
                              describe(msg.reason)};
      broadcast(caf::make_message(status_atom::value, kernel_));
      return;
    }
    if (watched_.erase(msg.source) == 0 || !chan_->unsubscribe(msg.source))
      return;
    if (chan_->subscriber_count() == 0)
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
    if (generation != ttl_generation_ || chan_->subscriber_count() > 0)
      return; // a client attached since: this timer is stale
    log_expiry();
    close_session("ttl_expired", caf::exit_reason::normal);
  }

  /// The session's own end reads `shutdown` in `session_closed`; this line says why.
  void log_expiry() {
    if (cfg_.log_path.empty())
      return;
    log_event ev{"session_expired", spdlog::level::info, cfg_.log_path, cfg_.session_id};
    ev.reason = "ttl_expired";
    ev.duration_ms = cfg_.ttl.count();
    log_supervisor_event(ev);
  }

  void on_exit_request(caf::error reason) {
    auto why = describe(reason); // before the move below
    close_session(why, std::move(reason));
  }

  /// Buffered output first (the channel flushes it to every client), then `closing`.
  void close_session(const std::string& why, caf::error reason) {
    for (auto& who : chan_->close()) {
      send(who, closing_atom::value, why);
      demonitor(who);
    }
    watched_.clear();
    quit(std::move(reason));
  }

  distributor_config cfg_;
  session_channel_ptr chan_;
  std::unordered_set<caf::actor_addr> watched_; ///< subscribers monitored
  caf::actor kernel_handle_;
  kernel_status kernel_{"starting", 0, 0, {}};
  uint32_t kernel_starts_ = 0;
  uint64_t ttl_generation_ = 0;
};

} // namespace

caf::actor spawn_distributor(caf::actor_system& sys, distributor_config cfg,
                             session_channel_ptr chan) {
  return sys.spawn<distributor>(std::move(cfg), std::move(chan));
}

} // namespace arbor
