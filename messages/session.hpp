// Messages of the session runtime (actors/): kernel output, subscriptions,
// status changes, file events and the session manager's records. Plain structs
// with `inspect`, registered in `add_message_types`, so they can cross nodes.
//
//   kernel (I/O thread) ──chunk──▶ distributor ──output_batch──▶ subscribers
//   subscriber ──subscribe/ack/input/interrupt──▶ distributor ──▶ kernel
//   session manager ──session_event──▶ event bus ──▶ its subscribers
#pragma once
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace arbor {

namespace ws {
struct wire_cache;
} // namespace ws

using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsub")>;
using ack_atom = caf::atom_constant<caf::atom("ack")>;
using input_atom = caf::atom_constant<caf::atom("input")>;
using interrupt_atom = caf::atom_constant<caf::atom("interrupt")>;
using output_atom = caf::atom_constant<caf::atom("output")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using gap_atom = caf::atom_constant<caf::atom("gap")>;
using dropped_atom = caf::atom_constant<caf::atom("dropped")>;
using closing_atom = caf::atom_constant<caf::atom("closing")>;
using file_changed_atom = caf::atom_constant<caf::atom("filechg")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using info_atom = caf::atom_constant<caf::atom("info")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using export_atom = caf::atom_constant<caf::atom("export")>;

/// One line of kernel stdout. `seq` is strictly increasing per session.
struct output_line {
  uint64_t seq = 0;
  std::string data;
  bool split = false; ///< an over-long line was cut at the end of this part
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_line& x) {
  return f(caf::meta::type_name("arbor.output_line"), x.seq, x.data, x.split);
}

/// distributor → subscriber `(output_atom, output_batch)`: the lines of one read,
/// in order. One message is shared by every subscriber (never copied per client).
/// The subscriber answers `(ack_atom, last seq)` to the distributor once handled.
struct output_batch {
  std::vector<output_line> lines;
  /// The lines as WebSocket frames, encoded once by the first local subscriber
  /// that needs them (ws::encoded_frames); not serialized, null after a hop.
  std::shared_ptr<ws::wire_cache> wire;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_batch& x) {
  return f(caf::meta::type_name("arbor.output_batch"), x.lines);
}

/// distributor → subscriber `(gap_atom, gap_notice)`: lines [from, to] left the
/// replay buffer before this subscriber asked for them.
struct gap_notice {
  uint64_t from = 0;
  uint64_t to = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gap_notice& x) {
  return f(caf::meta::type_name("arbor.gap_notice"), x.from, x.to);
}

/// distributor → subscribers `(status_atom, kernel_status)` whenever the kernel
/// starts, exits or is restarted; also the reply to `info_atom` parts.
struct kernel_status {
  std::string state; ///< "running", "restarting", "exited"
  int64_t pid = 0;   ///< 0 while no kernel runs
  uint32_t restarts = 0;
  std::string reason; ///< why the last kernel exited ("" when none did)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kernel_status& x) {
  return f(caf::meta::type_name("arbor.kernel_status"), x.state, x.pid, x.restarts, x.reason);
}

/// watcher → owner `(file_changed_atom, file_event)`, debounced.
struct file_event {
  std::string path;
  std::string kind; ///< "changed", "deleted", "recreated"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_event& x) {
  return f(caf::meta::type_name("arbor.file_event"), x.path, x.kind);
}

/// subscriber → distributor `(subscribe_atom, subscribe_request)` → `subscription`.
struct subscribe_request {
  int64_t since = -1; ///< last seq the client saw; -1 = replay what is buffered
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscribe_request& x) {
  return f(caf::meta::type_name("arbor.subscribe_request"), x.since);
}

/// Reply to a subscribe: where the live stream continues and the kernel's state.
struct subscription {
  uint64_t last_seq = 0; ///< last seq sent to the subscriber (replayed or live)
  kernel_status kernel;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription& x) {
  return f(caf::meta::type_name("arbor.subscription"), x.last_seq, x.kernel);
}

/// What a session looks like from outside (the session object of §5).
struct session_info {
  std::string id;
  std::string state; ///< "running", "closing"
  std::string kernel_name;
  kernel_status kernel;
  uint32_t clients = 0;
  std::string created_at; ///< ISO 8601 UTC
  std::string file;       ///< "" when not bound to a file
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_info& x) {
  return f(caf::meta::type_name("arbor.session_info"), x.id, x.state, x.kernel_name, x.kernel,
           x.clients, x.created_at, x.file);
}

/// client → session manager `(create_atom, session_request)` → `session_info`.
struct session_request {
  std::string kernel; ///< "" = the default kernel
  std::string file;   ///< "" = not bound to a file
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_request& x) {
  return f(caf::meta::type_name("arbor.session_request"), x.kernel, x.file);
}

/// session manager → event bus → subscribers `(publish_atom, session_event)`.
struct session_event {
  std::string kind; ///< "session_created", "session_closed"
  std::string id;
  std::string reason; ///< why it closed ("" for created)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_event& x) {
  return f(caf::meta::type_name("arbor.session_event"), x.kind, x.id, x.reason);
}

} // namespace arbor
