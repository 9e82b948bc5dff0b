#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "parent_channel.h"

namespace mp::channel {
namespace {

// The descriptor may be non-blocking (it was the parent's socket end); wait for it here.
bool WaitReady(int fd, short events) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = poll(&p, 1, -1);
    if (r >= 0) return true;
    if (errno != EINTR) return false;
  }
}

Status ReadExact(int fd, uint8_t* buf, size_t n, bool* eof) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = read(fd, buf + done, n - done);
    if (r > 0) {
      done += static_cast<size_t>(r);
    } else if (r == 0) {
      *eof = true;
      return Status::Ok();
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!WaitReady(fd, POLLIN)) return Status::FromErrno("poll");
    } else if (errno != EINTR) {
      return Status::FromErrno("read");
    }
  }
  return Status::Ok();
}

Status WriteAll(int fd, const uint8_t* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = send(fd, buf + done, n - done, MSG_NOSIGNAL);
    if (r < 0 && errno == ENOTSOCK) r = write(fd, buf + done, n - done);
    if (r >= 0) {
      done += static_cast<size_t>(r);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!WaitReady(fd, POLLOUT)) return Status::FromErrno("poll");
    } else if (errno != EINTR) {
      return Status::FromErrno("write");
    }
  }
  return Status::Ok();
}

void WatchUntilEof(int fd, int grace_ms) {
  uint8_t scratch[256];
  for (;;) {
    if (!WaitReady(fd, POLLIN | POLLRDHUP)) break;
    ssize_t r = read(fd, scratch, sizeof scratch);
    if (r == 0) break;
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;
  }
  kill(getpid(), SIGTERM);
  usleep(static_cast<useconds_t>(grace_ms) * 1000);
  kill(getpid(), SIGKILL);
}

}  // namespace

Status ReadFrame(int fd, size_t max_bytes, std::vector<uint8_t>* out, bool* eof) {
  *eof = false;
  uint8_t header[4];
  Status s = ReadExact(fd, header, sizeof header, eof);
  if (!s.ok() || *eof) return s;
  size_t n = static_cast<size_t>(header[0]) | static_cast<size_t>(header[1]) << 8 |
             static_cast<size_t>(header[2]) << 16 | static_cast<size_t>(header[3]) << 24;
  if (n > max_bytes) return Status::Err(EMSGSIZE, "read");
  out->resize(n);
  return ReadExact(fd, out->data(), n, eof);
}

Status WriteFrame(int fd, const uint8_t* data, size_t n) {
  if (n > UINT32_MAX) return Status::Err(EMSGSIZE, "write");
  uint8_t header[4] = {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                       static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 24)};
  Status s = WriteAll(fd, header, sizeof header);
  return s.ok() ? WriteAll(fd, data, n) : s;
}

Status StartLifeline(int fd, int grace_ms) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) return Status::FromErrno("fcntl");
  std::thread(WatchUntilEof, fd, grace_ms).detach();
  return Status::Ok();
}

}  // namespace mp::channel
