// The I/O half of a watcher: inotify on the file's directory (or polling), on
// the io_loop thread. Reports raw events to its owner as
// (fs_event_atom, bool exists) and, once, (fs_mode_atom, "inotify" | "polling").
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <sys/stat.h>

namespace arbor::detail {

using fs_event_atom = caf::atom_constant<caf::atom("fsevent")>;
using fs_mode_atom = caf::atom_constant<caf::atom("fsmode")>;

class file_watch : public std::enable_shared_from_this<file_watch> {
public:
  file_watch(boost::asio::io_context& ctx, std::string path, caf::actor owner,
             std::chrono::milliseconds poll_interval);

  // -- io_loop thread only --
  void start(bool force_polling);
  void stop();

private:
  bool start_inotify();
  void read_events();
  void handle(const char* data, size_t size);
  void start_polling();
  void poll();
  void report(bool exists);

  std::string path_;
  std::string dir_;
  std::string name_;
  caf::weak_actor_ptr owner_;
  std::chrono::milliseconds poll_interval_;
  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer timer_;
  char buf_[8192];
  bool stopped_ = false;
  struct stat last_ {};
  bool last_exists_ = false;
};

} // namespace arbor::detail
