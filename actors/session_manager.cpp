#include "actors/session_manager.hpp"

#include "actors/detail/kernel_pool.hpp"
#include "actors/exporter.hpp"
#include "messages/atoms.hpp"
#include "messages/errc.hpp"
#include "messages/session.hpp"
#include "supervisors/probe.hpp"
#include "supervisors/supervisor.hpp"
#include "supervisors/supervisor_log.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <chrono>
#include <ctime>
#include <random>
#include <unordered_map>

namespace arbor {

std::string make_session_id() {
  static constexpr char digits[] = "0123456789abcdef";
  std::random_device rd; // getrandom(2) on Linux
  std::string id = "s-";
  for (int i = 0; i < 4; ++i) {
    auto word = static_cast<uint32_t>(rd());
    for (int j = 0; j < 8; ++j, word >>= 4)
      id.push_back(digits[word & 0xF]);
  }
  return id;
}

namespace {

std::string now_iso8601() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct session_entry {
  session_info info;
  caf::actor supervisor;
  caf::actor distributor;
};

class session_manager : public probed<caf::event_based_actor> {
public:
  session_manager(caf::actor_config& cfg, session_manager_config conf, io_loop_ptr io)
    : probed<caf::event_based_actor>(cfg), cfg_(std::move(conf)), io_(std::move(io)) {}

  caf::behavior make_behavior() override {
    for (auto& [name, spec] : cfg_.kernels)
      if (spec.prestart > 0)
        spec.warm = detail::make_kernel_pool(io_, spec, spec.prestart);
    auto pool = spawn_supervisor(system(), pool_spec(), cfg_.path);
    if (!pool) {
      quit(pool.error());
      return {};
    }
    pool_ = *pool;
    monitor(pool_);
    // Killed managers take their sessions with them (no orphans).
    attach_functor([pool = pool_] { caf::anon_send_exit(pool, caf::exit_reason::kill); });
    set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
    set_exit_handler([this](caf::exit_msg& msg) { on_exit_request(std::move(msg.reason)); });
    return {
        [this](create_atom, session_request& req) -> caf::result<session_info> {
          return on_create(std::move(req));
        },
        [this](list_atom) { return on_list(); },
        [this](info_atom, const std::string& id) -> caf::result<session_info> {
          return on_info(id);
        },
        [this](get_child_atom, const std::string& id) -> caf::result<caf::actor> {
          auto i = sessions_.find(id);
          if (i == sessions_.end())
            return make_error(errc::not_found, "unknown session " + id);
          return i->second.distributor;
        },
        [this](close_atom, const std::string& id) -> caf::result<ok_atom> { return on_close(id); },
        [this](export_atom, const std::string& id) -> caf::result<std::string> {
          return on_export(id);
        },
        [this](ready_atom a) { return delegate(pool_, a); },
        [this](snapshot_atom a) { return delegate(pool_, a); },
        [this](which_children_atom a) { return delegate(pool_, a); },
        [this](count_children_atom a) { return delegate(pool_, a); },
        [this](hurry_atom a) { send(pool_, a); },
    };
  }

  void on_exit() override {
    for (auto& kv : cfg_.kernels)
      detail::close_kernel_pool(kv.second.warm);
    pool_ = nullptr;
    sessions_.clear();
    cfg_.event_bus = nullptr;
  }

private:
  supervisor_spec pool_spec() {
    child_spec tmpl;
    tmpl.id = "session";
    tmpl.kind = child_kind::supervisor;
    tmpl.restart = restart_type::temporary;
    tmpl.await_ready = true;
    tmpl.start_timeout = std::chrono::milliseconds{10000};
    tmpl.start = [io = io_](child_context& ctx) -> caf::expected<caf::actor> {
      // Runs in the pool's handler: read only what does not change after start.
      auto cfg = ctx.args.get_as<session_config>(0);
      return spawn_supervisor(ctx.system, session_spec(std::move(cfg), io), ctx.path);
    };
    supervisor_spec spec;
    spec.name = "sessions";
    spec.strat = strategy::dynamic;
    spec.children.push_back(std::move(tmpl));
    return spec;
  }

  caf::result<session_info> on_create(session_request req) {
    if (shutting_down_)
      return make_error(errc::shutting_down, "the server is shutting down");
    if (sessions_.size() + creating_ >= cfg_.max_sessions)
      return make_error(errc::limit_reached,
                        "at most " + std::to_string(cfg_.max_sessions) + " sessions");
    auto name = req.kernel.empty() ? std::string{"default"} : req.kernel;
    auto k = cfg_.kernels.find(name);
    if (k == cfg_.kernels.end())
      return make_error(errc::not_found, "unknown kernel " + name);
    auto cfg = cfg_.defaults;
    cfg.id = make_session_id();
    cfg.kernel = k->second;
    cfg.file = req.file;
    session_entry entry;
    entry.info = session_info{cfg.id, "running", name, {}, 0, now_iso8601(), req.file};
    return start_session(std::move(cfg), std::move(entry));
  }

  caf::result<session_info> start_session(session_config cfg, session_entry entry) {
    cfg.output.log_path = cfg_.path; // session lines (session_expired too) come from here
    auto rp = make_response_promise();
    ++creating_;
    auto id = cfg.id;
    request(pool_, caf::infinite, start_child_atom::value, id, caf::make_message(std::move(cfg)))
        .then(
            [this, rp, entry](caf::actor& sup) mutable {
              entry.supervisor = sup;
              request(sup, std::chrono::seconds{5}, get_child_atom::value,
                      std::string{"distributor"})
                  .then(
                      [this, rp, entry](caf::actor& dist) mutable {
                        entry.distributor = dist;
                        register_session(std::move(entry), rp);
                      },
                      [this, rp](caf::error& err) mutable {
                        --creating_;
                        rp.deliver(std::move(err));
                      });
            },
            [this, rp](caf::error& err) mutable {
              --creating_;
              rp.deliver(std::move(err));
            });
    return rp;
  }

  void register_session(session_entry entry, caf::response_promise rp) {
    --creating_;
    monitor(entry.supervisor);
    auto id = entry.info.id;
    auto& e = sessions_.emplace(id, std::move(entry)).first->second;
    log_event ev{"session_created", spdlog::level::info, cfg_.path, id};
    log_supervisor_event(ev);
    publish(session_event{"session_created", id, {}});
    fill_and_deliver(e, rp);
  }

  void fill_and_deliver(const session_entry& e, caf::response_promise rp) {
    auto info = e.info;
    request(e.distributor, std::chrono::seconds{5}, info_atom::value)
        .then(
            [rp, info](kernel_status& k, uint32_t clients) mutable {
              info.kernel = std::move(k);
              info.clients = clients;
              rp.deliver(std::move(info));
            },
            [rp, info](caf::error&) mutable { rp.deliver(std::move(info)); });
  }

  caf::result<session_info> on_info(const std::string& id) {
    auto i = sessions_.find(id);
    if (i == sessions_.end())
      return make_error(errc::not_found, "unknown session " + id);
    auto rp = make_response_promise();
    fill_and_deliver(i->second, rp);
    return rp;
  }

  /// Every session with its kernel state and client count, asked of each
  /// distributor at once (a session that does not answer in 5 s is listed as
  /// the manager knows it).
  caf::result<std::vector<session_info>> on_list() {
    struct gather {
      std::vector<session_info> all;
      size_t pending = 0;
      caf::response_promise rp;
    };
    auto g = std::make_shared<gather>();
    g->pending = sessions_.size();
    if (g->pending == 0)
      return g->all;
    g->rp = make_response_promise();
    g->all.reserve(sessions_.size());
    for (auto& kv : sessions_) {
      auto slot = g->all.size();
      g->all.push_back(kv.second.info);
      auto done = [g] {
        if (--g->pending == 0)
          g->rp.deliver(std::move(g->all));
      };
      request(kv.second.distributor, std::chrono::seconds{5}, info_atom::value)
          .then(
              [g, slot, done](kernel_status& k, uint32_t clients) {
                g->all[slot].kernel = std::move(k);
                g->all[slot].clients = clients;
                done();
              },
              [done](caf::error&) { done(); });
    }
    return g->rp;
  }

  caf::result<ok_atom> on_close(const std::string& id) {
    auto i = sessions_.find(id);
    if (i == sessions_.end())
      return make_error(errc::not_found, "unknown session " + id);
    i->second.info.state = "closing";
    auto rp = make_response_promise();
    request(pool_, caf::infinite, terminate_child_atom::value, id)
        .then([rp](ok_atom) mutable { rp.deliver(ok_atom::value); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    return rp;
  }

  caf::result<std::string> on_export(const std::string& id) {
    auto i = sessions_.find(id);
    if (i == sessions_.end())
      return make_error(errc::not_found, "unknown session " + id);
    if (cfg_.export_dir.empty())
      return make_error(errc::bad_config, "no export directory is configured");
    auto rp = make_response_promise();
    auto name = id + "-" + now_iso8601() + ".txt";
    request(i->second.distributor, std::chrono::seconds{10}, export_atom::value)
        .then(
            [this, rp, name](std::vector<output_line>& lines) mutable {
              request(spawn_exporter(system()), caf::infinite, export_atom::value, cfg_.export_dir,
                      name, std::move(lines))
                  .then([rp](std::string& path) mutable { rp.deliver(std::move(path)); },
                        [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
            },
            [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
    return rp;
  }

  void on_down(const caf::down_msg& msg) {
    if (msg.source == pool_.address()) {
      quit(shutting_down_ ? stop_reason_ : msg.reason);
      return;
    }
    for (auto i = sessions_.begin(); i != sessions_.end(); ++i) {
      if (i->second.supervisor.address() != msg.source)
        continue;
      auto id = i->first;
      sessions_.erase(i);
      log_event ev{"session_closed", spdlog::level::info, cfg_.path, id};
      ev.reason = describe(msg.reason);
      log_supervisor_event(ev);
      publish(session_event{"session_closed", id, describe(msg.reason)});
      return;
    }
  }

  void on_exit_request(caf::error reason) {
    if (shutting_down_)
      return;
    shutting_down_ = true;
    stop_reason_ = reason;
    send_exit(pool_, std::move(reason));
  }

  void publish(session_event ev) {
    if (cfg_.event_bus)
      send(cfg_.event_bus, publish_atom::value, std::move(ev));
  }

  session_manager_config cfg_;
  io_loop_ptr io_;
  caf::actor pool_;
  std::unordered_map<std::string, session_entry> sessions_;
  size_t creating_ = 0;
  bool shutting_down_ = false;
  caf::error stop_reason_;
};

} // namespace

caf::actor spawn_session_manager(caf::actor_system& sys, session_manager_config cfg,
                                 io_loop_ptr io) {
  return sys.spawn<session_manager>(std::move(cfg), std::move(io));
}

child_spec session_manager_child(std::string id, session_manager_config cfg, io_loop_ptr io) {
  child_spec spec;
  spec.id = std::move(id);
  spec.kind = child_kind::supervisor;
  spec.await_ready = true;
  spec.start = [cfg, io](child_context& ctx) -> caf::expected<caf::actor> {
    auto c = cfg;
    c.path = ctx.path;
    return spawn_session_manager(ctx.system, std::move(c), io);
  };
  return spec;
}

} // namespace arbor
