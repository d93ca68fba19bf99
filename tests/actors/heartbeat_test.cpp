// Heartbeat: client liveness (missed pongs → detach) and kernel liveness
// (missed pings → the kernel host is stopped so its supervisor restarts it).
//
//   heartbeat ──tick──▶ distributor ──ping──▶ clients
//       └──────ping──▶ kernel host (here: a stand-in that never answers)
#include "actor_fixture.hpp"
#include "actors/distributor.hpp"
#include "actors/heartbeat.hpp"
#include "supervisors/probe.hpp"

using namespace arbor;
using namespace arbor::test;

TEST_CASE_METHOD(actor_fixture,
                 "a client that misses its pongs is detached, one that answers stays",
                 "[heartbeat]") {
  distributor_config cfg;
  cfg.max_missed_pongs = 2;
  auto dist = spawn_distributor(*sys, cfg);
  caf::scoped_actor alive{*sys}, silent{*sys};
  attach(alive, dist);
  attach(silent, dist);
  client_view va, vs;
  for (uint32_t tick = 1; tick <= 3; ++tick) {
    (*self)->send(dist, tick_atom::value);
    // `alive` answers each ping (its pong is queued before the next tick);
    // `silent` never reads its mailbox.
    REQUIRE(
        receive_until(alive, dist, va, [tick](const client_view& v) { return v.pings >= tick; }));
  }
  (*self)->send(dist, tick_atom::value);
  receive_until(
      silent, dist, vs, [](const client_view& v) { return !v.dropped.empty(); }, 5s, false);
  CHECK(vs.dropped == "heartbeat_timeout");
  uint32_t clients = 0;
  (*self)
      ->request(dist, 10s, info_atom::value)
      .receive([&](kernel_status&, uint32_t n) { clients = n; }, [](caf::error&) {});
  CHECK(clients == 1); // only `alive` is still attached
  CHECK(va.dropped.empty());
}

TEST_CASE_METHOD(actor_fixture, "a kernel host that misses its pings is stopped with timeout",
                 "[heartbeat]") {
  // Stands in for a kernel host whose mailbox is stuck: it never answers ping.
  auto stuck = spawn_worker(*sys, [](worker_actor* w) -> caf::behavior {
    w->set_default_handler(caf::drop);
    return {[](ok_atom) {}};
  });
  auto dist = spawn_distributor(*sys, distributor_config{});
  heartbeat_config cfg;
  cfg.interval = 50ms;
  cfg.max_missed = 2;
  auto hb = spawn_heartbeat(*sys, cfg, stuck, dist);
  auto reason = wait_down(stuck, 10s);
  CHECK(is(reason, errc::timeout));
  CHECK(describe(reason).find("kernel_unresponsive") != std::string::npos);
  (*self)->send_exit(hb, caf::exit_reason::user_shutdown);
  (*self)->send_exit(dist, caf::exit_reason::user_shutdown);
  wait_down(hb);
}
