#pragma once
// Test-side helpers for lab 04: clients, a raw accept, and what the kernel
// says about a listener's queue and a port's TCP states.  They use raw system
// calls only, so a test of one task never depends on the student's others.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

namespace socklab::server::testing {

using namespace std::chrono_literals;

/// The socket address of numeric \p address and \p port, filled in by hand.
inline sockaddr_storage socket_address(const std::string& address, std::uint16_t port, socklen_t& length) {
  sockaddr_storage storage{};
  if (address.find(':') != std::string::npos) {
    auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
    ipv6.sin6_family = AF_INET6;
    ipv6.sin6_port = htons(port);
    ::inet_pton(AF_INET6, address.c_str(), &ipv6.sin6_addr);
    length = sizeof ipv6;
  } else {
    auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
    ipv4.sin_family = AF_INET;
    ipv4.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &ipv4.sin_addr);
    length = sizeof ipv4;
  }
  return storage;
}

/// A client connected to \p address port \p port (blocking, 2 s time-outs).
inline FileDescriptor connect_to(const std::string& address, std::uint16_t port) {
  socklen_t length = 0;
  const sockaddr_storage remote = socket_address(address, port, length);
  FileDescriptor fd(check("socket", ::socket(remote.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  testkit::set_io_timeout(fd.get(), 2s);  // also bounds connect()
  check("connect", ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&remote), length));
  return fd;
}

/// A client whose connect to 127.0.0.1 port \p port has started but may not have finished.
inline FileDescriptor start_connect(std::uint16_t port) {
  socklen_t length = 0;
  const sockaddr_storage remote = socket_address("127.0.0.1", port, length);
  FileDescriptor fd(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&remote), length) == -1 && errno != EINPROGRESS) {
    throw_errno("connect");
  }
  return fd;
}

/// Whether the non-blocking connect on \p fd finished, and worked, within \p limit.
inline bool connected_within(int fd, std::chrono::milliseconds limit) {
  pollfd waiting{fd, POLLOUT, 0};
  if (check("poll", ::poll(&waiting, 1, static_cast<int>(limit.count()))) == 0) {
    return false;
  }
  return testkit::int_option(fd, SOL_SOCKET, SO_ERROR) == 0;
}

/// The next connection on \p listener, accepted by the test (5 s at most).
inline FileDescriptor raw_accept(int listener) {
  testkit::set_io_timeout(listener, 5s);
  FileDescriptor fd(check("accept", ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)));
  testkit::set_io_timeout(fd.get(), 2s);
  return fd;
}

/// Sends \p text on \p from and reads what arrives on \p to.
inline std::string pass(int from, int to, const std::string& text) {
  testkit::set_io_timeout(from, 2s);
  testkit::set_io_timeout(to, 2s);
  check("send", ::send(from, text.data(), text.size(), MSG_NOSIGNAL));
  char buffer[256];
  const auto got = check("recv", ::recv(to, buffer, sizeof buffer, 0));
  return std::string(buffer, static_cast<std::size_t>(got));
}

/// What Linux reports about a listening socket through TCP_INFO.
struct ListenQueue {
  unsigned waiting = 0;  ///< connections in the accept queue (`tcpi_unacked` on a listener)
  unsigned backlog = 0;  ///< the queue's bound (`tcpi_sacked`): listen()'s backlog, at most somaxconn
};

inline ListenQueue listen_queue(int listener) {
  tcp_info info{};
  socklen_t size = sizeof info;
  check("getsockopt", ::getsockopt(listener, IPPROTO_TCP, TCP_INFO, &info, &size));
  return {info.tcpi_unacked, info.tcpi_sacked};
}

using testkit::time_wait_count;

}  // namespace socklab::server::testing
