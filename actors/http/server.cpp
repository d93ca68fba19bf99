// arbord's HTTP + WebSocket front end: the "http" child (see server.hpp).
#include "actors/http/server.hpp"

#include "actors/http/client_actor.hpp"
#include "actors/http/connection.hpp"
#include "actors/http/listener.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"

#include <caf/event_based_actor.hpp>
#include <future>

namespace arbor::http {

namespace {

/// Owns the listener's life in the tree: starts accepting when spawned, stops
/// accepting (and tells connections) on its exit message.
class http_actor final : public caf::event_based_actor {
public:
  http_actor(caf::actor_config& cfg, std::shared_ptr<server_state> state)
    : caf::event_based_actor(cfg), state_(std::move(state)) {}

  caf::behavior make_behavior() override {
    set_exit_handler([this](caf::exit_msg& msg) {
      stop_accepting();
      quit(std::move(msg.reason));
    });
    state_->net->post(
        [acc = state_->accept, self = caf::actor_cast<caf::actor>(this)] { acc->start(self); });
    return {
        [this](accept_atom, std::shared_ptr<connection>& conn) {
          auto client = spawn_client_actor(system(), state_, conn);
          state_->net->post([conn = std::move(conn), client] { conn->start(client); });
        },
    };
  }

private:
  void stop_accepting() {
    state_->ready.store(false, std::memory_order_release);
    state_->net->post([acc = state_->accept] { acc->stop(); });
  }

  std::shared_ptr<server_state> state_;
};

} // namespace

child_spec http_child(std::shared_ptr<server_state> state, std::function<caf::actor()> sessions) {
  child_spec spec;
  spec.id = "http";
  spec.shutdown = shutdown_policy::deadline(std::chrono::seconds(5));
  spec.start = [state, sessions](child_context& ctx) -> caf::expected<caf::actor> {
    state->system = &ctx.system;
    state->sessions = caf::actor_cast<caf::weak_actor_ptr>(sessions());
    auto acc = listener::bind(state);
    if (!acc)
      return acc.error();
    state->accept = *acc;
    return ctx.system.spawn<http_actor>(state);
  };
  return spec;
}

void close_all(server_state& state, std::chrono::milliseconds timeout) {
  if (!state.accept)
    return;
  auto done = std::make_shared<std::promise<void>>();
  auto fut = done->get_future();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  state.net->post([acc = state.accept, done, deadline] {
    acc->close_all(deadline, [done] { done->set_value(); });
  });
  fut.wait_for(timeout + std::chrono::seconds(1));
  // The listener refers to the state: drop the state's side of that cycle
  // (on the network thread, its only user).
  state.net->post([&state] { state.accept.reset(); });
}

} // namespace arbor::http
