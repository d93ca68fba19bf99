// The listening socket and the registry of open connections, on the network
// thread (see server.hpp). Each accepted socket becomes a `connection` with
// its own actor; over `max_connections` a socket gets 503 and is closed.
#pragma once

#include "actors/http/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>

namespace arbor::http {

class connection;

class listener : public std::enable_shared_from_this<listener> {
public:
  /// Binds and listens (any thread; nothing runs until `start`). With port 0
  /// the first bind takes any free port and records it in `state->port`; a
  /// later bind (the http child restarted) takes that same port again.
  static caf::expected<std::shared_ptr<listener>> bind(std::shared_ptr<server_state> state);

  explicit listener(std::shared_ptr<server_state> state);

  /// Accepts connections (network thread); each goes to `owner` as
  /// `(accept_atom, shared_ptr<connection>)`, which spawns its actor and starts it.
  void start(caf::actor owner);

  /// Stops accepting and tells every connection the server stops (network thread).
  void stop();

  /// Stops, lets connections end by themselves until `deadline`, then ends the
  /// rest; calls `done` after that (network thread).
  void close_all(std::chrono::steady_clock::time_point deadline, std::function<void()> done);

  /// A connection ended (network thread).
  void forget(connection* c);

private:
  void accept();
  void on_accept(boost::asio::ip::tcp::socket socket);
  void refuse(boost::asio::ip::tcp::socket socket);

  std::shared_ptr<server_state> state_;
  caf::actor owner_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer drain_timer_;
  std::unordered_map<connection*, std::weak_ptr<connection>> open_;
  bool stopped_ = false;
};

} // namespace arbor::http
