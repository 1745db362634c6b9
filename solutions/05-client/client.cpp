// Lab 05 — the client calls: the reference solution.

#include "client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "socklab/system_error.hpp"

namespace socklab::client {
namespace {

// Waits for a connection attempt under way on `fd` to end, for at most
// `timeout` (negative: no limit).  Returns its outcome: 0, or an errno value.
int wait_for_connect(int fd, std::chrono::milliseconds timeout) {
  const bool forever = timeout.count() < 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd waiting{fd, POLLOUT, 0};
  int ready;
  do {
    int wait = -1;
    if (!forever) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      wait = static_cast<int>(std::max<long>(left.count(), 0));
    }
    ready = ::poll(&waiting, 1, wait);
  } while (ready == -1 && errno == EINTR);
  if (ready == -1) {
    return errno;
  }
  if (ready == 0) {
    return ETIMEDOUT;
  }
  // Writable means "finished", not "succeeded": SO_ERROR says which.
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == -1) {
    return errno;
  }
  return error;
}

void send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent == -1) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("send");
    }
    data += sent;
    size -= static_cast<std::size_t>(sent);
  }
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written == -1) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("write");
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

}  // namespace

SocketAddress socket_address(const Endpoint& endpoint) {
  SocketAddress result;
  auto& ipv4 = reinterpret_cast<sockaddr_in&>(result.storage);
  if (::inet_pton(AF_INET, endpoint.address.c_str(), &ipv4.sin_addr) == 1) {
    ipv4.sin_family = AF_INET;
    ipv4.sin_port = htons(endpoint.port);
    result.length = sizeof ipv4;
    return result;
  }
  result.storage = {};
  auto& ipv6 = reinterpret_cast<sockaddr_in6&>(result.storage);
  if (::inet_pton(AF_INET6, endpoint.address.c_str(), &ipv6.sin6_addr) == 1) {
    ipv6.sin6_family = AF_INET6;
    ipv6.sin6_port = htons(endpoint.port);
    result.length = sizeof ipv6;
    return result;
  }
  throw std::invalid_argument("not a numeric IPv4 or IPv6 address: \"" + endpoint.address + "\"");
}

FileDescriptor open_stream(const Endpoint& endpoint) {
  const SocketAddress address = socket_address(endpoint);
  return FileDescriptor(check("socket", ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0)));
}

int connect_ex(int fd, const Endpoint& endpoint) {
  const SocketAddress address = socket_address(endpoint);
  if (::connect(fd, address.get(), address.length) == 0) {
    return 0;
  }
  if (errno == EINTR) {
    // The attempt goes on without us; wait for its end (PEP 475).
    return wait_for_connect(fd, std::chrono::milliseconds(-1));
  }
  return errno;
}

void connect(int fd, const Endpoint& endpoint) {
  const int error = connect_ex(fd, endpoint);
  if (error != 0) {
    throw std::system_error(error, std::system_category(), "connect");
  }
}

FileDescriptor connect_with_timeout(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  const SocketAddress address = socket_address(endpoint);
  FileDescriptor fd(check("socket", ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)));
  int error = 0;
  if (::connect(fd.get(), address.get(), address.length) == -1) {
    error = errno == EINPROGRESS || errno == EINTR ? wait_for_connect(fd.get(), timeout) : errno;
  }
  if (error != 0) {
    throw std::system_error(error, std::system_category(), "connect");
  }
  const int flags = check("fcntl", ::fcntl(fd.get(), F_GETFL));
  check("fcntl", ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK));
  return fd;
}

std::string receive_some(int fd, std::size_t max) {
  if (max == 0) {
    throw std::invalid_argument("receive_some: max must be at least 1");
  }
  std::string buffer(max, '\0');
  ssize_t got;
  do {
    got = ::recv(fd, buffer.data(), max, 0);
  } while (got == -1 && errno == EINTR);
  if (got == -1) {
    throw_errno("recv");
  }
  buffer.resize(static_cast<std::size_t>(got));
  return buffer;
}

RelayTotals relay(int input, int socket, int output) {
  RelayTotals totals;
  std::vector<char> buffer(16384);
  bool input_open = true;
  for (;;) {
    pollfd watched[2] = {{socket, POLLIN, 0}, {input, POLLIN, 0}};
    const nfds_t count = input_open ? 2 : 1;
    if (::poll(watched, count, -1) == -1) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("poll");
    }
    // The socket first: when the server has closed, there is nobody to send to.
    if (watched[0].revents != 0) {
      ssize_t got;
      do {
        got = ::recv(socket, buffer.data(), buffer.size(), 0);
      } while (got == -1 && errno == EINTR);
      if (got == -1) {
        throw_errno("recv");
      }
      if (got == 0) {
        return totals;  // end of stream: the server closed its end
      }
      write_all(output, buffer.data(), static_cast<std::size_t>(got));
      totals.received += static_cast<std::size_t>(got);
    }
    if (input_open && watched[1].revents != 0) {
      ssize_t got;
      do {
        got = ::read(input, buffer.data(), buffer.size());
      } while (got == -1 && errno == EINTR);
      if (got == -1) {
        throw_errno("read");
      }
      if (got == 0) {
        // No more to send: say so, and keep reading what the server sends.
        check("shutdown", ::shutdown(socket, SHUT_WR));
        input_open = false;
      } else {
        send_all(socket, buffer.data(), static_cast<std::size_t>(got));
        totals.sent += static_cast<std::size_t>(got);
      }
    }
  }
}

}  // namespace socklab::client
