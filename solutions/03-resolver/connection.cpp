// Lab 03, part 3 — getting a connected socket: the reference solution.

#include "connection.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::resolver {
namespace {

// One attempt: 0 and an open, connected, blocking socket in `connected`, or the errno.
int try_connect(const AddressInfo& candidate, std::chrono::milliseconds timeout,
                const std::optional<Endpoint>& source, FileDescriptor& connected) {
  FileDescriptor fd(::socket(candidate.family, candidate.socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                             candidate.protocol));
  if (!fd) {
    return errno;
  }
  try {
    if (source) {
      const SocketAddress local = numeric_address(source->address, source->port);
      if (::bind(fd.get(), local.get(), local.length) == -1) {
        return errno;
      }
    }
    const SocketAddress remote = numeric_address(candidate.address, candidate.port);
    if (::connect(fd.get(), remote.get(), remote.length) == -1) {
      if (errno != EINPROGRESS) {
        return errno;
      }
      // The connection is under way; wait until the socket is writable.
      pollfd waiting{fd.get(), POLLOUT, 0};
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      int ready;
      do {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        ready = ::poll(&waiting, 1, static_cast<int>(std::max<long>(left.count(), 0)));
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
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) == -1) {
        return errno;
      }
      if (error != 0) {
        return error;
      }
    }
  } catch (const std::system_error& error) {
    return error.code().category() == std::system_category() ? error.code().value() : EINVAL;
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags == -1 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) == -1) {
    return errno;
  }
  connected = std::move(fd);
  return 0;
}

}  // namespace

std::pair<FileDescriptor, FileDescriptor> socket_pair(int family, int type, int protocol) {
  int fds[2];
  check("socketpair", ::socketpair(family, type | SOCK_CLOEXEC, protocol, fds));
  return {FileDescriptor(fds[0]), FileDescriptor(fds[1])};
}

FileDescriptor from_fd(int fd) { return FileDescriptor(check("fcntl", ::fcntl(fd, F_DUPFD_CLOEXEC, 0))); }

FileDescriptor connect_first(const std::vector<AddressInfo>& candidates, std::chrono::milliseconds attempt_timeout,
                             const std::optional<Endpoint>& source) {
  if (candidates.empty()) {
    throw std::invalid_argument("connect_first: no addresses to connect to");
  }
  std::string tried;
  int last_error = 0;
  for (const AddressInfo& candidate : candidates) {
    FileDescriptor connected;
    last_error = try_connect(candidate, attempt_timeout, source, connected);
    if (last_error == 0) {
      return connected;
    }
    tried += (tried.empty() ? "" : ", ") + candidate.address + " port " + std::to_string(candidate.port) + " (" +
             std::strerror(last_error) + ")";
  }
  // what() appends the last error's message to this.
  throw std::system_error(last_error, std::system_category(), "connect: tried " + tried);
}

FileDescriptor create_connection(const std::string& host, std::uint16_t port, std::chrono::milliseconds attempt_timeout,
                                 const std::optional<Endpoint>& source) {
  return connect_first(get_address_info(host, std::to_string(port), {.socktype = SOCK_STREAM}), attempt_timeout,
                       source);
}

}  // namespace socklab::resolver
