#include "actors/detail/file_watch.hpp"

#include <caf/send.hpp>
#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

namespace arbor::detail {

namespace {

constexpr uint32_t dir_mask = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE |
                              IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

bool stat_file(const std::string& path, struct stat& st) {
  return ::stat(path.c_str(), &st) == 0;
}

bool same_status(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

} // namespace

file_watch::file_watch(boost::asio::io_context& ctx, std::string path, caf::actor owner,
                       std::chrono::milliseconds poll_interval)
  : path_(std::move(path)), owner_(caf::actor_cast<caf::weak_actor_ptr>(owner)),
    poll_interval_(poll_interval), fd_(ctx), timer_(ctx) {
  auto slash = path_.rfind('/');
  dir_ = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  name_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

void file_watch::start(bool force_polling) {
  last_exists_ = stat_file(path_, last_);
  auto mode = !force_polling && start_inotify() ? "inotify" : "polling";
  if (auto owner = caf::actor_cast<caf::actor>(owner_))
    caf::anon_send(owner, fs_mode_atom::value, std::string{mode});
  if (std::strcmp(mode, "polling") == 0)
    start_polling();
}

bool file_watch::start_inotify() {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    return false;
  if (::inotify_add_watch(fd, dir_.c_str(), dir_mask) < 0) {
    ::close(fd);
    return false;
  }
  fd_.assign(fd);
  read_events();
  return true;
}

void file_watch::read_events() {
  fd_.async_read_some(boost::asio::buffer(buf_),
                      [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                        if (ec || self->stopped_)
                          return;
                        self->handle(self->buf_, n);
                        if (self->fd_.is_open())
                          self->read_events();
                      });
}

void file_watch::handle(const char* data, size_t size) {
  bool relevant = false;
  for (size_t off = 0; off + sizeof(inotify_event) <= size;) {
    auto* ev = reinterpret_cast<const inotify_event*>(data + off);
    off += sizeof(inotify_event) + ev->len;
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW)) {
      // The directory went away (or events were lost): fall back to polling.
      boost::system::error_code ignored;
      fd_.close(ignored);
      start_polling();
      report(stat_file(path_, last_));
      return;
    }
    if (ev->len > 0 && name_ == ev->name)
      relevant = true;
  }
  if (relevant)
    report(stat_file(path_, last_));
}

void file_watch::start_polling() {
  timer_.expires_after(poll_interval_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_)
      return;
    self->poll();
    self->start_polling();
  });
}

void file_watch::poll() {
  struct stat now {};
  bool exists = stat_file(path_, now);
  if (exists == last_exists_ && (!exists || same_status(now, last_)))
    return;
  last_ = now;
  report(exists);
}

void file_watch::report(bool exists) {
  last_exists_ = exists;
  if (auto owner = caf::actor_cast<caf::actor>(owner_))
    caf::anon_send(owner, fs_event_atom::value, exists);
}

void file_watch::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  fd_.close(ignored);
  timer_.cancel();
}

} // namespace arbor::detail
