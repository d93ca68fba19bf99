#include "messages/atoms.hpp"
#include "messages/module.hpp"
#include "supervisors/scheduler.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <thread>

using namespace arbor;
using ping_atom = caf::atom_constant<caf::atom("ping")>;

namespace {

size_t moderate_polls(const caf::actor_system_config& cfg) {
  return caf::get_or(cfg, "work-stealing.moderate-poll-attempts", size_t{500});
}

} // namespace

TEST_CASE("the default options make idle workers block at once, CAF's worker count stays",
          "[scheduler]") {
  caf::actor_system_config cfg;
  auto stock_workers = caf::get_or(cfg, "scheduler.max-threads", size_t{0});
  configure_scheduler(cfg, {});
  CHECK(moderate_polls(cfg) == 0);
  CHECK(caf::get_or(cfg, "scheduler.max-threads", size_t{0}) == stock_workers);
}

TEST_CASE("idle_polling keeps CAF's stock polling phases", "[scheduler]") {
  caf::actor_system_config stock;
  caf::actor_system_config cfg;
  configure_scheduler(cfg, {0, true});
  CHECK(moderate_polls(cfg) == moderate_polls(stock));
  CHECK(moderate_polls(cfg) > 0);
}

TEST_CASE("a system with two blocking workers runs them and wakes them for every message",
          "[scheduler]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  configure_scheduler(cfg, {2, false});
  caf::actor_system sys{cfg};
  CHECK(sys.scheduler().num_workers() == 2);
  // A chain of actors: each request crosses three mailboxes and comes back; the
  // workers go idle (and block) between the requests of this blocking caller.
  auto last = sys.spawn([]() -> caf::behavior { return {[](int32_t x) { return x + 1; }}; });
  auto middle = sys.spawn([last](caf::event_based_actor* self) -> caf::behavior {
    return {[self, last](int32_t x) { return self->delegate(last, x + 1); }};
  });
  caf::scoped_actor self{sys};
  for (int32_t i = 0; i < 200; ++i)
    self->request(middle, std::chrono::seconds(5), i)
        .receive([&](int32_t x) { CHECK(x == i + 2); },
                 [&](caf::error& err) { FAIL(sys.render(err)); });
  self->send_exit(middle, caf::exit_reason::user_shutdown);
  self->send_exit(last, caf::exit_reason::user_shutdown);
}

namespace {

caf::actor_system_config lean_config() {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  configure_scheduler(cfg, {2, false});
  return cfg;
}

/// CAF sends an actor's down message before the actor's end reaches the clock
/// (`local_actor::cleanup`), so a counter may lag the down message briefly: the
/// stats are read again until `pred` holds or 5 s passed.
template <class Pred>
clock_stats stats_when(caf::actor_system& sys, Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto stats = *lean_clock_stats(sys);
  while (!pred(stats) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
    stats = *lean_clock_stats(sys);
  }
  return stats;
}

/// Spawns `n` actors that quit at once and waits (bounded) for their down messages.
void spawn_and_end(caf::actor_system& sys, size_t n) {
  caf::scoped_actor self{sys};
  for (size_t i = 0; i < n; ++i)
    self->monitor(sys.spawn([](caf::event_based_actor* a) { a->quit(); }));
  size_t downs = 0;
  self->receive_for(downs, n)([](caf::down_msg&) {},
                              caf::after(std::chrono::seconds(10)) >> [] { FAIL("no down"); });
}

} // namespace

TEST_CASE("the lean clock does not wake its thread for actors that never set a timeout",
          "[scheduler]") {
  auto cfg = lean_config();
  caf::actor_system sys{cfg};
  REQUIRE(lean_clock_stats(sys));
  auto before = *lean_clock_stats(sys);
  spawn_and_end(sys, 500);
  auto after = stats_when(sys, [&](const clock_stats& now) {
    return now.cancels_skipped - before.cancels_skipped >= 500;
  });
  CHECK(after.cancels_skipped - before.cancels_skipped >= 500);
  CHECK(after.cancels_forwarded == before.cancels_forwarded);
}

TEST_CASE("under the lean clock request timeouts, after() and delayed messages still fire",
          "[scheduler]") {
  auto cfg = lean_config();
  caf::actor_system sys{cfg};
  // Never answers: keeps each request's promise until it quits.
  auto silent = sys.spawn([](caf::event_based_actor* a) -> caf::behavior {
    auto held = std::make_shared<std::vector<caf::response_promise>>();
    return {[a, held](int32_t) {
      held->push_back(a->make_response_promise());
      return caf::delegated<int32_t>{};
    }};
  });
  caf::scoped_actor self{sys};
  SECTION("a request to a silent actor times out, and the requester's end is forwarded") {
    auto requester = sys.spawn([silent](caf::event_based_actor* a) -> caf::behavior {
      return {[a, silent](ping_atom) {
        auto rp = a->make_response_promise<bool>();
        a->request(silent, std::chrono::milliseconds(20), int32_t{1})
            .then([rp](int32_t) mutable { rp.deliver(false); },
                  [rp](caf::error& err) mutable { rp.deliver(err == caf::sec::request_timeout); });
        return rp;
      }};
    });
    auto forwarded = lean_clock_stats(sys)->cancels_forwarded;
    bool timed_out = false;
    self->request(requester, std::chrono::seconds(5), ping_atom::value)
        .receive([&](bool x) { timed_out = x; }, [&](caf::error& err) { FAIL(sys.render(err)); });
    CHECK(timed_out);
    self->send_exit(requester, caf::exit_reason::user_shutdown);
    self->wait_for(requester);
    auto after = stats_when(
        sys, [&](const clock_stats& now) { return now.cancels_forwarded == forwarded + 1; });
    CHECK(after.cancels_forwarded == forwarded + 1);
  }
  SECTION("an actor's after() timeout fires") {
    auto waiter = sys.spawn(
        [](caf::event_based_actor* a, caf::actor reply_to) -> caf::behavior {
          auto fire = [a, reply_to] {
            a->send(reply_to, ok_atom::value);
            a->quit();
          };
          return {[](int32_t) {}, caf::after(std::chrono::milliseconds(10)) >> fire};
        },
        caf::actor{self});
    bool fired = false;
    self->receive([&](ok_atom) { fired = true; }, caf::after(std::chrono::seconds(5)) >> [] {});
    CHECK(fired);
    self->wait_for(waiter);
  }
  SECTION("a delayed message arrives") {
    self->delayed_send(self, std::chrono::milliseconds(10), ok_atom::value);
    bool arrived = false;
    self->receive([&](ok_atom) { arrived = true; }, caf::after(std::chrono::seconds(5)) >> [] {});
    CHECK(arrived);
  }
  self->send_exit(silent, caf::exit_reason::user_shutdown);
}

TEST_CASE("the lean clock is left out on request and for other scheduler policies", "[scheduler]") {
  SECTION("lean_clock = false") {
    caf::actor_system_config cfg;
    add_message_types(cfg);
    configure_scheduler(cfg, {2, false, false});
    caf::actor_system sys{cfg};
    CHECK_FALSE(lean_clock_stats(sys));
    spawn_and_end(sys, 10); // CAF's own clock still works
  }
  SECTION("scheduler.policy = sharing") {
    caf::actor_system_config cfg;
    add_message_types(cfg);
    cfg.set("scheduler.policy", caf::atom("sharing"));
    configure_scheduler(cfg, {2, false});
    caf::actor_system sys{cfg};
    CHECK_FALSE(lean_clock_stats(sys));
  }
}
