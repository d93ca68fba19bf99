// Dynamic children, static child management and introspection.
#include "supervisors/test_workers.hpp"

#include <boost/json/serialize.hpp>

using namespace arbor;
using namespace arbor::test;

namespace {

/// A dynamic supervisor named `name` whose children are made from `tmpl`.
supervisor_spec dynamic_of(std::string name, child_spec tmpl) {
  supervisor_spec spec;
  spec.name = std::move(name);
  spec.strat = strategy::dynamic;
  spec.children = {std::move(tmpl)};
  return spec;
}

/// Starts one dynamic child of `sup` with a generated id; fails the case if it cannot.
caf::actor start_dynamic(fixture& f, const caf::actor& sup) {
  auto child = f.ask<caf::actor>(sup, start_child_atom::value, std::string{}, caf::message{});
  REQUIRE(child);
  return *child;
}

supervisor_spec dynamic_spec(std::shared_ptr<recorder> rec) {
  return dynamic_of("sessions", test_worker("s", rec, restart_type::transient));
}

} // namespace

//   sessions (dynamic)
//   ├── s-1 … s-50   started at run time, terminated one by one
TEST_CASE("dynamic children start, are found, terminate and are forgotten", "[supervisor]") {
  fixture f;
  auto sup = f.spawn(dynamic_spec(f.rec), "/app/sessions");
  f.require_ready(sup);
  std::vector<caf::actor> started;
  for (int i = 0; i < 50; ++i)
    started.push_back(start_dynamic(f, sup));
  auto named = f.ask<caf::actor>(sup, start_child_atom::value, std::string{"mine"}, caf::message{});
  REQUIRE(named);
  auto dup = f.ask<caf::actor>(sup, start_child_atom::value, std::string{"mine"}, caf::message{});
  REQUIRE_FALSE(dup);
  CHECK(is(dup.error(), errc::duplicate_child));
  CHECK(f.child(sup, "s-7") == started[6]);
  CHECK(f.ask<child_counts>(sup, count_children_atom::value)->active == 51);
  CHECK(f.ask<ok_atom>(sup, terminate_child_atom::value, std::string{"s-7"}));
  CHECK_FALSE(f.child(sup, "s-7"));
  CHECK(f.ask<child_counts>(sup, count_children_atom::value)->specs == 50);
  auto unknown = f.ask<ok_atom>(sup, terminate_child_atom::value, std::string{"nope"});
  REQUIRE_FALSE(unknown);
  CHECK(is(unknown.error(), errc::unknown_child));
  // A crashed transient dynamic child is restarted under the same id.
  (*f.self)->send(started[0], crash_atom::value);
  REQUIRE(f.rec->wait_for("start:s", 52));
  CHECK(f.child(sup, "s-1"));
  CHECK(f.child(sup, "s-1") != started[0]);
  CHECK(is_clean_exit(f.stop(sup)));
  CHECK(f.rec->with_prefix("stop:").size() == 51);
}

//   t (one_for_one)
//   ├── a
//   └── b   terminated, restarted, terminated, deleted; c added at run time,
//           u (shutdown infinity) refused by the budget
TEST_CASE("static children can be terminated, restarted, deleted and added", "[supervisor]") {
  fixture f;
  supervisor_spec spec;
  spec.name = "t";
  spec.children = {test_worker("a", f.rec), test_worker("b", f.rec)};
  auto sup = f.spawn(spec);
  f.require_ready(sup);
  CHECK(f.ask<ok_atom>(sup, terminate_child_atom::value, std::string{"b"}));
  CHECK(f.rec->with_prefix("stop:") == std::vector<std::string>{"stop:b"});
  auto running = f.ask<ok_atom>(sup, delete_child_atom::value, std::string{"a"});
  REQUIRE_FALSE(running);
  CHECK(is(running.error(), errc::child_running));
  auto b = f.ask<caf::actor>(sup, restart_child_atom::value, std::string{"b"});
  REQUIRE(b);
  CHECK(f.ask<ok_atom>(*b, ping_atom::value));
  CHECK(f.ask<ok_atom>(sup, terminate_child_atom::value, std::string{"b"}));
  CHECK(f.ask<ok_atom>(sup, delete_child_atom::value, std::string{"b"}));
  auto c = f.ask<caf::actor>(sup, start_child_atom::value, test_worker("c", f.rec));
  REQUIRE(c);
  auto kids = f.ask<std::vector<child_info>>(sup, which_children_atom::value);
  REQUIRE(kids);
  REQUIRE(kids->size() == 2);
  CHECK(kids->at(0).id == "a");
  CHECK(kids->at(1).id == "c");
  CHECK(kids->at(1).handle == *c);
  // A child added at run time gets the budget check of its own stop too.
  auto unbounded = test_worker("u", f.rec);
  unbounded.shutdown = shutdown_policy::infinity();
  auto refused = f.ask<caf::actor>(sup, start_child_atom::value, unbounded);
  REQUIRE_FALSE(refused);
  CHECK(is(refused.error(), errc::deadline_budget));
  CHECK(describe(refused.error()).find("/t/u: a worker with shutdown 'infinity'") !=
        std::string::npos);
  CHECK(f.rec->with_prefix("start:u").empty());
  CHECK(is_clean_exit(f.stop(sup)));
  CHECK(f.rec->with_prefix("stop:").back() == "stop:a");
}

//   app (rest_for_one)
//   ├── tasks   worker
//   └── sessions (dynamic)
//       ├── s-1
//       └── s-2
TEST_CASE("a whole-tree snapshot names every node and serialises to JSON", "[supervisor]") {
  fixture f;
  supervisor_spec app;
  app.name = "app";
  app.strat = strategy::rest_for_one;
  app.children = {test_worker("tasks", f.rec), supervisor_child("sessions", dynamic_spec(f.rec))};
  auto sup = f.spawn(app, "/app");
  f.require_ready(sup);
  auto sessions = f.child(sup, "sessions");
  for (int i = 0; i < 2; ++i)
    REQUIRE(f.ask<caf::actor>(sessions, start_child_atom::value, std::string{}, caf::message{}));
  auto tree = f.ask<tree_node>(sup, snapshot_atom::value);
  REQUIRE(tree);
  CHECK(tree->path == "/app");
  CHECK(tree->strategy == "rest_for_one");
  CHECK(tree->counts == child_counts{2, 2, 1, 1});
  REQUIRE(tree->children.size() == 2);
  CHECK(tree->children[0].kind == child_kind::worker);
  const auto& sess = tree->children[1];
  CHECK(sess.path == "/app/sessions");
  CHECK(sess.strategy == "dynamic");
  REQUIRE(sess.children.size() == 2);
  CHECK(sess.children[1].path == "/app/sessions/s-2");
  auto text = boost::json::serialize(to_json(*tree));
  auto back = tree_node_from_json(*parse_json(text));
  REQUIRE(back);
  CHECK(*back == *tree);
  CHECK(is_clean_exit(f.stop(sup)));
}

//   sessions (dynamic, template awaits readiness)
//   └── s-1   quits before it reports ready → the requester gets the error
TEST_CASE("a dynamic child that dies before it is ready is an error, not a restart",
          "[supervisor]") {
  fixture f;
  child_spec tmpl;
  tmpl.id = "s";
  tmpl.await_ready = true;
  tmpl.start = [](child_context& ctx) -> caf::expected<caf::actor> {
    return spawn_worker(ctx.system, [](worker_actor* self) -> caf::behavior {
      return {[self](ready_atom) -> caf::result<ok_atom> {
        self->quit(make_error(errc::exit_code, "3")); // e.g. the kernel exited at once
        return self->make_response_promise<ok_atom>();
      }};
    });
  };
  auto sup = f.spawn(dynamic_of("sessions", tmpl), "/app/sessions");
  f.require_ready(sup);
  auto child = f.ask<caf::actor>(sup, start_child_atom::value, std::string{}, caf::message{});
  REQUIRE_FALSE(child);
  CHECK(f.log.wait_for("child_start_failed"));
  auto counts = f.ask<child_counts>(sup, count_children_atom::value);
  REQUIRE(counts);
  CHECK(counts->specs == 0);
  CHECK(f.log.events("child_restarted").empty());
  CHECK(is_clean_exit(f.stop(sup)));
}

namespace {

/// A permanent template `id` whose factory calls `make(ctx, n)` with the
/// start count n = 1, 2, ...
child_spec counted_template(std::string id,
                            std::function<caf::expected<caf::actor>(child_context&, int)> make) {
  child_spec spec;
  spec.id = std::move(id);
  spec.restart = restart_type::permanent;
  auto count = std::make_shared<std::atomic<int>>(0);
  spec.start = [make, count](child_context& ctx) { return make(ctx, ++*count); };
  return spec;
}

/// A child spawned with caf::lazy_init: the factory records "start:<n>", CAF
/// runs its behavior function (which records "init:<n>") only when the first
/// message arrives.
child_spec lazy_worker(std::shared_ptr<recorder> rec) {
  return counted_template("l", [rec](child_context& ctx, int i) -> caf::expected<caf::actor> {
    auto n = std::to_string(i);
    rec->add("start:" + n);
    return ctx.system.spawn<caf::lazy_init>([rec, n](caf::event_based_actor* self) {
      rec->add("init:" + n);
      self->set_exit_handler([self, rec, n](caf::exit_msg& msg) {
        rec->add("stop:" + n);
        self->quit(msg.reason);
      });
      return caf::behavior{
          [](ping_atom) { return ok_atom::value; },
          [self](crash_atom) { self->quit(make_error(errc::exit_code, "1")); },
      };
    });
  });
}

} // namespace

//   lazy (dynamic)
//   ├── l-1   asked once, then crashed: restarted as l-1 (init:3)
//   └── l-2   never asked: initialised by its exit message
TEST_CASE("lazily initialised children start, answer, restart and stop like eager ones",
          "[supervisor]") {
  fixture f;
  auto sup = f.spawn(dynamic_of("lazy", lazy_worker(f.rec)), "/lazy");
  f.require_ready(sup);
  auto first = start_dynamic(f, sup);
  auto second = start_dynamic(f, sup);
  CHECK(f.rec->with_prefix("init:").empty()); // started, not yet initialised
  CHECK(f.ask<ok_atom>(first, ping_atom::value));
  CHECK(f.rec->with_prefix("init:") == std::vector<std::string>{"init:1"});
  (*f.self)->send(first, crash_atom::value); // a permanent child: restarted
  REQUIRE(f.rec->wait_for("start:3"));
  CHECK(f.rec->with_prefix("init:").size() == 1); // the new one waits for a message too
  auto fresh = f.child(sup, "l-1");
  REQUIRE(fresh);
  CHECK(fresh != first);
  CHECK(f.ask<ok_atom>(fresh, ping_atom::value));
  CHECK(f.rec->wait_for("init:3"));
  CHECK(f.ask<ok_atom>(sup, terminate_child_atom::value, std::string{"l-2"}));
  CHECK(f.rec->with_prefix("stop:") == std::vector<std::string>{"stop:2"});
  CHECK(is_clean_exit(f.stop(sup)));
  CHECK(f.rec->with_prefix("stop:") == (std::vector<std::string>{"stop:2", "stop:3"}));
  CHECK(f.log.events("child_restarted", "l-1").size() == 1);
}

namespace {

/// A class-based child for child_context::spawn<T>: answers ping with its tag.
class tagged_actor : public caf::event_based_actor {
public:
  tagged_actor(caf::actor_config& cfg, std::string tag)
    : caf::event_based_actor(cfg), tag_(std::move(tag)) {}

  caf::behavior make_behavior() override {
    return {[this](ping_atom) { return tag_; }};
  }

private:
  std::string tag_;
};

/// A template whose factory uses ctx.spawn: function-based children with an
/// argument for odd start counts, class-based ones for even.
child_spec spawned_on_host(std::shared_ptr<recorder> rec) {
  return counted_template("h", [rec](child_context& ctx, int n) -> caf::expected<caf::actor> {
    rec->add(ctx.host != nullptr ? "host:set" : "host:none");
    if (n % 2 == 0)
      return ctx.spawn<tagged_actor>("class:" + std::to_string(n));
    return ctx.spawn(
        [](caf::event_based_actor* self, std::string tag) -> caf::behavior {
          return {[tag](ping_atom) { return tag; },
                  [self](crash_atom) { self->quit(make_error(errc::exit_code, "1")); }};
        },
        "fun:" + std::to_string(n));
  });
}

} // namespace

//   hosted (dynamic)
//   ├── h-1   ctx.spawn(fun, "fun:1"), crashed: restarted as ctx.spawn(fun, "fun:3")
//   └── h-2   ctx.spawn<tagged_actor>("class:2")
TEST_CASE("children spawned through the factory context's spawn are supervised", "[supervisor]") {
  fixture f;
  auto sup = f.spawn(dynamic_of("hosted", spawned_on_host(f.rec)), "/hosted");
  f.require_ready(sup);
  auto first = start_dynamic(f, sup);
  auto second = start_dynamic(f, sup);
  CHECK(f.ask<std::string>(first, ping_atom::value) == std::string{"fun:1"});
  CHECK(f.ask<std::string>(second, ping_atom::value) == std::string{"class:2"});
  (*f.self)->send(first, crash_atom::value);
  REQUIRE(f.log.wait_for("child_restarted"));
  auto fresh = f.child(sup, "h-1");
  REQUIRE(fresh);
  CHECK(f.ask<std::string>(fresh, ping_atom::value) == std::string{"fun:3"});
  // Every start ran inside the supervisor, so the factory saw its worker.
  CHECK(f.rec->with_prefix("host:") == std::vector<std::string>(3, "host:set"));
  CHECK(is_clean_exit(f.stop(sup)));
}

//   (no supervisor)   child_context with an empty host
//   outside           ctx.spawn<tagged_actor>: spawned by the system
TEST_CASE("a factory context without a host spawns through the system's scheduler",
          "[supervisor]") {
  fixture f;
  child_context ctx{*f.sys, "/outside", caf::actor{}, {}};
  auto a = ctx.spawn<tagged_actor>("outside");
  REQUIRE(a);
  CHECK(f.ask<std::string>(a, ping_atom::value) == std::string{"outside"});
  CHECK(f.stop(a) == caf::exit_reason::user_shutdown);
}
