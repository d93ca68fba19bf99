// WebSocket wire format (RFC 6455) for arbord's server side, after the HTTP
// upgrade: frames the server writes and a bounded reader for the frames a
// client sends.
//
// Why not Beast's websocket::stream for the data phase: it writes one TCP send
// per message. A session fanning out to many clients needs what is queued per
// client batched into one write, and one session's output encoded once for all
// of its clients (`encoded_frames`). Beast still does the HTTP parsing and the
// upgrade handshake; this file is only framing.
//
// Server frames are unmasked, unfragmented text/control frames. Client frames
// must be masked; fragmented messages are reassembled up to `max_message`
// bytes. Reader errors carry the close code to send (1002 protocol error,
// 1003 binary data, 1007 invalid UTF-8, 1009 too big).
#pragma once

#include "messages/session.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace arbor::ws {

/// Close codes used by arbord (RFC 6455 §7.4 plus the 4404 application code).
enum close_code : uint16_t {
  normal = 1000,
  going_away = 1001,
  protocol_error = 1002,
  unsupported_data = 1003,
  invalid_payload = 1007,
  policy_violation = 1008,
  message_too_big = 1009,
  internal_error = 1011,
  unknown_session = 4404,
};

enum class opcode : uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

/// Appends one unmasked, final frame.
void append_frame(std::string& out, opcode op, std::string_view payload);

/// Appends a close frame with `code` and a reason (cut to 123 bytes).
void append_close(std::string& out, uint16_t code, std::string_view reason);

/// Appends `text` as a JSON string literal: quotes, escapes, and every invalid
/// UTF-8 sequence replaced by U+FFFD (WebSocket text must be valid UTF-8).
void append_json_string(std::string& out, std::string_view text);

/// Appends the text frame `{"type":"output","seq":N,"data":"…"}` of one line
/// (plus `"split":true` for the cut part of an over-long line).
void append_output_frame(std::string& out, const output_line& line);

/// Encoded frames of a batch, shared by every local subscriber of it.
struct wire_cache {
  std::once_flag once;
  std::string bytes;
};

/// A fresh cache for a batch about to be sent (the distributor attaches one).
std::shared_ptr<wire_cache> make_wire_cache();

/// The frames of every line of `batch`, encoded once per batch when it carries
/// a cache (thread-safe), else into `scratch`.
const std::string& encoded_frames(const output_batch& batch, std::string& scratch);

/// The same with the cache given apart from the batch (null: into `scratch`).
const std::string& encoded_frames(const output_batch& batch, wire_cache* cache,
                                  std::string& scratch);

/// True when `text` is valid UTF-8.
bool valid_utf8(std::string_view text) noexcept;

/// Incremental reader of client frames. Feed it what the socket gave; it calls
/// the handler for each complete message or control frame.
class reader {
public:
  struct handler {
    virtual ~handler() = default;
    virtual void on_text(std::string_view message) = 0;
    virtual void on_ping(std::string_view payload) = 0;
    virtual void on_pong() = 0;
    virtual void on_close(uint16_t code) = 0;
    /// The stream is unusable; send a close with `code` and stop reading.
    virtual void on_error(uint16_t code, std::string_view why) = 0;
  };

  explicit reader(size_t max_message) : max_message_(max_message) {}

  /// Consumes `data`. Returns false once an error or a close was reported.
  bool feed(const char* data, size_t size, handler& h);

private:
  bool parse_one(handler& h);
  bool deliver(uint8_t op, bool fin, std::string_view payload, handler& h);

  size_t max_message_;
  std::string in_;      // bytes not yet parsed
  std::string message_; // fragments of a message in progress
  bool fragmented_ = false;
  bool done_ = false;
};

} // namespace arbor::ws
