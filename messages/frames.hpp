// WebSocket frames of the arbord client contract (ARCHITECTURE.md §5), as typed
// structs with JSON codecs. Client frames are untrusted: parsing never throws and
// every failure is `errc::bad_json` with a message a client can show.
#pragma once

#include <caf/expected.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace arbor {

// -- client → server ----------------------------------------------------------

/// One line for the kernel's stdin.
struct input_frame {
  std::string data;
};
/// SIGINT to the kernel's process group.
struct interrupt_frame {};
/// Liveness probe; the server answers with a `pong_frame`.
struct ping_frame {};

using client_frame = std::variant<input_frame, interrupt_frame, ping_frame>;

caf::expected<client_frame> parse_client_frame(std::string_view text);
std::string to_json_text(const client_frame& x);

// -- server → client ----------------------------------------------------------

/// One kernel stdout line; `seq` strictly increasing per session.
struct output_frame {
  uint64_t seq = 0;
  std::string data;
  bool split = false; ///< true when an over-long line was cut at this frame's end
};
/// Session / kernel state change ("running", "restarting", "closed", ...).
struct status_frame {
  std::string state;
  uint32_t restarts = 0;
};
/// The watched file changed.
struct file_changed_frame {
  std::string path;
};
/// The replay buffer could not cover `since`: lines [from, to] are lost to this client.
struct gap_frame {
  uint64_t from = 0;
  uint64_t to = 0;
};
/// A request failed; the connection stays usable.
struct error_frame {
  std::string code;
  std::string message;
};
/// The session is closing; a WebSocket close follows.
struct closing_frame {
  std::string reason;
};
/// Answer to `ping_frame`.
struct pong_frame {};

using server_frame = std::variant<output_frame, status_frame, file_changed_frame, gap_frame,
                                  error_frame, closing_frame, pong_frame>;

std::string to_json_text(const server_frame& x);
caf::expected<server_frame> parse_server_frame(std::string_view text);

/// The `"type"` string of a frame.
const char* type_name(const client_frame& x) noexcept;
const char* type_name(const server_frame& x) noexcept;

} // namespace arbor
