// arbor-demo-kernel: a small line-oriented kernel for arbord and its tests.
//
// Reads one command per line from stdin and answers on stdout:
//   <text>          echo <text>             upper <text>   <TEXT>
//   count           1, 2, 3, ...            burst <n>      n lines "burst <i>"
//   exit <code>     exits with that code    crash          aborts (SIGABRT)
//   stderr <text>   <text> on stderr        ignore-term    SIGTERM is ignored from now on
//   fds             its open descriptors, e.g. "0 1 2"
// SIGINT prints "interrupted" and goes on. End of input ends the kernel (code 0).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

volatile std::sig_atomic_t interrupted = 0;

void on_sigint(int) {
  interrupted = 1;
  const char msg[] = "interrupted\n";
  [[maybe_unused]] auto n = ::write(STDOUT_FILENO, msg, sizeof(msg) - 1);
}

bool starts_with(const std::string& line, const char* prefix, std::string& rest) {
  std::string p{prefix};
  if (line.compare(0, p.size(), p) != 0)
    return false;
  rest = line.substr(p.size());
  return true;
}

/// The process's open descriptors, ascending ("0 1 2"), without the one used
/// to list them.
std::string open_fds() {
  std::vector<int> fds;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.' && std::atoi(e->d_name) != ::dirfd(d))
        fds.push_back(std::atoi(e->d_name));
    ::closedir(d);
  }
  std::sort(fds.begin(), fds.end());
  std::string out;
  for (int fd : fds)
    out += (out.empty() ? "" : " ") + std::to_string(fd);
  return out;
}

void burst(long n) {
  for (long i = 1; i <= n; ++i)
    std::cout << "burst " << i << '\n';
  std::cout.flush();
}

bool run(const std::string& line, long& counter) {
  std::string rest;
  if (starts_with(line, "upper ", rest)) {
    for (auto& c : rest)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::cout << rest << std::endl;
  } else if (line == "count") {
    std::cout << ++counter << std::endl;
  } else if (starts_with(line, "burst ", rest)) {
    burst(std::atol(rest.c_str()));
  } else if (starts_with(line, "exit ", rest)) {
    std::cout.flush();
    std::exit(std::atoi(rest.c_str()));
  } else if (line == "crash") {
    std::cout.flush();
    std::abort();
  } else if (starts_with(line, "stderr ", rest)) {
    std::cerr << rest << std::endl;
  } else if (line == "fds") {
    std::cout << open_fds() << std::endl;
  } else if (line == "ignore-term") {
    std::signal(SIGTERM, SIG_IGN);
    std::cout << "ignoring SIGTERM" << std::endl;
  } else {
    std::cout << line << std::endl;
  }
  return true;
}

} // namespace

int main() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  std::ios::sync_with_stdio(false);
  long counter = 0;
  std::string line;
  while (std::getline(std::cin, line))
    run(line, counter);
  return 0;
}
