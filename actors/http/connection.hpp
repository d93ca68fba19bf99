// One TCP connection on the network thread: HTTP/1.1 requests (Beast), the
// WebSocket upgrade (Beast) and then WebSocket frames (ws_wire).
//
// It does I/O. Every request goes to the connection's actor
// (client_actor.hpp), which decides; the actor calls back by posting to the
// network loop. So this object is created, used and destroyed on the network
// thread only. Once the actor attached the WebSocket client to a session
// (`attach`), the client's frames are handled here, on the network thread:
// input and interrupts go through the session's channel straight to the
// kernel, pings are answered, acknowledgements and pongs reach the channel —
// no actor on the way. Frames that arrive before that wait (at most 64).
//
//   http ──request──▶ actor ──respond()──▶ http (next request) ...
//                           └─upgrade()──▶ ws: frames both ways ── close ──▶ closed
//
// Writes to a WebSocket client are queued; what is queued when the socket can
// take more goes out in one gather write, and the actor hears how far the
// client has been written (`written_atom, seq`) so it can acknowledge output
// to the session (flow control reaches the kernel). A client whose queue
// exceeds `client_queue_bytes` is closed with 1008. Close: the close frame is
// written, the send side shut, and the socket closed when the client answers
// or after 2 s.
#pragma once

#include "actors/http/client_actor.hpp"
#include "actors/http/server.hpp"
#include "messages/frames.hpp"
#include "messages/ws_wire.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <caf/actor.hpp>
#include <deque>
#include <memory>
#include <optional>

namespace arbor {
class session_channel;
}

namespace arbor::http {

class listener;

/// Bytes queued for a WebSocket client; `keep` owns what `data` points into.
struct chunk {
  std::shared_ptr<const void> keep;
  const char* data = nullptr;
  size_t size = 0;
  uint64_t frames = 0;  ///< frames in these bytes (metrics)
  uint64_t ack_seq = 0; ///< the last output seq in these bytes (0 = none)
};

/// A chunk that owns its bytes.
chunk make_chunk(std::string bytes, uint64_t frames = 1, uint64_t ack_seq = 0);

class connection : public std::enable_shared_from_this<connection> {
public:
  using response = boost::beast::http::response<boost::beast::http::string_body>;

  connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<server_state> state,
             listener* owner);
  ~connection();

  /// Starts reading requests; they go to `client`.
  void start(caf::actor client);

  /// Writes `res`, then reads the next request (or closes when either side said so).
  void respond(response res);

  /// Accepts the WebSocket handshake of the last request; `wsopen` follows.
  void upgrade();

  /// Queues bytes for the WebSocket client.
  void send(chunk c);

  /// Queues a close frame; the connection ends after the close handshake
  /// (bounded). `discard`: drop what is queued but not yet being written (a
  /// client dropped for being slow or silent), end within 30 s regardless.
  void close_ws(uint16_t code, std::string reason, bool discard = false);

  /// The server stops: an HTTP connection closes after its current request; a
  /// WebSocket client not attached to a session gets `closing` and 1001, and so
  /// does one whose handshake completes afterwards.
  void server_stopping();

  /// Ends the connection at once.
  void abort();

  /// The actor attached the client to a session (which will close it):
  /// frames go through `channel` from now on (through the actor when null).
  void attach(std::shared_ptr<session_channel> channel);

private:
  class frame_handler;

  void read_request();
  void on_request(boost::beast::error_code ec);
  void reject(unsigned status, const char* code, const char* message);
  void linger();
  void discard_input();
  void read_frames();
  void resume_reading();
  void on_client_text(std::string_view text);
  void handle_frame(std::string_view text);
  void send_frame(const server_frame& frame);
  void close_unattached();
  void on_frames(boost::beast::error_code ec, size_t n);
  void write_queued();
  void on_written(boost::beast::error_code ec, size_t count);
  void after_close_written();
  void finish();

  std::shared_ptr<server_state> state_;
  listener* owner_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<http_request> last_request_; // kept for the upgrade
  caf::actor client_;
  caf::actor_addr client_addr_; // the subscriber's key in the channel
  std::shared_ptr<session_channel> channel_;
  /// Client frames before `attach`. Past this many, reading pauses until the
  /// attach (TCP holds the rest): nothing is refused, memory stays bounded.
  static constexpr size_t early_frames_max = 64;
  std::vector<std::string> early_; // client frames before `attach`
  bool ws_ = false;
  bool ws_ready_ = false; // attached (or refused): frames are handled
  bool attached_ = false;
  bool keep_alive_ = true;
  bool stopping_ = false;    // server shutdown: no next request
  bool closing_ = false;     // a close frame is queued or written
  bool read_paused_ = false; // early_ is full: no read until attach or close
  bool finished_ = false;
  bool writing_ = false;
  std::unique_ptr<ws::reader> reader_;
  std::deque<chunk> queue_;
  size_t queued_bytes_ = 0;
  size_t in_flight_ = 0; // chunks at the front of queue_ being written
  std::array<char, 16384> read_buf_{};
  boost::asio::steady_timer close_timer_;
};

} // namespace arbor::http
