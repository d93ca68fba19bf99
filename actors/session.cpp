#include "actors/session.hpp"

#include "actors/session_channel.hpp"

namespace arbor {

namespace {

/// The handles of the current children, written by their factories. Factories
/// run inside the session supervisor's handlers only, one at a time.
struct session_wiring {
  caf::actor distributor;
  session_channel_ptr channel; ///< the distributor's, handed to the kernel host
  caf::actor kernel;
};

using wiring_ptr = std::shared_ptr<session_wiring>;

child_spec distributor_child(distributor_config cfg, wiring_ptr wires) {
  child_spec spec;
  spec.id = "distributor";
  spec.restart = restart_type::transient;
  spec.significant = true;
  spec.shutdown = shutdown_policy::deadline(milliseconds{2000});
  spec.start = [cfg, wires](child_context& ctx) -> caf::expected<caf::actor> {
    wires->channel = std::make_shared<session_channel>(cfg);
    wires->distributor = spawn_distributor(ctx.system, cfg, wires->channel);
    return wires->distributor;
  };
  return spec;
}

child_spec kernel_child(kernel_spec kernel, io_loop_ptr io, wiring_ptr wires) {
  child_spec spec;
  spec.id = "kernel";
  spec.await_ready = true;
  spec.shutdown =
      shutdown_policy::deadline(kernel.term_timeout + kernel.drain_timeout + milliseconds{500});
  spec.start = [kernel, io, wires](child_context& ctx) -> caf::expected<caf::actor> {
    wires->kernel = spawn_kernel(ctx.system, io, kernel, wires->distributor, wires->channel);
    return wires->kernel;
  };
  return spec;
}

child_spec watcher_child(std::string file, watcher_config cfg, io_loop_ptr io, wiring_ptr wires) {
  child_spec spec;
  spec.id = "watcher";
  spec.shutdown = shutdown_policy::deadline(milliseconds{1000});
  spec.start = [file, cfg, io, wires](child_context& ctx) -> caf::expected<caf::actor> {
    return spawn_watcher(ctx.system, io, file, cfg, wires->distributor);
  };
  return spec;
}

child_spec heartbeat_child(heartbeat_config cfg, wiring_ptr wires) {
  child_spec spec;
  spec.id = "heartbeat";
  spec.shutdown = shutdown_policy::deadline(milliseconds{1000});
  spec.start = [cfg, wires](child_context& ctx) -> caf::expected<caf::actor> {
    return spawn_heartbeat(ctx.system, cfg, wires->kernel, wires->distributor);
  };
  return spec;
}

} // namespace

supervisor_spec session_spec(session_config cfg, io_loop_ptr io) {
  auto wires = std::make_shared<session_wiring>();
  cfg.output.session_id = cfg.id;
  if (!cfg.output.last_seq)
    cfg.output.last_seq = std::make_shared<std::atomic<uint64_t>>(0);
  supervisor_spec spec;
  spec.name = "session";
  spec.strat = strategy::rest_for_one;
  spec.max_restarts = cfg.max_restarts;
  spec.period = cfg.period;
  spec.backoff = cfg.backoff;
  spec.auto_stop = auto_shutdown::any_significant;
  spec.children.push_back(distributor_child(cfg.output, wires));
  spec.children.push_back(kernel_child(cfg.kernel, io, wires));
  if (!cfg.file.empty())
    spec.children.push_back(watcher_child(cfg.file, cfg.watch, io, wires));
  spec.children.push_back(heartbeat_child(cfg.heartbeat, wires));
  return spec;
}

} // namespace arbor
