// arborctl's HTTP client (see http_client.hpp): Beast's asynchronous operations on
// a private io_context run for at most the timeout, which gives a synchronous call
// with one deadline for resolving, connecting, writing and reading.
#include "apps/arborctl/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <optional>

namespace arbor::ctl {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

/// Replies as large as a tree of 100000 sessions must fit.
constexpr uint64_t max_body_bytes = uint64_t{1} << 30;

http::request<http::string_body> make_request(const client_config& config,
                                              const http_request& request) {
  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(config.server.base + request.target);
  req.version(11);
  req.set(http::field::host, host_header(config.server));
  req.set(http::field::user_agent, "arborctl");
  req.set(http::field::accept, "application/json");
  if (!config.token.empty())
    req.set(http::field::authorization, "Bearer " + config.token);
  if (!request.body.empty())
    req.set(http::field::content_type, "application/json");
  req.body() = request.body;
  req.prepare_payload();
  return req;
}

/// One request/response on a fresh connection; `run` drives it to the end or the timeout.
class exchange {
public:
  exchange(const client_config& config, const http_request& request)
    : config_(config), request_(make_request(config, request)) {
    parser_.body_limit(max_body_bytes);
  }

  http_result run() {
    resolver_.async_resolve(config_.server.host, std::to_string(config_.server.port),
                            [this](error_code ec, const tcp::resolver::results_type& results) {
                              on_resolve(ec, results);
                            });
    io_.run_for(config_.timeout);
    if (result_)
      return *result_;
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%g",
                  static_cast<double>(config_.timeout.count()) / 1000.0);
    return transport_failure{transport_failure_kind::timeout,
                             std::string{"no reply within "} + seconds + " s"};
  }

private:
  void fail(transport_failure_kind kind, const error_code& ec) {
    result_ = transport_failure{kind, ec.message()};
  }

  void on_resolve(const error_code& ec, const tcp::resolver::results_type& results) {
    if (ec)
      return fail(transport_failure_kind::connect, ec);
    stream_.async_connect(results, [this](error_code ec, const tcp::endpoint&) {
      if (ec)
        return fail(transport_failure_kind::connect, ec);
      http::async_write(stream_, request_, [this](error_code ec, size_t) { on_write(ec); });
    });
  }

  void on_write(const error_code& ec) {
    if (ec)
      return fail(transport_failure_kind::io, ec);
    http::async_read(stream_, buffer_, parser_, [this](error_code ec, size_t) { on_read(ec); });
  }

  void on_read(const error_code& ec) {
    if (ec)
      return fail(transport_failure_kind::io, ec);
    auto& response = parser_.get();
    result_ = http_response{response.result_int(), std::move(response.body())};
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  // io_ first: it is destroyed last, after the objects whose operations it holds.
  net::io_context io_;
  const client_config& config_;
  tcp::resolver resolver_{io_};
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  std::optional<http_result> result_;
};

} // namespace

http_result http_exchange(const client_config& config, const http_request& request) {
  exchange ex{config, request};
  return ex.run();
}

transport make_http_transport(client_config config) {
  return [config = std::move(config)](const http_request& request) {
    return http_exchange(config, request);
  };
}

} // namespace arbor::ctl
