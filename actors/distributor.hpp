// Distributor: the session's output side and its front door for clients.
//
// Parent: the session supervisor (rest_for_one; first child, significant,
// transient), shutdown deadline 2 s. It outlives kernel restarts, so attached
// clients, the replay buffer and `seq` survive a kernel crash.
//
// Takes:
//   chunk (from the kernel's I/O)         split into lines (at most `max_line_bytes`;
//                                         a longer line is cut and the part flagged
//                                         `split`, never lost), numbered with `seq`,
//                                         kept in the replay buffer, fanned out
//   status_atom, kernel_status (kernel)   a kernel started: remember it, tell clients
//   subscribe_atom, subscribe_request     → subscription; the sender is attached,
//                                         missed lines replayed (or a gap reported)
//   unsubscribe_atom                      → ok_atom; the sender is detached
//   ack_atom, uint64_t seq                the sender handled every line up to seq
//   input_atom, string / interrupt_atom   → forwarded to the kernel (its reply)
//   info_atom                             → kernel_status, uint32_t clients
//   export_atom                           → std::vector<output_line> (the replay buffer)
//   tick_atom (heartbeat)                 ping clients; drop those that missed too many
//   pong_atom (client)                    the client is alive
//   file_changed_atom, file_event         → every client
//   exit_msg                              flush, `closing` to every client, quit
// Sends to subscribers: (output_atom, output_batch) shared by all of them,
// (status_atom, kernel_status), (gap_atom, gap_notice), (ping_atom),
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
  /// The last seq handed out, kept by the session so that a restarted
  /// distributor continues the sequence (read and written by one instance at a time).
  std::shared_ptr<std::atomic<uint64_t>> last_seq;
};

caf::actor spawn_distributor(caf::actor_system& sys, distributor_config cfg);

} // namespace arbor
