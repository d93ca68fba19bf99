// Test helpers that talk to a running arbord (see client.hpp).
#include "integration/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <regex>

namespace arbor::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

boost::json::value parse_or_null(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value{} : v;
}

tcp::endpoint local(uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

} // namespace

http_reply http_call(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body, const headers& extra) {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : extra)
    req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http_reply reply;
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  stream.expires_after(std::chrono::seconds(10));
  stream.async_connect(local(port), [&](beast::error_code ec) {
    if (ec)
      return;
    bhttp::async_write(stream, req, [&](beast::error_code ec, size_t) {
      if (ec)
        return;
      bhttp::async_read(stream, buf, res, [&](beast::error_code ec, size_t) {
        if (!ec)
          reply.status = res.result_int();
      });
    });
  });
  ioc.run();
  reply.body = res.body();
  reply.json = parse_or_null(reply.body);
  return reply;
}

headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

struct ws_client::impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buf;

  /// Runs the loop until the operation completes or `timeout`; on timeout the
  /// socket is closed (the test has failed anyway) and the handler drained.
  bool run(std::chrono::milliseconds timeout, const bool& done) {
    ioc.restart();
    ioc.run_for(timeout);
    if (done)
      return true;
    beast::get_lowest_layer(ws).close();
    ioc.restart();
    ioc.run();
    return false;
  }
};

ws_client::ws_client(uint16_t port, const std::string& target, const headers& extra)
  : impl_(std::make_unique<impl>()) {
  auto& ws = impl_->ws;
  beast::error_code ec;
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(ws).connect(local(port), ec);
  if (ec)
    return;
  ws.set_option(websocket::stream_base::decorator([extra](websocket::request_type& req) {
    for (const auto& [k, v] : extra)
      req.set(k, v);
  }));
  websocket::response_type res;
  bool done = false;
  ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), target,
                     [&](beast::error_code) { done = true; });
  impl_->run(std::chrono::seconds(10), done);
  status_ = res.result_int();
  beast::get_lowest_layer(ws).expires_never();
  ws.read_message_max(64u << 20);
}

ws_client::~ws_client() {
  if (open()) {
    bool done = false;
    impl_->ws.async_close(websocket::normal, [&](beast::error_code) { done = true; });
    impl_->run(std::chrono::seconds(2), done);
  }
}

bool ws_client::send(const std::string& text) {
  if (!open())
    return false;
  bool done = false;
  beast::error_code result;
  impl_->ws.async_write(asio::buffer(text), [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  return impl_->run(std::chrono::seconds(5), done) && !result;
}

namespace {

/// One masked client text frame (RFC 6455 §5.2); the mask key is fixed, as a
/// test needs no secrecy.
void append_masked_text(std::string& out, const std::string& text) {
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  out += static_cast<char>(0x81); // FIN + text
  auto n = text.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((static_cast<uint64_t>(n) >> shift) & 0xff);
  }
  out.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < n; ++i)
    out += static_cast<char>(text[i] ^ key[i % 4]);
}

} // namespace

bool ws_client::send_burst(const std::vector<std::string>& texts) {
  if (!open())
    return false;
  std::string bytes;
  for (const auto& text : texts)
    append_masked_text(bytes, text);
  bool done = false;
  beast::error_code result;
  asio::async_write(beast::get_lowest_layer(impl_->ws), asio::buffer(bytes),
                    [&](beast::error_code ec, size_t) {
                      result = ec;
                      done = true;
                    });
  return impl_->run(std::chrono::seconds(5), done) && !result;
}

std::optional<boost::json::object> ws_client::next(std::chrono::milliseconds timeout) {
  if (!open())
    return std::nullopt;
  bool done = false;
  beast::error_code result;
  impl_->buf.clear();
  impl_->ws.async_read(impl_->buf, [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  if (!impl_->run(timeout, done))
    return std::nullopt;
  if (result) {
    closed_ = true;
    close_code_ = impl_->ws.reason().code;
    return std::nullopt;
  }
  auto v = parse_or_null(beast::buffers_to_string(impl_->buf.data()));
  if (!v.is_object())
    return boost::json::object{{"type", "not_json"}};
  return v.as_object();
}

std::optional<boost::json::object> ws_client::next_of(const std::string& type,
                                                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto msg = next(left);
    if (!msg)
      return std::nullopt;
    if (msg->contains("type") && msg->at("type").is_string() && msg->at("type").as_string() == type)
      return msg;
    skipped.push_back(std::move(*msg));
  }
}

uint16_t ws_client::wait_close(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (auto msg = next(left))
      skipped.push_back(std::move(*msg));
    else if (!closed_)
      break;
  }
  return close_code_;
}

uint16_t port_of(const std::string& line) {
  static const std::regex pattern{R"(listening on http://[^:/]+:(\d+)/)"};
  std::smatch m;
  if (!std::regex_search(line, m, pattern))
    return 0;
  return static_cast<uint16_t>(std::stoi(m[1]));
}

} // namespace arbor::test
