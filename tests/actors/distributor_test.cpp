// Distributor: line splitting, seq, replay with `since`, flow control, TTL and
// the closing flush. Chunks are fed by the test as the kernel's I/O would.
//
//   test ──chunk──▶ distributor ──output──▶ client A, client B (scoped actors)
#include "actor_fixture.hpp"
#include "actors/detail/kernel_process.hpp"
#include "actors/detail/line_splitter.hpp"
#include "actors/distributor.hpp"

using namespace arbor;
using namespace arbor::test;

namespace {

void feed(const caf::actor& dist, std::string bytes) {
  caf::anon_send(dist, detail::chunk_atom::value, int64_t{0}, std::move(bytes));
}

std::string numbered(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i)
    out += "line " + std::to_string(i) + "\n";
  return out;
}

auto has_lines(size_t n) {
  return [n](const client_view& v) { return v.lines.size() >= n; };
}

} // namespace

TEST_CASE("the line splitter cuts over-long lines and flags the parts", "[distributor]") {
  detail::line_splitter split{10};
  std::vector<std::pair<std::string, bool>> out;
  auto emit = [&](std::string&& line, bool cut) { out.emplace_back(line, cut); };
  split.feed("0123456789abcdefghijXYZ\nshort\npart", emit);
  split.feed("ial\n0123456789\n", emit);
  split.flush(emit);
  REQUIRE(out.size() == 6);
  CHECK(out[0] == std::make_pair(std::string{"0123456789"}, true));
  CHECK(out[1] == std::make_pair(std::string{"abcdefghij"}, true));
  CHECK(out[2] == std::make_pair(std::string{"XYZ"}, false));
  CHECK(out[3] == std::make_pair(std::string{"short"}, false));
  CHECK(out[4] == std::make_pair(std::string{"partial"}, false));
  CHECK(out[5] == std::make_pair(std::string{"0123456789"}, false));
}

TEST_CASE_METHOD(actor_fixture, "lines fan out to every client with increasing seq",
                 "[distributor]") {
  auto dist = spawn_distributor(*sys, distributor_config{});
  caf::scoped_actor a{*sys}, b{*sys};
  attach(a, dist, -1);
  attach(b, dist, -1);
  feed(dist, "one\ntwo\nthr");
  feed(dist, "ee\n");
  client_view va, vb;
  REQUIRE(receive_until(a, dist, va, has_lines(3)));
  REQUIRE(receive_until(b, dist, vb, has_lines(3)));
  CHECK(va.texts() == std::vector<std::string>{"one", "two", "three"});
  CHECK(vb.texts() == va.texts());
  for (size_t i = 0; i < va.lines.size(); ++i)
    CHECK(va.lines[i].seq == i + 1);
  (*self)->send_exit(dist, caf::exit_reason::user_shutdown);
  CHECK(wait_down(dist) == caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(actor_fixture, "since replays missed lines, or reports the gap beyond the buffer",
                 "[distributor]") {
  distributor_config cfg;
  cfg.replay_lines = 5;
  auto dist = spawn_distributor(*sys, cfg);
  caf::scoped_actor first{*sys};
  attach(first, dist, -1);
  feed(dist, numbered(1, 10));
  client_view seen;
  REQUIRE(receive_until(first, dist, seen, has_lines(10)));
  SECTION("inside the buffer: exactly the missed lines") {
    caf::scoped_actor c{*sys};
    auto sub = attach(c, dist, 7);
    CHECK(sub.last_seq == 10);
    client_view v;
    REQUIRE(receive_until(c, dist, v, has_lines(3)));
    CHECK(v.texts() == std::vector<std::string>{"line 8", "line 9", "line 10"});
    CHECK(v.gaps.empty());
  }
  SECTION("beyond the buffer: a gap, then what is left, no duplicates") {
    caf::scoped_actor c{*sys};
    attach(c, dist, 2);
    client_view v;
    REQUIRE(receive_until(c, dist, v, has_lines(5)));
    REQUIRE(v.gaps.size() == 1);
    CHECK(v.gaps[0].from == 3);
    CHECK(v.gaps[0].to == 5);
    CHECK(v.lines.front().seq == 6);
    CHECK(v.lines.back().seq == 10);
    feed(dist, "live\n");
    REQUIRE(receive_until(c, dist, v, has_lines(6)));
    CHECK(v.lines.back().seq == 11);
    CHECK(v.lines.back().data == "live");
  }
}

TEST_CASE_METHOD(actor_fixture,
                 "a client over its queue that makes no progress for a tick is dropped, the others "
                 "get every line",
                 "[distributor]") {
  distributor_config cfg;
  cfg.subscriber_queue_lines = 100;
  auto dist = spawn_distributor(*sys, cfg);
  caf::scoped_actor fast{*sys}, slow{*sys};
  attach(fast, dist, -1);
  attach(slow, dist, -1);
  client_view vf;
  for (int i = 0; i < 50; ++i) {
    feed(dist, numbered(i * 10 + 1, i * 10 + 10));
    REQUIRE(receive_until(fast, dist, vf, has_lines(static_cast<size_t>(i * 10 + 10))));
  }
  CHECK(vf.lines.size() == 500);
  CHECK(vf.lines.back().seq == 500);
  for (int tick = 0; tick < 3; ++tick) // over its queue, no ack for max_missed (3) ticks
    (*self)->send(dist, tick_atom::value);
  client_view vs;
  receive_until(
      slow, dist, vs, [](const client_view& v) { return !v.dropped.empty(); }, 10s, false);
  CHECK(vs.dropped == "slow_consumer");
  CHECK(vs.lines.size() == 500); // nothing was lost before the drop
  CHECK(vf.dropped.empty());
}

TEST_CASE_METHOD(actor_fixture, "the session TTL runs from the last detach, a reattach cancels it",
                 "[distributor][ttl]") {
  distributor_config cfg;
  cfg.ttl = 300ms;
  cfg.session_id = "s-1";
  cfg.log_path = "/app/sessions";
  auto dist = spawn_distributor(*sys, cfg);
  caf::scoped_actor a{*sys}, b{*sys};
  attach(a, dist, -1);
  a->request(dist, 10s, unsubscribe_atom::value).receive([](ok_atom) {}, [](caf::error&) {});
  attach(b, dist, -1); // within the TTL: the pending timer is now stale
  CHECK(is(wait_down(dist, 700ms), errc::timeout)); // outlived the first timer
  CHECK(log.events("session_expired").empty());
  b->request(dist, 10s, unsubscribe_atom::value).receive([](ok_atom) {}, [](caf::error&) {});
  CHECK(wait_down(dist, 5s) == caf::exit_reason::normal);
  auto expired = log.events("session_expired");
  REQUIRE(expired.size() == 1); // says why: the session's own end reads `shutdown`
  CHECK(expired[0]["supervisor"] == "/app/sessions");
  CHECK(expired[0]["child"] == "s-1");
  CHECK(expired[0]["reason"] == "ttl_expired");
  CHECK(expired[0]["duration_ms"] == 300);
}

TEST_CASE_METHOD(actor_fixture, "closing flushes the last partial line, then says closing",
                 "[distributor][shutdown]") {
  auto dist = spawn_distributor(*sys, distributor_config{});
  caf::scoped_actor c{*sys};
  attach(c, dist, -1);
  feed(dist, "complete\nunterminated");
  (*self)->send_exit(dist, caf::exit_reason::user_shutdown);
  client_view v;
  REQUIRE(receive_until(c, dist, v, [](const client_view& x) { return !x.closing.empty(); }));
  CHECK(v.texts() == std::vector<std::string>{"complete", "unterminated"});
  CHECK(v.closing == "shutdown");
  CHECK(wait_down(dist) == caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(actor_fixture, "input without a kernel is a clear error", "[distributor]") {
  auto dist = spawn_distributor(*sys, distributor_config{});
  auto res = ask<ok_atom>(dist, input_atom::value, std::string{"x"});
  REQUIRE_FALSE(res);
  CHECK(is(res.error(), errc::not_found));
  (*self)->send_exit(dist, caf::exit_reason::user_shutdown);
  wait_down(dist);
}
