// The supervision tree of a standalone arbord node (see node.hpp).
#include "apps/arbord/node.hpp"

#include "actors/event_bus.hpp"
#include "actors/lifespan.hpp"
#include "actors/session_manager.hpp"
#include "supervisors/supervisor.hpp"
#include "supervisors/tasks.hpp"

#include <unistd.h>

namespace arbord {

namespace {

using namespace std::chrono;
using arbor::child_context;
using arbor::child_spec;

/// The bus's and the manager's current handles, written by their factories and
/// read by later siblings' factories; all run inside /app's handlers, in order.
struct handles {
  caf::actor bus;
  caf::actor sessions;
};

milliseconds ms(double seconds) {
  return milliseconds{static_cast<int64_t>(seconds * 1000)};
}

arbor::kernel_spec to_kernel(const arbor::config::program& p) {
  arbor::kernel_spec k;
  k.command = p.command;
  k.env = p.env;
  k.cwd = p.cwd;
  return k;
}

child_spec event_bus_child(std::shared_ptr<handles> h) {
  child_spec bus;
  bus.id = "event_bus";
  bus.shutdown = arbor::shutdown_policy::deadline(seconds(1));
  bus.start = [h](child_context& ctx) -> caf::expected<caf::actor> {
    h->bus = arbor::spawn_event_bus(ctx.system);
    return h->bus;
  };
  return bus;
}

child_spec tasks_child() {
  child_spec tasks;
  tasks.id = "tasks";
  tasks.kind = arbor::child_kind::supervisor;
  tasks.shutdown = arbor::shutdown_policy::deadline(seconds(10));
  tasks.start = [](child_context& ctx) -> caf::expected<caf::actor> {
    return arbor::spawn_task_supervisor(ctx.system, ctx.path, seconds(5));
  };
  return tasks;
}

child_spec lifespans_child(const arbor::config::server& cfg, arbor::io_loop_ptr io) {
  std::vector<arbor::lifespan_spec> specs;
  for (const auto& l : cfg.lifespans) {
    arbor::lifespan_spec s;
    s.name = l.name;
    s.process = to_kernel(l.run);
    s.process.term_timeout = ms(l.stop_timeout_s);
    s.ready_line = l.ready_line;
    s.ready_port = l.ready_port;
    s.start_timeout = ms(l.start_timeout_s);
    specs.push_back(std::move(s));
  }
  return arbor::supervisor_child("lifespans", arbor::lifespans_spec(std::move(specs), io));
}

arbor::session_manager_config manager_config(const arbor::config::server& cfg) {
  arbor::session_manager_config m;
  for (const auto& [name, k] : cfg.kernels) {
    auto& spec = m.kernels[name] = to_kernel(k.run);
    spec.prestart = k.prestart;
    spec.term_timeout = ms(k.term_timeout_s);
  }
  if (m.kernels.count("default") == 0)
    m.kernels["default"].command = {demo_kernel_path()};
  m.max_sessions = cfg.limit.max_sessions;
  m.export_dir = cfg.export_dir;
  auto& out = m.defaults.output;
  out.ttl = cfg.session_ttl_s < 0 ? milliseconds{-1} : ms(cfg.session_ttl_s);
  out.replay_lines = cfg.replay_lines;
  out.replay_bytes = cfg.replay_bytes;
  out.max_clients = cfg.limit.max_clients_per_session;
  out.subscriber_queue_lines = cfg.limit.client_queue_lines;
  out.stall_timeout = ms(cfg.limit.client_stall_timeout_s);
  m.defaults.heartbeat.interval = ms(cfg.heartbeat_interval_s);
  m.defaults.heartbeat.max_missed = cfg.heartbeat_max_missed;
  out.max_missed_pongs = cfg.heartbeat_max_missed;
  return m;
}

child_spec sessions_child(const arbor::config::server& cfg, arbor::io_loop_ptr io,
                          std::shared_ptr<handles> h) {
  auto m = manager_config(cfg);
  auto child = arbor::session_manager_child("sessions", m, io);
  child.shutdown = arbor::shutdown_policy::deadline(seconds(30));
  child.start = [m, io, h](child_context& ctx) -> caf::expected<caf::actor> {
    auto c = m;
    c.path = ctx.path;
    c.event_bus = h->bus;
    h->sessions = arbor::spawn_session_manager(ctx.system, std::move(c), io);
    return h->sessions;
  };
  return child;
}

arbor::http::server_config front_config(const arbor::config::server& cfg) {
  arbor::http::server_config f;
  f.host = cfg.host;
  f.port = cfg.port;
  f.token = cfg.token;
  f.allowed_origins = cfg.allowed_origins;
  f.file_roots = cfg.file_roots;
  f.max_connections = cfg.limit.max_connections;
  f.max_body_bytes = cfg.limit.max_body_bytes;
  f.max_frame_bytes = cfg.limit.max_frame_bytes;
  f.client_queue_bytes = cfg.limit.client_queue_bytes;
  return f;
}

} // namespace

std::string demo_kernel_path() {
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string dir = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{"."};
  dir = dir.substr(0, dir.rfind('/'));
  for (auto candidate : {dir + "/arbor-demo-kernel", dir + "/../demo_kernel/arbor-demo-kernel"})
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  return "arbor-demo-kernel"; // from PATH
}

arbor::supervisor_spec app_spec(const arbor::config::server& cfg, arbor::io_loop_ptr kernels,
                                std::shared_ptr<arbor::http::server_state> front) {
  auto h = std::make_shared<handles>();
  front->cfg = front_config(cfg);
  arbor::supervisor_spec spec;
  spec.name = "app";
  spec.strat = arbor::strategy::rest_for_one;
  spec.children = {event_bus_child(h), tasks_child()};
  if (!cfg.lifespans.empty())
    spec.children.push_back(lifespans_child(cfg, kernels));
  spec.children.push_back(sessions_child(cfg, kernels, h));
  spec.children.push_back(arbor::http::http_child(front, [h] { return h->sessions; }));
  return spec;
}

} // namespace arbord
