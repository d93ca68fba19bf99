// Distributor: the session's output side and its front door for clients.
//
// Parent: the session supervisor (rest_for_one; first child, significant,
// transient), shutdown deadline 2 s. It outlives kernel restarts, so attached
// clients, the replay buffer and `seq` survive a kernel crash.
//
// The data itself does not pass through this actor: it lives in the session's
// channel (session_channel.hpp), which the distributor creates (or is given)
// and owns. The kernel's I/O loop publishes into the channel and WebSocket
// connections write their input through it; the distributor admits and drops
// clients, runs the heartbeat, stall checks, TTL and the closing flush, and
// serves subscribers that talk by messages.
//
// Takes:
//   chunk (kernel output as a message)    split into lines (at most `max_line_bytes`;
//                                         a longer line is cut and the part flagged
//                                         `split`, never lost), numbered with `seq`,
//                                         kept in the replay buffer, fanned out
//   status_atom, kernel_status (kernel)   a kernel started: remember it, tell clients
//   subscribe_atom, subscribe_request     → subscription; the sender is attached,
//                                         missed lines replayed (or a gap reported)
//   subscribe_atom, subscribe_request, output_sink_ptr
//                                         → subscription, session_channel_ptr: the
//                                         same, output and gaps go to the sink
//                                         (same process only)
//   unsubscribe_atom                      → ok_atom; the sender is detached
//   ack_atom, uint64_t seq                the sender handled every line up to seq
//   input_atom, string / interrupt_atom   → written / signalled through the channel
//                                         (ok_atom or the error); forwarded to a
//                                         kernel host that has no channel
//   info_atom                             → kernel_status, uint32_t clients
//   export_atom                           → std::vector<output_line> (the replay buffer)
//   tick_atom (heartbeat)                 ping clients; drop those that missed too many
//   pong_atom (client)                    the client is alive
//   file_changed_atom, file_event         → every client
//   exit_msg                              flush, `closing` to every client, quit
// Sends to subscribers: (output_atom, output_batch) shared by all of them and
// (gap_atom, gap_notice), both from the channel (anonymous) unless the
// subscriber has a sink; (status_atom, kernel_status), (ping_atom),
// (file_changed_atom, file_event), (dropped_atom, string reason),
// (closing_atom, string reason).
//
// Flow control: a subscriber acknowledges what it handled. While any subscriber
// is more than half its queue behind, the kernel's reads pause (credits are held
// back), so a lagging client slows the kernel instead of costing the client; a
// client that holds the output back for `stall_timeout` without acknowledging
// anything is dropped ("slow_consumer") and the others go on.
// A subscriber more than `subscriber_queue_lines` behind that acknowledged
// nothing for `max_missed_pongs` heartbeat ticks in a row is dropped with
// reason "slow_consumer"; one that stops answering pings (and acknowledging)
// is dropped with "heartbeat_timeout". The others are unaffected either way (the kernel
// resumes once the laggard is gone).
//
// TTL (one timer per session, here): when the last client detaches, a
// `ttl` message with the current generation is scheduled; an attach bumps the
// generation so a stale timer does nothing. On expiry the distributor quits
// normally and, being significant, closes the session.
#pragma once
#include <atomic>
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace arbor {

struct distributor_config {
  std::string session_id;
  size_t max_line_bytes = 64u << 10;
  size_t replay_lines = 10000;
  size_t replay_bytes = 8u << 20;
  size_t subscriber_queue_lines = 10000;
  uint32_t max_clients = 0; ///< 0 = no limit
  uint32_t max_missed_pongs = 3;
  /// A client that holds the kernel's output back (more than half its queue
  /// behind) this long without acknowledging a line is dropped; 0 = never.
  std::chrono::milliseconds stall_timeout{5000};
  /// Close the session this long after the last client left; negative = never,
  /// zero = at once. Also applies to a session nobody attached to (when > 0).
  std::chrono::milliseconds ttl{-1};
  /// `supervisor` of the distributor's own supervisor-log line (`session_expired`
  /// when the TTL closes the session): the session manager sets its own path,
  /// where its `session_created`/`session_closed` lines go. Empty = no line.
  std::string log_path;
  /// The last seq handed out, kept by the session so that a restarted
  /// distributor continues the sequence (read and written by one instance at a time).
  std::shared_ptr<std::atomic<uint64_t>> last_seq;
};

class session_channel;

/// `chan`: the session's channel, shared with its kernel host; null = a new one.
caf::actor spawn_distributor(caf::actor_system& sys, distributor_config cfg,
                             std::shared_ptr<session_channel> chan = nullptr);

} // namespace arbor
