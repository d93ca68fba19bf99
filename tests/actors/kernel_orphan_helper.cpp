// Helper for kernel_test: starts a kernel (`sleep 300`), prints its pid on
// stdout and waits to be killed. The test SIGKILLs it and checks the kernel died.
#include "actors/io_loop.hpp"
#include "actors/kernel.hpp"
#include "messages/module.hpp"
#include "messages/session.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <iostream>

int main() {
  auto io = std::make_shared<arbor::io_loop>();
  caf::actor_system_config cfg;
  arbor::add_message_types(cfg);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  arbor::kernel_spec spec;
  spec.command = {"/bin/sleep", "300"};
  auto host = arbor::spawn_kernel(sys, io, spec, self);
  self->receive(
      [](arbor::status_atom, const arbor::kernel_status& st) { std::cout << st.pid << std::endl; });
  self->receive([](caf::message&) {}); // until killed
  return 0;
}
