#include "actors/detail/spawn_process.hpp"

#include "messages/errc.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace arbor::detail {

namespace {

/// A descriptor that closes itself.
class unique_fd {
public:
  unique_fd() = default;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }

  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

/// Moves `fd` above stderr: the child puts its pipes on 0–2, which a server
/// started with a closed stdin could have handed out to one of them.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2)
    return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

bool open_pipe(unique_fd& read_end, unique_fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return false;
  read_end.reset(above_stdio(fds[0]));
  write_end.reset(above_stdio(fds[1]));
  return read_end.get() >= 0 && write_end.get() >= 0;
}

/// What the child was doing when it failed (`failure` below words it).
enum class child_step : int { orphaned, process_group, death_signal, stdio, directory, exec };

struct failure_report {
  int step = 0;
  int error = 0;
};

/// Everything the child reads. Prepared by the parent: the child may not
/// allocate (it shares the parent's heap, whose locks another thread may hold).
struct child_plan {
  const char* exe;
  char* const* argv;
  char* const* envp;
  const char* dir; ///< nullptr: stay in the server's directory
  std::array<int, 3> stdio;
  int report; ///< write end of the close-on-exec report pipe
  pid_t parent;
  int max_fd; ///< for the close() loop when close_range is missing
};

/// Closes [from, to]; `to == INT_MAX` means every descriptor from `from` up.
/// Without close_range (Linux < 5.9) a loop up to `loop_max`.
void close_fds(int from, int to, int loop_max) {
  if (from > to)
    return;
  unsigned last = to == INT_MAX ? ~0U : static_cast<unsigned>(to);
  if (::close_range(static_cast<unsigned>(from), last, 0) == 0)
    return;
  for (int fd = from; fd <= std::min(to, loop_max); ++fd)
    ::close(fd);
}

[[noreturn]] void child_fails(const child_plan& p, child_step step) {
  failure_report report{static_cast<int>(step), errno};
  ssize_t written = ::write(p.report, &report, sizeof report);
  static_cast<void>(written); // nothing else to tell: the parent sees no report, then exit 127
  ::_exit(127);
}

/// The child, between vfork and exec: system calls only.
[[noreturn]] __attribute__((no_sanitize_address)) void run_child(const child_plan& p) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    ::sigaction(sig, &dfl, nullptr); // SIGKILL, SIGSTOP and libc's own refuse: harmless
  if (::getppid() != p.parent) {     // with a real fork (under TSan) the parent may be gone
    errno = ESRCH;
    child_fails(p, child_step::orphaned);
  }
  if (::setpgid(0, 0) != 0)
    child_fails(p, child_step::process_group);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
    child_fails(p, child_step::death_signal);
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(p.stdio[fd], fd) < 0)
      child_fails(p, child_step::stdio);
  close_fds(3, p.report - 1, p.max_fd);
  close_fds(p.report + 1, INT_MAX, p.max_fd);
  if (p.dir && ::chdir(p.dir) != 0)
    child_fails(p, child_step::directory);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(p.exe, p.argv, p.envp);
  child_fails(p, child_step::exec);
}

/// vfork in a frame of its own, which the child never returns to.
__attribute__((noinline)) pid_t vfork_child(const child_plan& p) {
  pid_t pid = ::vfork();
  if (pid == 0)
    run_child(p);
  return pid;
}

/// Starts the child with every signal blocked in this thread, so that no
/// handler of the server runs in the child before it reset them.
pid_t start_child(const child_plan& p) {
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = vfork_child(p);
  int saved = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return pid;
}

std::vector<char*> pointers(const std::vector<std::string>& xs) {
  std::vector<char*> result;
  result.reserve(xs.size() + 1);
  for (auto& x : xs)
    result.push_back(const_cast<char*>(x.c_str()));
  result.push_back(nullptr);
  return result;
}

int open_files_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY)
    return 1 << 20;
  return static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 1 << 20));
}

/// The child's report: true and `out` filled when a step failed; false once
/// the pipe closed without one (the exec closed it).
bool read_report(int fd, failure_report& out) {
  ssize_t n;
  do
    n = ::read(fd, &out, sizeof out);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof out);
}

caf::error failure(const spawn_request& req, const failure_report& r) {
  std::string what = std::strerror(r.error);
  switch (static_cast<child_step>(r.step)) {
    case child_step::exec:
      return make_error(errc::start_failed, req.exe + ": " + what);
    case child_step::directory:
      return make_error(errc::start_failed, req.exe + ": cannot enter " + req.dir + ": " + what);
    case child_step::orphaned:
      return make_error(errc::start_failed, req.exe + ": the server died while it started");
    default:
      return make_error(errc::start_failed, req.exe + ": setting up the process: " + what);
  }
}

caf::error system_failure(const spawn_request& req, const char* call) {
  return make_error(errc::start_failed, req.exe + ": " + call + ": " + std::strerror(errno));
}

} // namespace

caf::expected<spawned_process> spawn_process(const spawn_request& req) {
  std::array<unique_fd, 3> child_end;
  std::array<unique_fd, 3> parent_end;
  unique_fd report_read;
  unique_fd report_write;
  if (!open_pipe(child_end[0], parent_end[0]) || !open_pipe(parent_end[1], child_end[1]) ||
      !open_pipe(parent_end[2], child_end[2]) || !open_pipe(report_read, report_write))
    return system_failure(req, "pipe");
  auto argv = pointers(req.argv);
  auto envp = pointers(req.env);
  child_plan plan{req.exe.c_str(),
                  argv.data(),
                  envp.data(),
                  req.dir.empty() ? nullptr : req.dir.c_str(),
                  {child_end[0].get(), child_end[1].get(), child_end[2].get()},
                  report_write.get(),
                  ::getpid(),
                  open_files_limit()};
  pid_t pid = start_child(plan);
  if (pid < 0)
    return system_failure(req, "vfork");
  report_write.reset();
  for (auto& fd : child_end)
    fd.reset();
  failure_report report;
  if (read_report(report_read.get(), report)) {
    ::waitpid(pid, nullptr, 0); // it exits at once; nobody else knows its pid
    return failure(req, report);
  }
  return spawned_process{pid, parent_end[0].release(), parent_end[1].release(),
                         parent_end[2].release()};
}

} // namespace arbor::detail
