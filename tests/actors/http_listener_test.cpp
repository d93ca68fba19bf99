// The listener's bind: port 0 picks a free port once; binding again (the http
// child restarted by its supervisor) keeps that port, so the address arbord
// printed stays valid. A port in use is a clear start_failed error.
#include "actors/http/listener.hpp"
#include "messages/errc.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>

using namespace arbor;

namespace {

std::shared_ptr<http::server_state> port_zero_state() {
  auto state = std::make_shared<http::server_state>();
  state->cfg.port = 0;
  state->net = std::make_shared<io_loop>();
  return state;
}

/// Stops `l` on the network thread (where listeners live) and waits for it.
void stop_on_net(http::server_state& state, std::shared_ptr<http::listener> l) {
  std::promise<void> done;
  state.net->post([&done, l = std::move(l)] {
    l->stop();
    done.set_value();
  });
  REQUIRE(done.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
}

} // namespace

TEST_CASE("with port 0 a listener bound again takes the port the first one got", "[http]") {
  auto state = port_zero_state();
  auto first = http::listener::bind(state);
  REQUIRE(first);
  auto port = state->port.load();
  CHECK(port != 0);
  stop_on_net(*state, *first);
  auto again = http::listener::bind(state);
  REQUIRE(again);
  CHECK(state->port.load() == port);
  stop_on_net(*state, *again);
  state->net->stop();
}

TEST_CASE("a port held by another listener is a start_failed error naming it", "[http]") {
  auto state = port_zero_state();
  auto first = http::listener::bind(state);
  REQUIRE(first);
  auto other = std::make_shared<http::server_state>();
  other->cfg.port = state->port.load();
  other->net = state->net;
  auto refused = http::listener::bind(other);
  REQUIRE_FALSE(refused);
  CHECK(is(refused.error(), errc::start_failed));
  CHECK_THAT(describe(refused.error()),
             Catch::Contains("127.0.0.1:" + std::to_string(other->cfg.port)));
  stop_on_net(*state, *first);
  state->net->stop();
}
