// Test helper: runs a program as a child process with its stdout and stderr on
// one pipe, reads lines with bounded waits and sends it signals.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace arbor::test {

class child_process {
public:
  explicit child_process(std::vector<std::string> argv);
  ~child_process();

  /// The next output line, or "" after `timeout` / end of output.
  std::string read_line(std::chrono::milliseconds timeout);
  /// Reads lines until one contains `needle`; every line read is kept in `seen`.
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout);
  void signal(int sig);
  /// Waits for the exit (bounded); the exit code, 128+signal, or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout);

  std::vector<std::string> seen;
  int pid() const noexcept { return pid_; }

private:
  int pid_ = -1;
  int err_fd_ = -1;
  std::string buffer_;
  bool exited_ = false;
};

} // namespace arbor::test
