// Watcher: real files and real inotify (and the forced polling fallback).
//
//   watcher ──file_changed──▶ test (owner)
#include "actor_fixture.hpp"
#include "actors/watcher.hpp"

#include <cstdio>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace arbor;
using namespace arbor::test;

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::trunc};
  out << text;
}

/// The next file event, or kind "" after `timeout`.
file_event next_event(caf::scoped_actor& self, std::chrono::milliseconds timeout = 5s) {
  file_event ev;
  self->receive([&](file_changed_atom, const file_event& e) { ev = e; },
                caf::after(timeout) >> [] {});
  return ev;
}

std::string mode_of(actor_fixture& f, const caf::actor& w) {
  // The mode is known once the I/O side started; ask until it is (bounded).
  for (int i = 0; i < 5000; ++i) {
    auto m = f.ask<std::string>(w, info_atom::value);
    if (m && !m->empty())
      return *m;
    std::this_thread::yield();
  }
  return {};
}

void run_scenarios(actor_fixture& f, bool polling) {
  temp_dir dir;
  auto file = dir.path + "/notebook.txt";
  write_file(file, "v1");
  watcher_config cfg;
  cfg.debounce = 100ms;
  cfg.poll_interval = 50ms;
  cfg.force_polling = polling;
  auto w = spawn_watcher(*f.sys, f.io, file, cfg, *f.self);
  REQUIRE(mode_of(f, w) == (polling ? "polling" : "inotify"));

  // A burst of writes is one event.
  for (int i = 0; i < 20; ++i)
    write_file(file, "v" + std::to_string(i));
  auto ev = next_event(*f.self);
  CHECK(ev.kind == "changed");
  CHECK(ev.path == file);
  CHECK(next_event(*f.self, 300ms).kind.empty()); // nothing else from that burst

  // An editor's save: write a temp file, rename it over the original.
  write_file(file + ".tmp", "saved");
  REQUIRE(std::rename((file + ".tmp").c_str(), file.c_str()) == 0);
  CHECK(next_event(*f.self).kind == "changed");

  // Deleted, then back: the watcher keeps following it.
  REQUIRE(std::remove(file.c_str()) == 0);
  CHECK(next_event(*f.self).kind == "deleted");
  write_file(file, "back");
  CHECK(next_event(*f.self).kind == "recreated");
  write_file(file, "again");
  CHECK(next_event(*f.self).kind == "changed");

  (*f.self)->send_exit(w, caf::exit_reason::user_shutdown);
  CHECK(f.wait_down(w) == caf::exit_reason::user_shutdown);
}

} // namespace

TEST_CASE_METHOD(actor_fixture, "inotify: bursts coalesce, rename-saves, delete and recreate",
                 "[watcher]") {
  run_scenarios(*this, false);
}

TEST_CASE_METHOD(actor_fixture, "forced polling: the same behaviour", "[watcher]") {
  run_scenarios(*this, true);
}
