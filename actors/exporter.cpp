#include "actors/exporter.hpp"

#include "messages/errc.hpp"

#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace arbor {

namespace {

caf::error io_failure(const std::string& what, const std::string& path, int err) {
  return make_error(errc::io_error, what + " " + path + ": " + std::strerror(err));
}

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string render(const std::vector<output_line>& lines) {
  std::string out;
  for (auto& l : lines) {
    out += l.data;
    if (!l.split)
      out += '\n';
  }
  return out;
}

caf::error sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return io_failure("open", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? caf::error{} : io_failure("fsync", dir, err);
}

/// "a.txt", 2 → "a-2.txt".
std::string numbered(const std::string& name, int n) {
  auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0)
    dot = name.size();
  return name.substr(0, dot) + "-" + std::to_string(n) + name.substr(dot);
}

/// Moves `tmp` to `path` unless `path` exists (then EEXIST); 0 or the errno.
int move_no_replace(const std::string& tmp, const std::string& path) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL) // EINVAL: the file system has no RENAME_NOREPLACE
    return errno;
  if (::link(tmp.c_str(), path.c_str()) != 0)
    return errno;
  ::unlink(tmp.c_str());
  return 0;
}

/// Moves `tmp` into `dir` as `name`, or `name-2`, `name-3`, … when that is
/// taken: an export never replaces an earlier one. 0 or the errno; `path` is
/// the last name tried.
int place(const std::string& tmp, const std::string& dir, const std::string& name,
          std::string& path) {
  int err = EEXIST;
  for (int n = 1; n <= 1000 && err == EEXIST; ++n) {
    path = dir + "/" + (n == 1 ? name : numbered(name, n));
    err = move_no_replace(tmp, path);
  }
  return err;
}

} // namespace

caf::expected<std::string> write_transcript(const std::string& dir, const std::string& name,
                                            const std::vector<output_line>& lines) {
  std::string tmp = dir + "/." + name + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    return io_failure("create", tmp, errno);
  bool ok = write_all(fd, render(lines)) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  auto path = dir + "/" + name;
  if (ok && (err = place(tmp, dir, name, path)) != 0)
    ok = false;
  if (!ok) {
    ::unlink(tmp.c_str());
    return io_failure("write", path, err);
  }
  if (auto e = sync_dir(dir))
    return e;
  return path;
}

caf::actor spawn_exporter(caf::actor_system& sys) {
  return sys.spawn<caf::detached>([](caf::event_based_actor* self) -> caf::behavior {
    return {
        [self](export_atom, const std::string& dir, const std::string& name,
               const std::vector<output_line>& lines) -> caf::result<std::string> {
          self->quit();
          auto path = write_transcript(dir, name, lines);
          if (!path)
            return path.error();
          return *path;
        },
    };
  });
}

} // namespace arbor
