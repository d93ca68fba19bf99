// Transcript export: atomic write, a failing write reports an error and loses
// nothing, and the session keeps running.
//
//   manager ── export ──▶ distributor (buffer) ──▶ exporter (detached) ──▶ file
#include "actor_fixture.hpp"
#include "actors/exporter.hpp"
#include "actors/session_manager.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

using namespace arbor;
using namespace arbor::test;

namespace {

std::vector<output_line> lines(int n) {
  std::vector<output_line> out;
  for (int i = 1; i <= n; ++i)
    out.push_back(output_line{static_cast<uint64_t>(i), std::string(99, 'a' + i % 26), false});
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Limits the size of files this process writes (EFBIG past it), like a full disk.
struct file_size_limit {
  rlimit saved{};
  explicit file_size_limit(rlim_t bytes) {
    std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &saved);
    rlimit lim = saved;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~file_size_limit() { ::setrlimit(RLIMIT_FSIZE, &saved); }
};

} // namespace

TEST_CASE("a transcript is written whole, under its final name only", "[export]") {
  temp_dir dir;
  auto path = write_transcript(dir.path, "t.txt", lines(100));
  REQUIRE(path);
  CHECK(*path == dir.path + "/t.txt");
  CHECK(slurp(*path).size() == 100 * 100);
  CHECK(dir.entries() == std::vector<std::string>{"t.txt"}); // no temporary left
}

TEST_CASE("an export never replaces an earlier one of the same name", "[export]") {
  temp_dir dir;
  auto first = write_transcript(dir.path, "t.txt", lines(1));
  auto second = write_transcript(dir.path, "t.txt", lines(2));
  auto third = write_transcript(dir.path, "t.txt", lines(3));
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(third);
  CHECK(*first == dir.path + "/t.txt");
  CHECK(*second == dir.path + "/t-2.txt");
  CHECK(*third == dir.path + "/t-3.txt");
  CHECK(slurp(*first).size() == 1 * 100); // each file keeps its own transcript
  CHECK(slurp(*second).size() == 2 * 100);
  CHECK(slurp(*third).size() == 3 * 100);
  auto names = dir.entries();
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"t-2.txt", "t-3.txt", "t.txt"});
}

TEST_CASE("a failing write is an io_error and leaves nothing behind", "[export]") {
  temp_dir dir;
  SECTION("the disk is full (file size limit)") {
    caf::expected<std::string> path = std::string{};
    {
      file_size_limit limit{1024};
      path = write_transcript(dir.path, "t.txt", lines(100));
    }
    REQUIRE_FALSE(path);
    CHECK(is(path.error(), errc::io_error));
    CHECK(describe(path.error()).find("t.txt") != std::string::npos);
    CHECK(dir.entries().empty());
  }
  SECTION("the directory does not exist") {
    auto path = write_transcript(dir.path + "/missing", "t.txt", lines(1));
    REQUIRE_FALSE(path);
    CHECK(is(path.error(), errc::io_error));
  }
}

TEST_CASE_METHOD(actor_fixture, "export through the manager: failure changes nothing, retry works",
                 "[export][session]") {
  temp_dir dir;
  session_manager_config cfg;
  cfg.path = "/t/sessions";
  cfg.kernels["default"].command = {demo_kernel};
  cfg.export_dir = dir.path;
  auto manager = spawn_session_manager(*sys, cfg, io);
  auto info = ask<session_info>(manager, create_atom::value, session_request{});
  REQUIRE(info);
  auto dist = *ask<caf::actor>(manager, get_child_atom::value, info->id);
  caf::scoped_actor client{*sys};
  attach(client, dist);
  client->send(dist, input_atom::value, std::string{"burst 200"});
  client_view v;
  REQUIRE(receive_until(client, dist, v, [](auto& x) { return x.lines.size() >= 200; }));
  caf::expected<std::string> failed = std::string{};
  {
    file_size_limit limit{512};
    failed = ask<std::string>(manager, export_atom::value, info->id);
  }
  REQUIRE_FALSE(failed);
  CHECK(is(failed.error(), errc::io_error));
  CHECK(dir.entries().empty());
  CHECK(ask<session_info>(manager, info_atom::value, info->id)->kernel.state == "running");
  auto path = ask<std::string>(manager, export_atom::value, info->id);
  REQUIRE(path);
  auto text = slurp(*path);
  CHECK(text.rfind("burst 1\n", 0) == 0);
  CHECK(text.find("burst 200\n") != std::string::npos);
  (*self)->send_exit(manager, caf::exit_reason::user_shutdown);
  CHECK(wait_down(manager) == caf::exit_reason::user_shutdown);
}
