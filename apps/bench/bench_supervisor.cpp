// bench_supervisor: the supervision core against raw CAF 0.17 in the same run.
//
//   dynamic start/stop   N children through start_child / terminate_child
//                        (requests pipelined, 64 in flight) vs raw spawn + exit;
//                        children spawned eagerly, then with caf::lazy_init
//   restart latency      crash → the new child answers a call, supervisor log ON
//                        (async, to a file) vs a raw monitor-and-respawn actor
//   dynamic shutdown     the N children stopped at once by their supervisor's exit
//                        vs a raw actor sending exit to (at most 10,000) children
//   ordered shutdown     10,000 static children, reverse order verified, vs a raw
//                        actor stopping the same number one by one
//   memory               RSS per idle supervised child vs per raw actor
//
// Every loop is bounded; the program ends by itself. Figures: docs/performance.md.
#include "common.hpp"
#include "messages/errc.hpp"
#include "messages/module.hpp"
#include "supervisors/supervisor.hpp"
#include "supervisors/supervisor_log.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <caf/all.hpp>
#include <cstdio>
#include <unordered_map>

using namespace arbor;
using clk = std::chrono::steady_clock;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using go_atom = caf::atom_constant<caf::atom("go")>;

namespace {

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

caf::behavior idle_worker(caf::event_based_actor* self) {
  return {[](ping_atom) { return ok_atom::value; },
          [self](crash_atom) { self->quit(make_error(errc::exit_code, "1")); }};
}

/// Idle workers start eagerly (CAF schedules each new actor once to run its
/// behavior function) or with `caf::lazy_init` (it runs on the first message).
bool lazy_children = false;

/// The supervisor's factory spawns as raw CAF's spawner does, on its own worker.
caf::actor spawn_idle(child_context& ctx) {
  return lazy_children ? ctx.spawn<caf::lazy_init>(idle_worker) : ctx.spawn(idle_worker);
}

supervisor_spec dynamic_spec() {
  supervisor_spec spec;
  spec.name = "sessions";
  spec.strat = strategy::dynamic;
  child_spec tmpl;
  tmpl.id = "c";
  tmpl.restart = restart_type::temporary;
  tmpl.start = [](child_context& ctx) -> caf::expected<caf::actor> { return spawn_idle(ctx); };
  spec.children = {tmpl};
  return spec;
}

/// Sends request `i` from `self` and calls `answered` when its reply arrives.
using request_fn =
    std::function<void(caf::event_based_actor* self, size_t i, std::function<void()> answered)>;

size_t in_flight = 64; // requests the pipeline keeps outstanding (--in-flight)
size_t drivers = 1;    // actors sharing that window (--drivers)
bool cold = false;     // true: no untimed raw round before the start/stop rows (--cold)

/// One driver: requests `first`, `first + step`, ... below `total`, keeping
/// `window` outstanding; answers `go` when all of its requests got answers.
caf::behavior pipeline_driver(caf::event_based_actor* self, size_t first, size_t step, size_t total,
                              size_t window, request_fn make) {
  struct state {
    size_t next;
    size_t left;
    caf::response_promise done;
    std::function<void()> send_one;
  };
  auto st = std::make_shared<state>();
  st->next = first;
  st->left = first < total ? (total - first + step - 1) / step : 0;
  st->send_one = [self, st, step, total, make] {
    if (st->next >= total)
      return;
    auto i = st->next;
    st->next += step;
    make(self, i, [st] {
      if (--st->left == 0)
        st->done.deliver(ok_atom::value);
      else
        st->send_one();
    });
  };
  return {[self, st, window](go_atom) {
    st->done = self->make_response_promise();
    if (st->left == 0)
      st->done.deliver(ok_atom::value);
    for (size_t i = 0; i < window; ++i)
      st->send_one();
    return caf::delegated<ok_atom>{};
  }};
}

/// Keeps `in_flight` requests outstanding, spread over `drivers` actors, until
/// `total` got answers.
void run_pipeline(caf::actor_system& sys, size_t total, request_fn make) {
  auto window = std::max<size_t>(1, in_flight / drivers);
  std::vector<caf::actor> all;
  for (size_t k = 0; k < drivers; ++k)
    all.push_back(sys.spawn(pipeline_driver, k, drivers, total, window, make));
  caf::scoped_actor self{sys};
  for (auto& d : all)
    self->request(d, caf::infinite, go_atom::value).receive([](ok_atom) {}, [](caf::error&) {});
  for (auto& d : all)
    self->send_exit(d, caf::exit_reason::kill);
}

request_fn start_children(caf::actor sup) {
  return [sup](caf::event_based_actor* self, size_t, std::function<void()> answered) {
    self->request(sup, caf::infinite, start_child_atom::value, std::string{}, caf::message{})
        .then([answered](caf::actor&) { answered(); });
  };
}

/// Raw CAF's minimal dynamic supervisor: spawn + monitor + reply; terminate by
/// exit and reply on the down message. No restarts, no logs, no introspection.
caf::behavior raw_spawner(caf::event_based_actor* self) {
  struct state {
    size_t next = 0;
    std::unordered_map<std::string, caf::actor> by_id;
    std::unordered_map<caf::actor_id, caf::response_promise> stopping;
  };
  auto st = std::make_shared<state>();
  self->set_down_handler([st](caf::down_msg& msg) {
    auto i = st->stopping.find(msg.source.id());
    if (i != st->stopping.end()) {
      i->second.deliver(ok_atom::value);
      st->stopping.erase(i);
    }
  });
  return {
      [self, st](start_child_atom, std::string&, caf::message&) {
        auto a =
            lazy_children ? self->spawn<caf::lazy_init>(idle_worker) : self->spawn(idle_worker);
        self->monitor(a);
        st->by_id.emplace("c-" + std::to_string(++st->next), a);
        return a;
      },
      [self, st](terminate_child_atom, const std::string& id) -> caf::result<ok_atom> {
        auto i = st->by_id.find(id);
        auto a = i->second;
        st->by_id.erase(i);
        self->send_exit(a, caf::exit_reason::user_shutdown);
        auto rp = self->make_response_promise<ok_atom>();
        st->stopping.emplace(a.id(), rp);
        return rp;
      },
  };
}

request_fn terminate_children(caf::actor sup) {
  return [sup](caf::event_based_actor* self, size_t i, std::function<void()> answered) {
    self->request(sup, caf::infinite, terminate_child_atom::value, "c-" + std::to_string(i + 1))
        .then([answered](ok_atom) { answered(); });
  };
}

/// Starts then stops `n` children of `owner`; the two rates in children/s.
std::pair<double, double> start_stop_rates(caf::actor_system& sys, const caf::actor& owner,
                                           size_t n) {
  auto t0 = clk::now();
  run_pipeline(sys, n, start_children(owner));
  double start_s = seconds_since(t0);
  t0 = clk::now();
  run_pipeline(sys, n, terminate_children(owner));
  return {n / start_s, n / seconds_since(t0)};
}

/// Raw CAF: an actor holding `n` monitored children that, told to exit, sends
/// every child an exit and quits when the last down message arrived.
caf::behavior raw_group(caf::event_based_actor* self, size_t n) {
  auto left = std::make_shared<size_t>(n);
  auto kids = std::make_shared<std::vector<caf::actor>>();
  for (size_t i = 0; i < n; ++i) {
    kids->push_back(self->spawn(idle_worker));
    self->monitor(kids->back());
  }
  self->set_down_handler([self, left](caf::down_msg&) {
    if (--*left == 0)
      self->quit();
  });
  self->set_exit_handler([self, kids](caf::exit_msg& m) {
    for (auto& k : *kids)
      self->send_exit(k, m.reason);
    kids->clear();
  });
  return {[](ping_atom) {}};
}

/// A dynamic supervisor with `n` children told to exit: every child is stopped
/// concurrently under one deadline; the time until the supervisor's down. Raw
/// CAF sends all exits from one handler, which is quadratic in CAF 0.17 (minutes
/// at 100,000), so its baseline runs with at most `raw_max` children.
void bench_dynamic_shutdown(caf::actor_system& sys, size_t n, size_t raw_max) {
  caf::scoped_actor self{sys};
  auto sup = *spawn_supervisor(sys, dynamic_spec(), "/bench/d");
  run_pipeline(sys, n, start_children(sup));
  auto t0 = clk::now();
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->wait_for(sup);
  double ms = seconds_since(t0) * 1000;
  auto raw_n = std::min(n, raw_max);
  auto raw = sys.spawn(raw_group, raw_n);
  self->request(raw, caf::infinite, ping_atom::value).receive([] {}, [](caf::error&) {});
  t0 = clk::now();
  self->send_exit(raw, caf::exit_reason::user_shutdown);
  self->wait_for(raw);
  std::printf("dynamic shutdown of %zu children: %7.1f ms   raw CAF (%zu children) %7.1f ms\n", n,
              ms, raw_n, seconds_since(t0) * 1000);
}

/// One start/stop round of `n` children under an arbor dynamic supervisor.
std::pair<double, double> arbor_round(caf::actor_system& sys, size_t n) {
  caf::scoped_actor self{sys};
  auto sup = *spawn_supervisor(sys, dynamic_spec(), "/bench/sessions");
  auto rates = start_stop_rates(sys, sup, n);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->wait_for(sup);
  return rates;
}

/// The same with raw CAF doing the protocol: an actor that spawns + monitors on
/// request and answers terminate requests once the down message arrived.
std::pair<double, double> raw_round(caf::actor_system& sys, size_t n) {
  caf::scoped_actor self{sys};
  auto raw = sys.spawn(raw_spawner);
  auto rates = start_stop_rates(sys, raw, n);
  self->send_exit(raw, caf::exit_reason::kill);
  return rates;
}

void bench_dynamic(caf::actor_system& sys, size_t n, bool lazy) {
  lazy_children = lazy;
  if (!cold) {
    // The heap grows here, not in a timed run: to raw CAF's children, then to
    // arbor's, which need more memory (the child records).
    raw_round(sys, n);
    arbor_round(sys, n);
  }
  auto [start, stop] = arbor_round(sys, n);
  auto [raw_start, raw_stop] = raw_round(sys, n);
  const char* kind = lazy ? "lazy " : "eager";
  std::printf("dynamic start, %s children %8.0f /s   raw CAF spawn   %8.0f /s   (n=%zu)\n", kind,
              start, raw_start, n);
  std::printf("dynamic stop,  %s children %8.0f /s   raw CAF exit    %8.0f /s\n", kind, stop,
              raw_stop);
  lazy_children = false;
}

std::pair<double, double> percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[v.size() * 99 / 100]};
}

/// Crashes the current child `rounds` times; after each crash waits for the new
/// child (announced by the factory) to answer a ping. Answers the latencies (µs).
caf::behavior restart_driver(caf::event_based_actor* self, size_t rounds,
                             std::shared_ptr<std::vector<double>> lat) {
  struct state {
    caf::actor current;
    clk::time_point t0;
    caf::response_promise done;
    bool running = false;
  };
  auto st = std::make_shared<state>();
  auto crash_next = [self, st, rounds, lat] {
    if (lat->size() == rounds) {
      st->done.deliver(ok_atom::value);
      return;
    }
    st->t0 = clk::now();
    self->send(st->current, crash_atom::value);
  };
  return {
      [self, st, lat, crash_next](caf::actor& fresh) {
        st->current = fresh;
        if (!st->running)
          return;
        self->request(fresh, caf::infinite, ping_atom::value).then([st, lat, crash_next](ok_atom) {
          lat->push_back(std::chrono::duration<double, std::micro>(clk::now() - st->t0).count());
          crash_next();
        });
      },
      [self, st, crash_next](go_atom) {
        st->running = true;
        st->done = self->make_response_promise();
        crash_next();
        return caf::delegated<ok_atom>{};
      },
  };
}

child_spec announcing_worker(caf::actor driver) {
  child_spec w;
  w.id = "w";
  w.start = [driver](child_context& ctx) -> caf::expected<caf::actor> {
    auto a = ctx.spawn(idle_worker);
    caf::anon_send(driver, a); // tells the driver which actor is new
    return a;
  };
  return w;
}

/// Raw CAF: one actor that monitors its child and respawns it on a down message.
caf::behavior raw_respawner(caf::event_based_actor* self, caf::actor driver) {
  auto respawn = [self, driver] {
    auto a = self->spawn(idle_worker);
    self->monitor(a);
    self->send(driver, a);
  };
  self->set_down_handler([respawn](caf::down_msg&) { respawn(); });
  respawn();
  return {[](ping_atom) {}};
}

std::vector<double> run_restarts(caf::actor_system& sys, size_t rounds, bool supervised) {
  auto lat = std::make_shared<std::vector<double>>();
  lat->reserve(rounds);
  auto driver = sys.spawn(restart_driver, rounds, lat);
  caf::actor owner;
  if (supervised) {
    supervisor_spec spec;
    spec.name = "r";
    spec.max_restarts = static_cast<uint32_t>(rounds + 10);
    spec.period = std::chrono::milliseconds(3600000);
    spec.children = {announcing_worker(driver)};
    owner = *spawn_supervisor(sys, spec, "/bench/r");
  } else {
    owner = sys.spawn(raw_respawner, driver);
  }
  caf::scoped_actor self{sys};
  self->request(driver, caf::infinite, go_atom::value).receive([](ok_atom) {}, [](caf::error&) {});
  self->send_exit(owner, supervised ? caf::exit_reason::user_shutdown : caf::exit_reason::kill);
  self->wait_for(owner);
  self->send_exit(driver, caf::exit_reason::kill);
  return *lat;
}

void bench_restart(caf::actor_system& sys, size_t rounds) {
  auto [p50, p99] = percentiles(run_restarts(sys, rounds, true));
  auto [r50, r99] = percentiles(run_restarts(sys, rounds, false));
  std::printf("restart latency p50 %6.1f us  p99 %6.1f us (log on)   raw CAF p50 %6.1f us  p99 "
              "%6.1f us  (rounds=%zu)\n",
              p50, p99, r50, r99, rounds);
}

void bench_ordered_shutdown(caf::actor_system& sys, size_t n) {
  auto order = std::make_shared<std::vector<int>>(n, -1);
  auto pos = std::make_shared<std::atomic<size_t>>(0);
  supervisor_spec spec;
  spec.name = "s";
  for (size_t i = 0; i < n; ++i) {
    child_spec c;
    c.id = "w" + std::to_string(i);
    c.start = [order, pos, i](child_context& ctx) -> caf::expected<caf::actor> {
      return ctx.system.spawn([order, pos, i](caf::event_based_actor* self) -> caf::behavior {
        self->set_exit_handler([self, order, pos, i](caf::exit_msg& m) {
          (*order)[pos->fetch_add(1)] = static_cast<int>(i);
          self->quit(m.reason);
        });
        return {[](ping_atom) {}};
      });
    };
    spec.children.push_back(c);
  }
  auto sup = *spawn_supervisor(sys, spec, "/bench/s");
  caf::scoped_actor self{sys};
  self->request(sup, caf::infinite, ready_atom::value).receive([](ok_atom) {}, [](caf::error&) {});
  auto t0 = clk::now();
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->wait_for(sup);
  double ms = seconds_since(t0) * 1000;
  bool reverse = pos->load() == n;
  for (size_t i = 0; i < n && reverse; ++i)
    reverse = (*order)[i] == static_cast<int>(n - 1 - i);

  // Raw CAF: the same protocol (exit, wait for down, next) in an event-based actor.
  auto raw = std::make_shared<std::vector<caf::actor>>();
  for (size_t i = 0; i < n; ++i)
    raw->push_back(sys.spawn(idle_worker));
  t0 = clk::now();
  auto stopper = sys.spawn([raw](caf::event_based_actor* s) -> caf::behavior {
    auto next = std::make_shared<std::function<void()>>();
    *next = [s, raw] {
      if (raw->empty()) {
        s->quit();
        return;
      }
      s->monitor(raw->back());
      s->send_exit(raw->back(), caf::exit_reason::user_shutdown);
      raw->pop_back();
    };
    s->set_down_handler([next](caf::down_msg&) { (*next)(); });
    (*next)();
    return {[](ping_atom) {}};
  });
  self->wait_for(stopper);
  double raw_ms = seconds_since(t0) * 1000;
  std::printf("ordered shutdown of %zu children: %6.1f ms, reverse order %s   raw CAF %6.1f ms\n",
              n, ms, reverse ? "verified" : "VIOLATED", raw_ms);
}

void bench_memory(caf::actor_system& sys, size_t n) {
  caf::scoped_actor self{sys};
  auto before = bench::live_bytes();
  std::vector<caf::actor> raw;
  raw.reserve(n);
  for (size_t i = 0; i < n; ++i)
    raw.push_back(sys.spawn(idle_worker));
  double raw_b = static_cast<double>(bench::live_bytes() - before) / n;
  for (auto& a : raw) {
    self->monitor(a);
    self->send_exit(a, caf::exit_reason::kill);
  }
  size_t downs = 0;
  self->receive_for(downs, n)([](caf::down_msg&) {});
  raw.clear();
  auto sup = *spawn_supervisor(sys, dynamic_spec(), "/bench/m");
  before = bench::live_bytes();
  run_pipeline(sys, n, start_children(sup));
  double sup_b = static_cast<double>(bench::live_bytes() - before) / n;
  std::printf("memory per idle child: supervised %6.0f B, raw CAF actor %6.0f B, overhead %6.0f B "
              "(n=%zu, bytes allocated, %s)\n",
              sup_b, raw_b, sup_b - raw_b, n, bench::allocator_name());
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->wait_for(sup);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_supervisor: arbor's supervision core vs raw CAF"};
  size_t children = 100000, rounds = 10000, statics = 10000, raw_group_max = 10000;
  std::string log_file = "/tmp/arbor-bench-supervisor.log";
  app.add_option("--children", children, "dynamic children to start and stop");
  app.add_option("--restarts", rounds, "restart rounds for the latency figures");
  app.add_option("--static", statics, "static children for the ordered shutdown");
  app.add_option("--raw-group-max", raw_group_max,
                 "children of raw CAF's baseline for the dynamic shutdown (quadratic)");
  app.add_option("--log-file", log_file, "supervisor log for the restart run");
  std::vector<std::string> only;
  app.add_option("--only", only,
                 "run only these: dynamic, dynamic-lazy, dyn-shutdown, restart, shutdown, memory")
      ->delimiter(',')
      ->check(CLI::IsMember(
          {"dynamic", "dynamic-lazy", "dyn-shutdown", "restart", "shutdown", "memory"}));
  app.add_option("--in-flight", in_flight, "requests kept outstanding by the start/stop drivers");
  app.add_flag("--cold", cold,
               "no untimed warm-up round before the start/stop rows (the heap grows in the "
               "first timed run)");
  app.add_option("--drivers", drivers, "actors sharing the start/stop requests and their window")
      ->check(CLI::Range(1, 64));
  bench::scheduler_flags flags;
  flags.add_to(app);
  CLI11_PARSE(app, argc, argv);
  auto sched = flags.options();

  caf::actor_system_config cfg;
  add_message_types(cfg);
  configure_scheduler(cfg, sched);
  caf::actor_system sys{cfg};
  std::printf("arbor bench_supervisor: %u hardware threads, CAF %d, %s, %zu workers, idle %s, %s "
              "clock, %zu requests in flight from %zu driver(s)\n",
              std::thread::hardware_concurrency(), CAF_VERSION, bench::allocator_name(),
              sys.scheduler().num_workers(),
              sched.idle_polling ? "polling (CAF stock)" : "blocking (arbor default)",
              lean_clock_stats(sys) ? "lean" : "CAF's stock", in_flight, drivers);
  auto wanted = [&only](const char* name) {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  };
  if (wanted("dynamic"))
    bench_dynamic(sys, children, false);
  if (wanted("dynamic-lazy"))
    bench_dynamic(sys, children, true);
  if (wanted("dyn-shutdown"))
    bench_dynamic_shutdown(sys, children, raw_group_max);
  if (wanted("restart")) {
    supervisor_log_config log_cfg;
    log_cfg.file = log_file;
    configure_supervisor_log(log_cfg);
    bench_restart(sys, rounds);
    shutdown_supervisor_log();
  }
  if (wanted("shutdown"))
    bench_ordered_shutdown(sys, statics);
  if (wanted("memory"))
    bench_memory(sys, children);
  return 0;
}
