// A session's data plane: the kernel's output on its way to the clients, and
// the clients' input on its way to the kernel.
//
// The distributor actor owns it (creates it, admits and drops clients, runs
// the heartbeat, TTL and shutdown); the hot path runs on the threads that
// already hold the bytes:
//
//   kernel stdout ─(I/O loop)─▶ publish: split, seq, replay buffer ─┬─▶ WebSocket sink ─▶ network
//   loop
//                                                                   └─▶ actor subscriber (message)
//   WebSocket input ─(network loop)─▶ input ─▶ kernel_stdin ─▶ pipe
//
// so an echo costs network loop → kernel → I/O loop → network loop, with no
// actor in between. Every method is thread-safe (one lock; the hot paths hold
// it for the length of a fan-out). Sinks and resume callbacks run under the
// lock and must not call back into the channel.
//
// Flow control is the distributor's as before: a subscriber acknowledges what
// it handled; while one is more than half `subscriber_queue_lines` behind,
// `publish` answers false (the kernel's reads pause) and the chunk is
// withheld; when the laggard catches up or leaves, `resume(n)` gives the
// kernel its n chunks back. A pause arms a `stall_atom` to the owner after
// `stall_timeout`; `stalled()` then names the clients that acknowledged
// nothing meanwhile.
#pragma once
#include "actors/detail/kernel_stdin.hpp"
#include "actors/detail/line_splitter.hpp"
#include "actors/detail/replay_buffer.hpp"
#include "actors/distributor.hpp"
#include "messages/session.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace arbor {

using stall_atom = caf::atom_constant<caf::atom("stall")>;

namespace ws {
struct wire_cache;
}

/// A subscriber reached without a message (a WebSocket client on the network
/// loop). Called under the channel's lock from any thread: must not block.
class output_sink {
public:
  virtual ~output_sink() = default;
  /// `wire`: where the batch's frames are encoded once for every sink (null
  /// for a replay, which is this sink's alone).
  virtual void output(const output_batch& batch, const std::shared_ptr<ws::wire_cache>& wire) = 0;
  virtual void gap(const gap_notice& gap) = 0;
};

using output_sink_ptr = std::shared_ptr<output_sink>;

/// The running kernel as the channel sees it.
struct kernel_link {
  int64_t pid = 0;
  /// Its stdin; null for a kernel reached by messages only (input then goes
  /// through the distributor to the kernel host).
  std::shared_ptr<detail::kernel_stdin> in;
  /// Gives the kernel back `n` withheld chunks (reading resumes).
  std::function<void(size_t n)> resume;
};

class session_channel {
public:
  explicit session_channel(const distributor_config& cfg);

  /// The distributor: told when a pause needs a stall check (weak).
  void set_owner(const caf::actor& owner);

  // -- the kernel ----------------------------------------------------------------

  void kernel_started(kernel_link link);
  /// Forgets the kernel `pid` (no-op when another one runs by now).
  void kernel_stopped(int64_t pid);
  bool has_kernel(int64_t pid) const;

  /// Output of kernel `pid`: lines numbered, kept for replay, fanned out.
  /// False: a client lags; the kernel must stop reading until `resume`.
  bool publish(int64_t pid, std::string_view bytes);

  // -- input -----------------------------------------------------------------------

  struct input_result {
    bool direct = false; ///< false: no stdin here, send the line through the distributor
    caf::error err;      ///< when direct: none, not_found, queue_full or io_error
  };

  /// Writes `line` to the running kernel's stdin (never blocks).
  input_result input(std::string_view line);
  /// SIGINT to the running kernel's process group.
  input_result interrupt();

  // -- subscribers -------------------------------------------------------------------

  /// Attaches `who` (output by message, or through `sink` when given) and
  /// replays what it missed since `since`. Returns the last seq.
  caf::expected<uint64_t> subscribe(const caf::actor& who, output_sink_ptr sink, int64_t since);
  /// Whether `who` was attached.
  bool unsubscribe(const caf::actor_addr& who);
  /// `who` handled every line up to `seq` (it is alive, too).
  void ack(const caf::actor_addr& who, uint64_t seq);
  void pong(const caf::actor_addr& who);

  std::vector<caf::actor> subscribers() const;
  size_t subscriber_count() const;

  /// A heartbeat tick: every client is due a ping (returned in `ping`); those
  /// that missed `max_missed` pongs or stayed over their queue that many ticks
  /// are returned with the reason to drop them.
  struct tick_result {
    std::vector<caf::actor> ping;
    std::vector<std::pair<caf::actor, const char*>> drop;
  };
  tick_result tick(uint32_t max_missed);

  /// The armed stall check is due: the clients that hold the output back and
  /// acknowledged nothing since it was armed.
  std::vector<caf::actor> stalled();
  /// After the stalled clients left: resume the kernel, or arm the next check.
  void recheck();

  std::vector<output_line> replay() const;
  uint64_t last_seq() const;

  /// The session ends: an unterminated last line is published, then every
  /// subscriber is forgotten (returned, for their `closing`) and later output
  /// goes nowhere.
  std::vector<caf::actor> close();

private:
  struct client {
    caf::actor handle;
    output_sink_ptr sink;
    uint64_t sent = 0;
    uint64_t acked = 0;
    uint64_t acked_at_tick = 0;
    uint64_t acked_at_stall = 0;
    uint32_t stalled_ticks = 0;
    uint32_t missed_pongs = 0;
  };

  void fan_out(output_batch batch);
  void replay_to(client& c, int64_t since);
  bool lagging(const client& c) const;
  bool any_lagging() const;
  void release_credit();
  void arm_stall_check();

  mutable std::mutex mtx_;
  distributor_config cfg_;
  detail::line_splitter lines_;
  uint64_t last_seq_ = 0;
  detail::replay_buffer replay_;
  std::unordered_map<caf::actor_addr, client> clients_;
  kernel_link kernel_;
  size_t withheld_ = 0;
  bool stall_armed_ = false;
  bool closed_ = false;
  caf::weak_actor_ptr owner_;
};

using session_channel_ptr = std::shared_ptr<session_channel>;

} // namespace arbor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(arbor::output_sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(arbor::session_channel_ptr)
