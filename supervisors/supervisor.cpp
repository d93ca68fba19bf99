#include "supervisors/supervisor.hpp"

#include "messages/errc.hpp"
#include "supervisors/detail/supervisor_actor.hpp"

#include <caf/all.hpp>

namespace arbor {

caf::expected<caf::actor> spawn_supervisor(caf::actor_system& sys, supervisor_spec spec,
                                           std::string path) {
  if (auto err = validate(spec))
    return err;
  return sys.spawn<detail::supervisor_actor>(std::move(spec), std::move(path));
}

caf::expected<caf::actor> start_supervisor(caf::actor_system& sys, supervisor_spec spec,
                                           std::string path,
                                           std::chrono::milliseconds outer_deadline,
                                           std::chrono::milliseconds start_timeout) {
  if (auto err = validate(spec))
    return err;
  if (auto err = check_deadline_budget(spec, path, outer_deadline))
    return err;
  auto sup = sys.spawn<detail::supervisor_actor>(std::move(spec), std::move(path));
  caf::scoped_actor self{sys};
  caf::error failure;
  self->request(sup, start_timeout, ready_atom::value)
      .receive([](ok_atom) {}, [&](caf::error& err) { failure = std::move(err); });
  if (!failure)
    return sup;
  // Not ready in time (or failed): stop what started, then report.
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->wait_for(sup);
  return failure;
}

child_spec supervisor_child(std::string id, supervisor_spec spec) {
  auto shared = std::make_shared<const supervisor_spec>(std::move(spec));
  child_spec result;
  result.id = std::move(id);
  result.kind = child_kind::supervisor;
  result.await_ready = true;
  result.subtree = shared;
  result.start = [shared](child_context& ctx) -> caf::expected<caf::actor> {
    return ctx.system.spawn<detail::supervisor_actor>(*shared, ctx.path);
  };
  return result;
}

} // namespace arbor
