// The smallest arbor program: one supervisor with one worker, started and
// stopped in order. Exits 0 when the tree started and stopped cleanly.
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "supervisors/supervisor.hpp"

#include <caf/all.hpp>
#include <cstdio>

int main() {
  caf::actor_system_config cfg;
  arbor::add_message_types(cfg);
  caf::actor_system sys{cfg};
  arbor::supervisor_spec spec;
  spec.name = "app";
  spec.children.push_back(arbor::worker_child(
      "hello", [](caf::event_based_actor*) { return caf::behavior{[](int x) { return x + 1; }}; }));
  auto root =
      arbor::start_supervisor(sys, spec, "/app", std::chrono::seconds(30), std::chrono::seconds(5));
  if (!root) {
    std::fprintf(stderr, "consumer: %s\n", arbor::describe(root.error()).c_str());
    return 1;
  }
  caf::scoped_actor self{sys};
  self->send_exit(*root, caf::exit_reason::user_shutdown);
  self->wait_for(*root);
  std::puts("consumer: started and stopped an arbor tree");
  return 0;
}
