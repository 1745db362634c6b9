// Lab 06, part 1 — moving bytes over a connection: the reference solution.

#include "stream_io.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "socklab/system_error.hpp"

namespace socklab::calls {

std::size_t send_some(int fd, std::string_view data, int flags) {
  ssize_t sent;
  do {
    sent = ::send(fd, data.data(), data.size(), flags | MSG_NOSIGNAL);
  } while (sent == -1 && errno == EINTR);
  return static_cast<std::size_t>(check("send", sent));
}

void send_all(int fd, std::string_view data, int flags) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), flags | MSG_NOSIGNAL);
    if (sent >= 0) {
      data.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      throw_errno("send");
    }
    // Non-blocking and the buffer is full: wait until there is room.
    pollfd writable{fd, POLLOUT, 0};
    while (::poll(&writable, 1, -1) == -1) {
      if (errno != EINTR) {
        throw_errno("poll");
      }
    }
  }
}

std::string receive(int fd, std::size_t max_size, int flags) {
  std::string buffer(max_size, '\0');
  ssize_t got;
  do {
    got = ::recv(fd, buffer.data(), buffer.size(), flags);
  } while (got == -1 && errno == EINTR);
  buffer.resize(static_cast<std::size_t>(check("recv", got)));
  return buffer;
}

std::string receive_exact(int fd, std::size_t size) {
  std::string buffer(size, '\0');
  std::size_t have = 0;
  while (have < size) {
    const ssize_t got = ::recv(fd, buffer.data() + have, size - have, 0);
    if (got == -1) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("recv");
    }
    if (got == 0) {
      throw EndOfStream(size, have);
    }
    have += static_cast<std::size_t>(got);
  }
  return buffer;
}

void shut_down(int fd, int how) { check("shutdown", ::shutdown(fd, how)); }

}  // namespace socklab::calls
