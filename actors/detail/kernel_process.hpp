// The I/O half of a kernel host: the child process and its three pipes, living
// on the io_loop thread for their whole life (created, read, written, reaped and
// destroyed only by handlers running there).
//
// It talks to its owner (the kernel host actor) by messages:
//   owner ← (launched_atom, pid) | (launch_failed_atom, caf::error)
//   owner ← (eof_atom)                      stdout reached end of file
//   owner ← (exited_atom, native status)    the process was reaped
// Its stdout goes to the session's channel when it has one (published on this
// thread, no message), else to the sink:
//   sink  ← (chunk_atom, pid, std::string)  stdout bytes, at most `chunk_size`
// Reading stops while `max_in_flight` chunks are not yet credited (back-pressure
// towards the kernel: it blocks on a full pipe instead of arbor buffering).
// stdin is a kernel_stdin shared with the host (and the channel): writers put
// lines straight into the pipe; this object only waits for the pipe to take
// more when it was full, and closes it.
#pragma once
#include "actors/detail/kernel_pool.hpp"
#include "actors/detail/kernel_stdin.hpp"
#include "actors/kernel.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <memory>
#include <string>
#include <sys/types.h>

namespace arbor {
class session_channel;
}

namespace arbor::detail {

using launched_atom = caf::atom_constant<caf::atom("launched")>;
using launch_failed_atom = caf::atom_constant<caf::atom("launchfail")>;
using eof_atom = caf::atom_constant<caf::atom("eof")>;
using exited_atom = caf::atom_constant<caf::atom("exited")>;
using chunk_atom = caf::atom_constant<caf::atom("chunk")>;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using term_atom = caf::atom_constant<caf::atom("term")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;

class kernel_process : public std::enable_shared_from_this<kernel_process> {
public:
  kernel_process(boost::asio::io_context& ctx, caf::actor owner, caf::actor sink,
                 const kernel_spec& spec, std::shared_ptr<kernel_stdin> in,
                 std::shared_ptr<session_channel> chan);
  ~kernel_process();

  // -- called on the io_loop thread only -------------------------------------
  void launch(const kernel_spec& spec);
  /// `n` chunks were consumed; reading resumes.
  void credit(size_t n = 1);
  /// The owner is gone: kill the group if it still runs, keep reaping, send nothing.
  void abandon();

private:
  void read_stdout();
  void read_stderr();
  void wait_exit();
  void wait_stdin();
  void close_stdin();
  void publish(std::string_view bytes);
  void send_owner(caf::message msg);
  void run(std::unique_ptr<started_process> started);

  boost::asio::io_context& ctx_;
  caf::weak_actor_ptr owner_;
  caf::actor sink_;
  std::string name_;
  size_t chunk_size_;
  size_t max_in_flight_;
  std::unique_ptr<started_process> p_; ///< the process and its pipes
  pid_t pid_ = 0;
  bool reaped_ = false;
  bool reading_ = false;
  bool stdout_done_ = false;
  size_t in_flight_ = 0;
  std::string err_line_;
  std::shared_ptr<kernel_stdin> in_;
  std::shared_ptr<session_channel> chan_;
};

using kernel_process_ptr = std::shared_ptr<kernel_process>;

/// SIGKILL / SIGTERM / SIGINT to the process group `pid` (no-op when 0).
void signal_group(pid_t pid, int sig) noexcept;

} // namespace arbor::detail
