// Test helpers that talk to a running arbord as a client would: HTTP requests
// and a WebSocket client (Boost.Beast), every wait bounded.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace arbor::test {

struct http_reply {
  unsigned status = 0; ///< 0 = no answer (connection failed or timed out)
  std::string body;
  boost::json::value json; ///< null unless the body is JSON
};

using headers = std::vector<std::pair<std::string, std::string>>;

/// One HTTP/1.1 request to 127.0.0.1:port (10 s bound).
http_reply http_call(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body = {}, const headers& extra = {});

/// A bearer-token header.
headers bearer(const std::string& token);

/// A WebSocket client. Construction connects and does the handshake;
/// `status()` is 101 on success, else the HTTP status of the refusal.
class ws_client {
public:
  ws_client(uint16_t port, const std::string& target, const headers& extra = {});
  ~ws_client();

  unsigned status() const noexcept { return status_; }
  bool open() const noexcept { return status_ == 101 && !closed_; }

  /// Sends one text message (false when the connection is gone).
  bool send(const std::string& text);

  /// Sends several text messages in one TCP write (masked frames built here),
  /// so that the server reads them all at once.
  bool send_burst(const std::vector<std::string>& texts);

  /// The next text message as JSON, or nullopt on timeout / close.
  std::optional<boost::json::object> next(std::chrono::milliseconds timeout);

  /// Skips messages until one of `type` arrives (each skipped one is kept in `skipped`).
  std::optional<boost::json::object> next_of(const std::string& type,
                                             std::chrono::milliseconds timeout);

  /// Waits for the server's close; its code (0 on timeout).
  uint16_t wait_close(std::chrono::milliseconds timeout);

  /// The close code once closed by the server (0 before).
  uint16_t close_code() const noexcept { return close_code_; }

  std::vector<boost::json::object> skipped;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  unsigned status_ = 0;
  bool closed_ = false;
  uint16_t close_code_ = 0;
};

/// The port in arbord's "listening on http://host:PORT/" line (0 if none).
uint16_t port_of(const std::string& line);

} // namespace arbor::test
