// The session channel (the data plane under the distributor) and the kernel's
// stdin writer, without actors in between:
//
//   test ──publish──▶ channel ──output/gap──▶ recording sink (a WebSocket client's stand-in)
//   test ──input────▶ channel ──▶ kernel_stdin ──▶ pipe ──▶ test reads
#include "actor_fixture.hpp"
#include "actors/detail/kernel_stdin.hpp"
#include "actors/detail/replay_buffer.hpp"
#include "actors/session_channel.hpp"

#include <caf/event_based_actor.hpp>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace arbor;
using namespace arbor::test;

namespace {

/// What a sink was given, in order ("gap a-b" or "seq:data").
struct recording_sink : output_sink {
  std::vector<std::string> got;
  void output(const output_batch& batch, const std::shared_ptr<ws::wire_cache>&) override {
    for (auto& l : batch.lines)
      got.push_back(std::to_string(l.seq) + ":" + l.data);
  }
  void gap(const gap_notice& g) override {
    got.push_back("gap " + std::to_string(g.from) + "-" + std::to_string(g.to));
  }
};

/// A pipe whose write end is non-blocking (as the kernel's stdin is).
struct test_pipe {
  int fds[2] = {-1, -1};
  test_pipe() {
    REQUIRE(::pipe(fds) == 0);
    ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  }
  ~test_pipe() {
    for (int fd : fds)
      if (fd >= 0)
        ::close(fd);
  }
  /// Everything readable now.
  std::string drain() {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<size_t>(n));
    return out;
  }
  void close_reader() {
    ::close(fds[0]);
    fds[0] = -1;
  }
};

caf::actor dummy_actor(caf::actor_system& sys) {
  return sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
}

} // namespace

TEST_CASE("kernel stdin: lines go straight into the pipe, the rest waits for writable, in order",
          "[channel][stdin]") {
  test_pipe p;
  int waits = 0;
  detail::kernel_stdin in{1u << 20};
  REQUIRE_FALSE(in.write("before attach")); // kept until the pipe is there
  in.attach(p.fds[1], [&] { ++waits; });
  CHECK(p.drain() == "before attach\n");
  REQUIRE_FALSE(in.write("direct"));
  CHECK(in.queued() == 0);
  CHECK(p.drain() == "direct\n");

  // Fill the pipe (64 KiB by default): the rest is queued and one wait asked for.
  std::string line(1000, 'x');
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    auto numbered = std::to_string(i) + line;
    REQUIRE_FALSE(in.write(numbered));
    expected += numbered + "\n";
  }
  CHECK(in.queued() > 0);
  CHECK(waits == 1);
  std::string got;
  for (int rounds = 0; rounds < 100 && in.queued() > 0; ++rounds) {
    got += p.drain();
    in.on_writable(); // what the I/O loop does when the pipe reports writable
  }
  got += p.drain();
  CHECK(in.queued() == 0);
  CHECK(got == expected);
}

TEST_CASE(
    "kernel stdin: queue_full at the limit, not_found once closed, io_error on a closed reader",
    "[channel][stdin]") {
  std::signal(SIGPIPE, SIG_IGN); // as every io_loop sets it: EPIPE instead of a signal
  test_pipe p;
  detail::kernel_stdin in{100};
  // Not attached yet: everything is queued, so the limit applies at once.
  REQUIRE_FALSE(in.write(std::string(90, 'a')));
  auto full = in.write(std::string(20, 'b'));
  CHECK(is(full, errc::queue_full));
  CHECK(in.queued() == 91); // the refused line left nothing behind
  in.attach(p.fds[1], [] {});
  CHECK(p.drain() == std::string(90, 'a') + "\n");

  p.close_reader(); // the kernel closed its stdin
  CHECK(is(in.write("lost"), errc::io_error));
  CHECK(is(in.write("again"), errc::io_error));
  in.close();
  CHECK(is(in.write("late"), errc::not_found));
}

TEST_CASE_METHOD(actor_fixture, "channel: a sink gets replay, gap and live output in seq order",
                 "[channel]") {
  distributor_config cfg;
  cfg.replay_lines = 3;
  session_channel chan{cfg};
  CHECK(chan.publish(0, "a\nb\nc\nd\ne\n")); // 1..5, the buffer keeps 3..5
  auto who = dummy_actor(*sys);
  auto sink = std::make_shared<recording_sink>();
  auto last = chan.subscribe(who, sink, 0); // saw nothing: 1..2 are gone
  REQUIRE(last);
  CHECK(*last == 5);
  CHECK(chan.publish(0, "f\npartial"));
  CHECK(sink->got == std::vector<std::string>{"gap 1-2", "3:c", "4:d", "5:e", "6:f"});
  CHECK(chan.subscriber_count() == 1);
  auto closed = chan.close(); // the unterminated line is flushed first
  CHECK(closed == std::vector<caf::actor>{who});
  CHECK(sink->got.back() == "7:partial");
  CHECK(chan.subscriber_count() == 0);
  CHECK(chan.publish(0, "after close\n")); // goes nowhere
  CHECK(sink->got.size() == 6);
  caf::anon_send_exit(who, caf::exit_reason::kill);
}

TEST_CASE_METHOD(actor_fixture, "channel: input reaches the registered kernel's stdin",
                 "[channel]") {
  session_channel chan{distributor_config{}};
  auto none = chan.input("nobody");
  CHECK(none.direct);
  CHECK(is(none.err, errc::not_found));

  test_pipe p;
  auto in = std::make_shared<detail::kernel_stdin>(1u << 20);
  in->attach(p.fds[1], [] {});
  chan.kernel_started(kernel_link{4242, in, [](size_t) {}});
  auto r = chan.input("hello");
  CHECK(r.direct);
  CHECK_FALSE(r.err);
  CHECK(p.drain() == "hello\n");

  chan.kernel_stopped(1); // another pid: ignored
  CHECK(chan.has_kernel(4242));
  chan.kernel_stopped(4242);
  CHECK(is(chan.input("gone").err, errc::not_found));

  // A kernel reached by messages only: the caller sends the line itself.
  chan.kernel_started(kernel_link{4243, nullptr, [](size_t) {}});
  CHECK_FALSE(chan.input("via actor").direct);
  CHECK_FALSE(chan.interrupt().direct);
}

TEST_CASE_METHOD(actor_fixture,
                 "channel: publish pauses the kernel while a sink lags, acks resume it",
                 "[channel][flow]") {
  distributor_config cfg;
  cfg.subscriber_queue_lines = 4; // lagging = more than 2 lines unacknowledged
  cfg.stall_timeout = std::chrono::milliseconds{0};
  session_channel chan{cfg};
  size_t resumed = 0;
  chan.kernel_started(kernel_link{7, nullptr, [&](size_t n) { resumed += n; }});
  auto who = dummy_actor(*sys);
  auto sink = std::make_shared<recording_sink>();
  REQUIRE(chan.subscribe(who, sink, -1));
  CHECK(chan.publish(7, "1\n2\n"));    // 2 behind: fine
  CHECK_FALSE(chan.publish(7, "3\n")); // 3 behind: the kernel must wait
  CHECK_FALSE(chan.publish(7, "4\n"));
  CHECK(chan.publish(99, "other pid\n")); // not the running kernel: never paused
  chan.ack(who.address(), 2);             // still 3 behind
  CHECK(resumed == 0);
  chan.ack(who.address(), 5);
  CHECK(resumed == 2); // both withheld chunks given back at once
  CHECK(sink->got.size() == 5);
  // A client that leaves while the kernel waits releases it, too.
  CHECK_FALSE(chan.publish(7, "6\n7\n8\n"));
  CHECK(chan.unsubscribe(who.address()));
  CHECK(resumed == 3);
  CHECK_FALSE(chan.unsubscribe(who.address()));
  caf::anon_send_exit(who, caf::exit_reason::kill);
}

TEST_CASE("replay buffer: whole batches kept, trimmed line by line to the line and byte limits",
          "[channel][replay]") {
  auto batch = [](uint64_t from, uint64_t to, size_t size) {
    output_batch b;
    for (auto seq = from; seq <= to; ++seq)
      b.lines.push_back(output_line{seq, std::string(size, 'x'), false});
    return caf::make_message(output_atom::value, std::move(b));
  };
  auto seqs = [](const detail::replay_buffer& r, uint64_t from) {
    std::vector<uint64_t> out;
    r.for_each_from(from, [&](const output_line& l) { out.push_back(l.seq); });
    return out;
  };
  detail::replay_buffer r{5, 1000};
  CHECK(r.empty());
  r.add(batch(1, 3, 10));
  r.add(batch(4, 6, 10)); // 6 lines: the oldest goes, its batch stays for 2 and 3
  CHECK(r.first_seq() == 2);
  CHECK(seqs(r, 0) == std::vector<uint64_t>{2, 3, 4, 5, 6});
  CHECK(seqs(r, 5) == std::vector<uint64_t>{5, 6});
  r.add(batch(7, 8, 10)); // 2 and 3 go: the first batch is released
  CHECK(r.first_seq() == 4);
  CHECK(r.lines().size() == 5);
  r.add(batch(9, 9, 985)); // 1035 bytes: the oldest go until 1000 is not exceeded
  CHECK(seqs(r, 0) == std::vector<uint64_t>{8, 9});
  r.add(batch(10, 10, 2000)); // alone over the byte limit: nothing is kept
  CHECK(r.empty());
  CHECK(seqs(r, 0).empty());
}
