#pragma once
/// \file
/// Loopback endpoints a test makes for itself: port 0, time-outs on everything.

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>

#include "socklab/file_descriptor.hpp"

namespace socklab::testkit {

/// A TCP socket on a loopback address, and the port the kernel gave it.
struct LoopbackPort {
  FileDescriptor socket;   ///< keep it open while the port is in use
  std::uint16_t port = 0;  ///< host byte order
};

/// A TCP socket listening on 127.0.0.1 (`AF_INET`) or ::1 (`AF_INET6`), on a
/// port the kernel chooses, with \p backlog.  `accept` on it gives up after 5 s.
/// With a backlog of 0 the kernel queues one connection and then drops new
/// SYNs: a further connect() to it hangs, which tests of time-outs use.
LoopbackPort listen_on_loopback(int family = AF_INET, int backlog = 16);

/// A port on 127.0.0.1 where nothing listens: the socket is bound (so nobody
/// else takes the port) but not listening, so a connect() there is refused.
LoopbackPort refused_loopback_port();

/// The next connection on \p listener (close-on-exec), within its time-out.
/// \throws std::system_error naming "accept" (`EAGAIN` after the time-out).
FileDescriptor accept_one(const LoopbackPort& listener, sockaddr_storage* peer = nullptr);

/// Connects a test-side client to 127.0.0.1:\p port without waiting for the
/// handshake to finish (non-blocking); used to fill a listener's queue.
FileDescriptor start_connect(std::uint16_t port);

/// Two connected sockets, both with 5 s I/O time-outs.
struct ConnectedPair {
  FileDescriptor a;  ///< for a TCP pair, the client
  FileDescriptor b;  ///< for a TCP pair, the accepted server side
};

/// An `AF_UNIX` socket pair of \p type (close-on-exec).
ConnectedPair unix_pair(int type = SOCK_STREAM);

/// A TCP connection over the loopback address of \p family, port 0.
/// \p before_connect runs on the client socket before `connect` (buffer
/// sizes must be set before the handshake).
ConnectedPair tcp_pair(int family = AF_INET, const std::function<void(int)>& before_connect = {});

/// How many IPv4 TCP sockets on local port \p port are in TIME_WAIT (state 06
/// in /proc/net/tcp), waiting up to \p limit for one to appear.
int time_wait_count(std::uint16_t port, std::chrono::milliseconds limit = std::chrono::seconds(1));

/// The port of the local (`getsockname`) or remote (`getpeername`) end of \p fd.
std::uint16_t local_port(int fd);
std::uint16_t peer_port(int fd);  ///< \copydoc local_port

}  // namespace socklab::testkit
