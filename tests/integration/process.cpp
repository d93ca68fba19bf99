#include "integration/process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace arbor::test {

child_process::child_process(std::vector<std::string> argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  err_fd_ = fds[0];
}

child_process::~child_process() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (err_fd_ >= 0)
    close(err_fd_);
}

std::string child_process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      seen.push_back(line);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{err_fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
      return "";
    char chunk[4096];
    auto n = read(err_fd_, chunk, sizeof(chunk));
    if (n <= 0)
      return "";
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

bool child_process::wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto line = read_line(left);
    if (line.find(needle) != std::string::npos)
      return true;
    if (line.empty() && buffer_.empty())
      return false;
  }
  return false;
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !exited_)
    kill(pid_, sig);
}

int child_process::wait_exit(std::chrono::milliseconds timeout) {
  // Reading stderr until EOF bounds the wait: the pipe closes when the process ends.
  while (!read_line(timeout).empty()) {
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    auto r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_)
      break;
    if (std::chrono::steady_clock::now() > deadline)
      return -1;
    pollfd none{-1, 0, 0};
    poll(&none, 0, 5); // the pipe is closed; the exit follows within moments
  }
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace arbor::test
