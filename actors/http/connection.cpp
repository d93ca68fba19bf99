// One TCP connection on the network thread (see connection.hpp).
#include "actors/http/connection.hpp"

#include "actors/http/api.hpp"
#include "actors/http/client_actor.hpp"
#include "actors/http/listener.hpp"
#include "actors/session_channel.hpp"
#include "messages/frames.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <caf/send.hpp>

namespace arbor::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// How long a dropped client has to read up to its close frame.
constexpr std::chrono::seconds dropped_close_bound{30};

} // namespace

chunk make_chunk(std::string bytes, uint64_t frames, uint64_t ack_seq) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  return chunk{owned, owned->data(), owned->size(), frames, ack_seq};
}

// Turns reader callbacks into messages to the actor and control frames.
class connection::frame_handler final : public ws::reader::handler {
public:
  explicit frame_handler(connection& c) : c_(c) {}

  void on_text(std::string_view message) override {
    c_.state_->counters.frames_in.fetch_add(1, std::memory_order_relaxed);
    c_.on_client_text(message);
  }
  void on_ping(std::string_view payload) override {
    std::string frame;
    ws::append_frame(frame, ws::opcode::pong, payload);
    c_.send(make_chunk(std::move(frame), 0));
  }
  void on_pong() override {
    if (c_.channel_)
      c_.channel_->pong(c_.client_addr_);
    else
      caf::anon_send(c_.client_, pong_atom::value);
  }
  void on_close(uint16_t code) override {
    c_.close_ws(code == ws::going_away ? ws::going_away : ws::normal, {});
  }
  void on_error(uint16_t code, std::string_view why) override {
    c_.close_ws(code, std::string{why});
  }

private:
  connection& c_;
};

connection::connection(tcp::socket socket, std::shared_ptr<server_state> state, listener* owner)
  : state_(std::move(state)), owner_(owner), stream_(std::move(socket)),
    close_timer_(stream_.get_executor()) {
  state_->counters.connections_open.fetch_add(1, std::memory_order_relaxed);
  state_->counters.connections_total.fetch_add(1, std::memory_order_relaxed);
}

connection::~connection() {
  state_->counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void connection::start(caf::actor client) {
  client_ = std::move(client);
  client_addr_ = client_.address();
  read_request();
}

// -- HTTP ---------------------------------------------------------------------

void connection::read_request() {
  if (stopping_ || !keep_alive_)
    return finish();
  parser_.emplace();
  parser_->header_limit(16 * 1024);
  parser_->body_limit(state_->cfg.max_body_bytes);
  stream_.expires_after(state_->cfg.request_timeout);
  beast::http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
}

void connection::on_request(beast::error_code ec) {
  if (ec == beast::http::error::body_limit)
    return reject(413, "too_large", "request body exceeds max_body_bytes");
  if (ec == beast::http::error::header_limit)
    return reject(431, "too_large", "request header exceeds 16 KiB");
  if (ec == beast::http::error::end_of_stream || ec == beast::error::timeout)
    return finish();
  if (ec &&
      ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category() &&
      parser_->got_some())
    return reject(400, "bad_request", ec.message().c_str());
  if (ec)
    return finish();
  stream_.expires_never();
  state_->counters.requests_total.fetch_add(1, std::memory_order_relaxed);
  last_request_ = std::make_shared<http_request>(parser_->release());
  keep_alive_ = last_request_->keep_alive();
  caf::anon_send(client_, http_request_atom::value, last_request_);
}

void connection::reject(unsigned status, const char* code, const char* message) {
  keep_alive_ = false;
  response res{static_cast<beast::http::status>(status), 11};
  res.set(beast::http::field::content_type, "application/json");
  res.body() = error_body(code, message);
  res.prepare_payload();
  respond(std::move(res));
}

void connection::respond(response res) {
  if (finished_)
    return;
  res.keep_alive(keep_alive_ && !stopping_);
  auto msg = std::make_shared<response>(std::move(res));
  beast::http::async_write(stream_, *msg,
                           [self = shared_from_this(), msg](beast::error_code ec, size_t) {
                             if (ec)
                               return self->finish();
                             if (!self->keep_alive_ && !self->stopping_)
                               return self->linger();
                             self->read_request();
                           });
}

/// The last response is written and nothing more will be read (e.g. a 413 sent
/// while the client is still sending its body): stop sending, then discard
/// what still comes until the client closes, for at most 2 s. Closing with
/// unread input would reset the connection, and a reset can discard the
/// response before the client has read it.
void connection::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  discard_input();
}

void connection::discard_input() {
  stream_.async_read_some(asio::buffer(read_buf_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec || self->stopping_)
                              return self->finish();
                            self->discard_input();
                          });
}

// -- WebSocket ------------------------------------------------------------------

void connection::upgrade() {
  if (finished_)
    return;
  auto req = std::move(last_request_);
  auto ws = std::make_shared<beast::websocket::stream<beast::tcp_stream&>>(stream_);
  stream_.expires_after(state_->cfg.request_timeout);
  ws->async_accept(*req, [self = shared_from_this(), ws, req](beast::error_code ec) {
    if (ec)
      return self->finish();
    self->stream_.expires_never();
    self->ws_ = true;
    self->reader_ = std::make_unique<ws::reader>(self->state_->cfg.max_frame_bytes);
    self->read_frames();
    // The server began to stop while this handshake was in flight: no session
    // lookup (the sessions are closing), the shutdown's answer instead.
    if (self->stopping_)
      return self->close_unattached();
    caf::anon_send(self->client_, ws_open_atom::value);
  });
}

void connection::read_frames() {
  stream_.socket().async_read_some(
      asio::buffer(read_buf_),
      [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_frames(ec, n); });
}

void connection::on_frames(beast::error_code ec, size_t n) {
  if (ec || finished_)
    return finish();
  if (!closing_) {
    frame_handler handler{*this};
    reader_->feed(read_buf_.data(), n, handler);
  }
  if (!ws_ready_ && !closing_ && early_.size() >= early_frames_max) {
    read_paused_ = true; // the client's next frames wait in TCP until `attach`
    return;
  }
  read_frames(); // after a close: drain until the client closes (or the timer)
}

void connection::resume_reading() {
  if (std::exchange(read_paused_, false) && !finished_)
    read_frames();
}

void connection::attach(std::shared_ptr<session_channel> channel) {
  if (finished_ || closing_)
    return;
  attached_ = true;
  ws_ready_ = true;
  channel_ = std::move(channel);
  for (auto& text : std::exchange(early_, {}))
    on_client_text(text);
  resume_reading();
}

void connection::on_client_text(std::string_view text) {
  if (!ws_ready_) {
    early_.emplace_back(text); // sent right after the handshake: handled once attached
    return;
  }
  if (!channel_) {
    caf::anon_send(client_, ws_text_atom::value, std::string{text});
    return;
  }
  handle_frame(text);
}

/// A client frame of an attached client: input and interrupts go to the
/// kernel through the session's channel, on this thread.
void connection::handle_frame(std::string_view text) {
  auto parsed = parse_client_frame(text);
  if (!parsed)
    return send_frame(error_frame{"bad_json", context_of(parsed.error())});
  if (std::holds_alternative<ping_frame>(*parsed))
    return send_frame(pong_frame{});
  auto* in = std::get_if<input_frame>(&*parsed);
  auto r = in ? channel_->input(in->data) : channel_->interrupt();
  if (!r.direct) // a kernel reached by messages only: the actor sends it
    caf::anon_send(client_, ws_text_atom::value, std::string{text});
  else if (r.err)
    send_frame(input_error_frame(r.err));
}

void connection::send_frame(const server_frame& frame) {
  std::string bytes;
  ws::append_frame(bytes, ws::opcode::text, to_json_text(frame));
  send(make_chunk(std::move(bytes)));
}

void connection::send(chunk c) {
  if (finished_ || closing_ || !ws_)
    return;
  if (queued_bytes_ + c.size > state_->cfg.client_queue_bytes) {
    state_->counters.dropped_clients.fetch_add(1, std::memory_order_relaxed);
    return close_ws(ws::policy_violation, "slow_consumer", true);
  }
  queued_bytes_ += c.size;
  queue_.push_back(std::move(c));
  if (!writing_)
    write_queued();
}

void connection::close_ws(uint16_t code, std::string reason, bool discard) {
  if (finished_ || closing_ || !ws_)
    return;
  if (discard) { // a dropped client: what it has not been sent is dropped with it
    queue_.resize(in_flight_);
    queued_bytes_ = 0;
    for (const auto& c : queue_)
      queued_bytes_ += c.size;
    // A client that does not read may never take the rest: bounded. A slow
    // consumer is slow by definition: it gets 30 s to read its backlog (the
    // socket buffers hold megabytes) and learn why it was dropped.
    close_timer_.expires_after(dropped_close_bound);
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->finish();
    });
  }
  std::string frame;
  ws::append_close(frame, code, reason);
  queue_.push_back(make_chunk(std::move(frame), 0));
  closing_ = true;
  if (!writing_)
    write_queued();
  resume_reading(); // drain until the client closes
}

void connection::write_queued() {
  if (queue_.empty() || finished_)
    return;
  // Batch what is queued into one write, up to 64 pieces / 256 KiB, so that a
  // client's acknowledgements (and its pings) keep flowing while it lags.
  std::vector<asio::const_buffer> buffers;
  size_t count = 0;
  size_t bytes = 0;
  while (count < queue_.size() && count < 64 && (count == 0 || bytes < (256u << 10))) {
    buffers.emplace_back(queue_[count].data, queue_[count].size);
    bytes += queue_[count].size;
    ++count;
  }
  writing_ = true;
  in_flight_ = count;
  asio::async_write(stream_.socket(), buffers,
                    [self = shared_from_this(), count](beast::error_code ec, size_t) {
                      if (ec)
                        return self->finish();
                      self->on_written(ec, count);
                    });
}

void connection::on_written(beast::error_code, size_t count) {
  if (finished_)
    return; // finish() dropped the queue
  writing_ = false;
  in_flight_ = 0;
  uint64_t ack = 0;
  uint64_t frames = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    ack = std::max(ack, queue_.front().ack_seq);
    frames += queue_.front().frames;
    bytes += queue_.front().size;
    queue_.pop_front();
  }
  queued_bytes_ -= std::min(queued_bytes_, bytes);
  state_->counters.frames_out.fetch_add(frames, std::memory_order_relaxed);
  state_->counters.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  if (ack > 0 && channel_)
    channel_->ack(client_addr_, ack);
  else if (ack > 0)
    caf::anon_send(client_, written_atom::value, ack);
  if (!queue_.empty())
    return write_queued();
  if (closing_)
    after_close_written();
}

void connection::after_close_written() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  close_timer_.expires_after(std::chrono::seconds(2));
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec)
      self->finish();
  });
}

// -- end ------------------------------------------------------------------------

void connection::server_stopping() {
  stopping_ = true;
  if (ws_ && !attached_) {
    close_unattached();
  } else if (!ws_ && !parser_) {
    finish();
  } else if (!ws_) {
    // Idle between requests (reading) ends now; a request being answered
    // finishes its response first (read_request sees stopping_).
    if (!parser_->is_done())
      finish();
  }
}

/// Shutdown step 3 (http-api.md) for a WebSocket not attached to a session:
/// `closing`, then 1001.
void connection::close_unattached() {
  send_frame(closing_frame{"shutdown"});
  close_ws(ws::going_away, "server shutting down");
}

void connection::abort() {
  if (ws_ && !closing_) {
    close_ws(ws::going_away, "server shutting down");
    return;
  }
  finish();
}

void connection::finish() {
  if (finished_)
    return;
  finished_ = true;
  beast::error_code ignored;
  close_timer_.cancel();
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  queue_.clear();
  early_.clear();
  channel_ = nullptr;
  if (client_)
    caf::anon_send(client_, closed_atom::value);
  client_ = nullptr;
  if (owner_)
    owner_->forget(this);
}

} // namespace arbor::http
