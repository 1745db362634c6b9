#pragma once
// Test-side helpers for lab 06: connected sockets made with raw system calls
// (never with the student's code), time-outs on every one, and a reader thread
// that drains a socket so that a writer under test can finish.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "endpoints.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

namespace socklab::calls::testing {

using namespace std::chrono_literals;

using Connected = testkit::ConnectedPair;
using testkit::tcp_pair;
using testkit::unix_pair;

/// The loopback address of \p family with \p port, for raw calls.
inline std::pair<sockaddr_storage, socklen_t> loopback(int family, std::uint16_t port) {
  sockaddr_storage storage{};
  if (family == AF_INET6) {
    auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
    ipv6.sin6_family = AF_INET6;
    ipv6.sin6_addr = in6addr_loopback;
    ipv6.sin6_port = htons(port);
    return {storage, sizeof ipv6};
  }
  auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
  ipv4.sin_family = AF_INET;
  ipv4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ipv4.sin_port = htons(port);
  return {storage, sizeof ipv4};
}

/// A UDP socket bound to the loopback address of \p family, port 0, with time-outs.
inline FileDescriptor udp_on_loopback(int family = AF_INET) {
  FileDescriptor fd(check("socket", ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
  const auto [address, length] = loopback(family, 0);
  check("bind", ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length));
  testkit::set_io_timeout(fd.get(), 5s);
  return fd;
}

inline void set_int_option(int fd, int level, int name, int value) {
  check("setsockopt", ::setsockopt(fd, level, name, &value, sizeof value));
}

inline bool is_non_blocking(int fd) { return (check("fcntl", ::fcntl(fd, F_GETFL)) & O_NONBLOCK) != 0; }

inline void set_non_blocking(int fd) {
  check("fcntl", ::fcntl(fd, F_SETFL, check("fcntl", ::fcntl(fd, F_GETFL)) | O_NONBLOCK));
}

/// Test-side send of all of \p text (within the socket's time-out).
inline void raw_send(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    done += static_cast<std::size_t>(
        check("send", ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL)));
  }
}

/// Test-side single recv: what arrived, "" at end of stream.
inline std::string raw_recv(int fd, std::size_t max = 65536, int flags = 0) {
  std::string buffer(max, '\0');
  buffer.resize(static_cast<std::size_t>(check("recv", ::recv(fd, buffer.data(), buffer.size(), flags))));
  return buffer;
}

/// The errno of the std::system_error that \p work throws, or 0 when it throws none.
template <typename Work>
int errno_of(Work work) {
  try {
    work();
  } catch (const std::system_error& error) {
    return error.code().category() == std::system_category() ? error.code().value() : -1;
  }
  return 0;
}

/// A std::thread that is joined when it goes out of scope, so that a failed
/// REQUIRE or an exception from the code under test never leaves it joinable
/// (which would end the test with std::terminate instead of a message).
class ScopedThread {
 public:
  template <typename Work>
  explicit ScopedThread(Work work) : thread_(std::move(work)) {}
  ~ScopedThread() { join(); }
  ScopedThread(const ScopedThread&) = delete;
  ScopedThread& operator=(const ScopedThread&) = delete;
  /// Waits for the thread now (once).
  void join() {
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  std::thread thread_;
};

/// Reads \p fd on a thread of its own until end of stream, an error, or
/// \p limit bytes; no assertions there.  The destructor shuts the socket down
/// and joins, so a failing test never leaves the thread running.
class Drain {
 public:
  explicit Drain(int fd, std::size_t limit = std::size_t(1) << 30)
      : fd_(fd), thread_([this, limit] {
          char buffer[65536];
          while (received_.size() < limit) {
            const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
            if (got <= 0) {
              break;
            }
            received_.append(buffer, static_cast<std::size_t>(got));
          }
        }) {}
  ~Drain() {
    if (thread_.joinable()) {
      ::shutdown(fd_, SHUT_RDWR);
      thread_.join();
    }
  }
  Drain(const Drain&) = delete;
  Drain& operator=(const Drain&) = delete;

  /// Waits for the reader to stop and returns what it read.
  std::string finish() {
    thread_.join();
    return received_;
  }

 private:
  int fd_;
  std::string received_;
  std::thread thread_;
};

// The address a socket is bound to, read by the test itself with
// getsockname(2) (not with the lab's local_endpoint).
inline SocketAddress raw_local_address(int fd) {
  SocketAddress address;
  address.length = sizeof address.storage;
  socklab::check("getsockname", ::getsockname(fd, address.get(), &address.length));
  return address;
}

}  // namespace socklab::calls::testing
