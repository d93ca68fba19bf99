// The listening socket and the connection registry (see listener.hpp).
#include "actors/http/listener.hpp"

#include "actors/http/api.hpp"
#include "actors/http/client_actor.hpp"
#include "actors/http/connection.hpp"
#include "messages/errc.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <caf/send.hpp>

namespace arbor::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

caf::expected<std::shared_ptr<listener>> listener::bind(std::shared_ptr<server_state> state) {
  // With port 0, a listener bound again (the http child restarted) takes the
  // port the first one got: clients keep the address arbord printed.
  uint16_t port = state->cfg.port != 0 ? state->cfg.port : state->port.load();
  auto where = state->cfg.host + ":" + std::to_string(port);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(state->cfg.host, ec);
  if (ec)
    return make_error(errc::bad_config, "listen address " + state->cfg.host + ": " + ec.message());
  auto result = std::make_shared<listener>(state);
  auto& acc = result->acceptor_;
  tcp::endpoint endpoint{address, port};
  acc.open(endpoint.protocol(), ec);
  if (!ec)
    acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acc.bind(endpoint, ec);
  if (!ec)
    acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(errc::start_failed, "cannot listen on " + where + ": " + ec.message());
  state->port.store(acc.local_endpoint().port(), std::memory_order_release);
  return result;
}

listener::listener(std::shared_ptr<server_state> state)
  : state_(std::move(state)), acceptor_(state_->net->context()),
    drain_timer_(state_->net->context()) {}

void listener::start(caf::actor owner) {
  owner_ = std::move(owner);
  accept();
}

void listener::accept() {
  acceptor_.async_accept(
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (self->stopped_)
          return;
        if (!ec)
          self->on_accept(std::move(socket));
        // Errors such as EMFILE: keep accepting (the next attempt may succeed).
        self->accept();
      });
}

void listener::on_accept(tcp::socket socket) {
  if (open_.size() >= state_->cfg.max_connections)
    return refuse(std::move(socket));
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto conn = std::make_shared<connection>(std::move(socket), state_, this);
  open_.emplace(conn.get(), conn);
  // The owner spawns the connection's actor: spawning here would pin CAF's
  // logger to this thread, which outlives the actor system.
  caf::anon_send(owner_, accept_atom::value, std::move(conn));
}

void listener::refuse(tcp::socket socket) {
  state_->counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
  static const std::string body =
      error_body("limit_reached", "too many connections (max_connections)");
  static const std::string text = "HTTP/1.1 503 Service Unavailable\r\n"
                                  "Content-Type: application/json\r\nConnection: close\r\n"
                                  "Content-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body;
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*sock, asio::buffer(text), [sock](boost::system::error_code, size_t) {
    boost::system::error_code ignored;
    sock->shutdown(tcp::socket::shutdown_both, ignored);
  });
}

void listener::stop() {
  stopped_ = true;
  owner_ = nullptr;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  auto open = open_; // connections may forget themselves while told
  for (auto& [ptr, weak] : open)
    if (auto conn = weak.lock())
      conn->server_stopping();
}

void listener::close_all(std::chrono::steady_clock::time_point deadline,
                         std::function<void()> done) {
  stop();
  if (open_.empty() || std::chrono::steady_clock::now() >= deadline) {
    auto open = open_;
    for (auto& [ptr, weak] : open)
      if (auto conn = weak.lock())
        conn->abort();
    return done();
  }
  // Connections still finishing their close handshake (or whose actor has yet
  // to write the session's `closing`) get until the deadline.
  drain_timer_.expires_after(std::chrono::milliseconds(10));
  drain_timer_.async_wait([self = shared_from_this(), deadline, done = std::move(done)](
                              boost::system::error_code) { self->close_all(deadline, done); });
}

void listener::forget(connection* c) {
  open_.erase(c);
}

} // namespace arbor::http
