// Lab 01 — socket types: the reference solution.

#include "socket_types.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <utility>

#include "socklab/system_error.hpp"

namespace socklab::socket_types {
namespace {

// All three accessors are one getsockopt(SOL_SOCKET, ...) returning an int.
int socket_option(int fd, int option) {
  int value = 0;
  socklen_t size = sizeof value;
  check("getsockopt", ::getsockopt(fd, SOL_SOCKET, option, &value, &size));
  return value;
}

}  // namespace

Socket::Socket(int family, int type, int protocol)
    // SOCK_CLOEXEC sets close-on-exec in the same call: setting it later with
    // fcntl would leave a window in which another thread's exec inherits it.
    : fd_(check("socket", ::socket(family, type | SOCK_CLOEXEC, protocol))) {}

Socket::~Socket() {
  // close(2) is not retried on EINTR: Linux has released the descriptor by
  // then, and a retry could close one that another thread has just opened.
  if (fd_ >= 0 && ::close(fd_) == -1) {
    (void)std::fprintf(stderr, "socklab: close(%d): %s\n", fd_, std::strerror(errno));
  }
}

Socket::Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    // Our old descriptor goes into a temporary whose destructor closes it.
    Socket old;
    old.fd_ = std::exchange(fd_, std::exchange(other.fd_, -1));
  }
  return *this;
}

int Socket::fileno() const noexcept { return fd_; }

int Socket::detach() noexcept { return std::exchange(fd_, -1); }

void Socket::close() {
  // Empty first: whatever close(2) says, the descriptor is no longer ours.
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0) {
    check("close", ::close(fd));
  }
}

int Socket::family() const { return socket_option(fd_, SO_DOMAIN); }

int Socket::type() const { return socket_option(fd_, SO_TYPE); }

int Socket::protocol() const { return socket_option(fd_, SO_PROTOCOL); }

ProbeResult probe(const SocketKind& kind) {
  try {
    const Socket socket(kind.family, kind.type, kind.protocol);
    return ProbeResult{kind, 0};
  } catch (const std::system_error& error) {
    return ProbeResult{kind, error.code().value()};
  }
}

std::string_view family_name(int family) {
  switch (family) {
    case AF_UNSPEC: return "AF_UNSPEC";
    case AF_UNIX: return "AF_UNIX";
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_NETLINK: return "AF_NETLINK";
    case AF_PACKET: return "AF_PACKET";
    default: return "unknown";
  }
}

std::string_view type_name(int type) {
  switch (type) {
    case SOCK_STREAM: return "SOCK_STREAM";
    case SOCK_DGRAM: return "SOCK_DGRAM";
    case SOCK_RAW: return "SOCK_RAW";
    case SOCK_RDM: return "SOCK_RDM";
    case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
    default: return "unknown";
  }
}

}  // namespace socklab::socket_types
