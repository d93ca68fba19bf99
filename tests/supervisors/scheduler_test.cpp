#include "messages/atoms.hpp"
#include "messages/module.hpp"
#include "supervisors/scheduler.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

using namespace arbor;

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
