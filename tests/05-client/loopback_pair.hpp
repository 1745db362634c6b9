#pragma once
// Test-side helpers of lab 05: IPv6 loopback endpoints (testkit's are IPv4
// where a family cannot be chosen) and a connected TCP pair made without the
// student's code, so a test of one task never depends on another task.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>
#include <utility>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

namespace socklab::client::testing {

using namespace std::chrono_literals;

/// 0 when this machine can make an IPv6 TCP socket and bind it to ::1, else
/// the errno of the step that failed.  Tests check both paths by this probe.
inline int ipv6_loopback_error() {
  FileDescriptor fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return errno;
  }
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == -1) {
    return errno;
  }
  return 0;
}

inline sockaddr_in6 ipv6_loopback(std::uint16_t port) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  address.sin6_port = htons(port);
  return address;
}

/// A port on ::1 where nothing listens (bound, not listening): connecting is refused.
inline testkit::LoopbackPort refused_ipv6_port() {
  FileDescriptor fd(check("socket", ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  const sockaddr_in6 address = ipv6_loopback(0);
  check("bind", ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
  const std::uint16_t port = testkit::local_port(fd.get());
  return {std::move(fd), port};
}

/// testkit::start_connect for ::1: a non-blocking connect, left under way.
inline FileDescriptor start_connect_ipv6(std::uint16_t port) {
  FileDescriptor fd(check("socket", ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)));
  const sockaddr_in6 address = ipv6_loopback(port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == -1 &&
      errno != EINPROGRESS) {
    throw_errno("connect");
  }
  return fd;
}

/// A listener whose queue is full (backlog 0, one connection queued): a
/// further connect() there hangs, since the kernel drops the new SYNs.
struct FullQueue {
  testkit::LoopbackPort listener;
  FileDescriptor queued;
};

inline FullQueue full_queue(int family = AF_INET) {
  FullQueue full{testkit::listen_on_loopback(family, 0), {}};
  full.queued = family == AF_INET6 ? start_connect_ipv6(full.listener.port) : testkit::start_connect(full.listener.port);
  std::this_thread::sleep_for(100ms);  // let that connection reach the queue
  return full;
}

/// Both ends of a TCP connection over 127.0.0.1, made by the test alone,
/// with 5 s time-outs on each.
struct TcpPair {
  FileDescriptor client;
  FileDescriptor server;
};

inline TcpPair tcp_pair() {
  const auto listener = testkit::listen_on_loopback(AF_INET, 1);
  FileDescriptor client(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(listener.port);
  testkit::set_io_timeout(client.get(), 5s);  // also bounds connect()
  check("connect", ::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
  FileDescriptor server = testkit::accept_one(listener);
  return {std::move(client), std::move(server)};
}

/// Waits (at most about 2 s) until \p fd has \p bytes bytes ready to read.
inline bool wait_for_bytes(int fd, int bytes) {
  for (int i = 0; i < 200; ++i) {
    int ready = 0;
    check("ioctl", ::ioctl(fd, FIONREAD, &ready));
    if (ready >= bytes) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

/// The remote port of \p fd, or nothing when it is not connected.
inline std::optional<std::uint16_t> connected_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == -1) {
    return std::nullopt;
  }
  return ntohs(address.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(address).sin6_port
                                             : reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

inline bool is_blocking(int fd) { return (check("fcntl", ::fcntl(fd, F_GETFL)) & O_NONBLOCK) == 0; }

/// A plain socket made by the test: \p family, TCP, close-on-exec.
inline FileDescriptor raw_stream(int family, bool nonblocking = false) {
  return FileDescriptor(
      check("socket", ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0)));
}

}  // namespace socklab::client::testing
