#pragma once
/// \file
/// Lab 04 — the server's calls (article section 二.4.1: `bind`, `listen`,
/// `accept`).
///
/// Python's server is three lines: `s.bind((host, port))`, `s.listen(num)`,
/// `conn, addr = s.accept()`.  Under them are `bind(2)`, `listen(2)` and
/// `accept(2)`, with the socket options a real server sets first
/// (`SO_REUSEADDR`, `SO_REUSEPORT`, `IPV6_V6ONLY`) and the socket-address
/// structures that carry the (host, port) pairs.  You write a listener for
/// IPv4, IPv6 and dual-stack IPv6, and an `accept` that hands back the new
/// connection and the peer's address as text.
///
/// Sockets here are `socklab::FileDescriptor`s from the support library.
/// Do not change the declarations; write the code in `listener.cpp`.

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "socklab/file_descriptor.hpp"

namespace socklab::server {

/// A numeric address and a port: the `(host, port)` tuple of Python.
struct Endpoint {
  std::string address;     ///< "127.0.0.1", "::1", "::ffff:127.0.0.1", …
  std::uint16_t port = 0;  ///< host byte order

  /// Two endpoints are equal when address text and port are.
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// The endpoint in the socket address at \p address, \p length bytes long:
/// its address as `inet_ntop(3)` prints it and its port in host byte order.
///
/// Task 1.  An `AF_INET` address is a `sockaddr_in`, an `AF_INET6` address a
/// `sockaddr_in6` (read `ss_family` / `sa_family` first).  An IPv4-mapped IPv6
/// address (an IPv4 client of a dual-stack listener) stays as `inet_ntop`
/// prints it, "::ffff:127.0.0.1", exactly as Python's `accept()` shows it on
/// an `AF_INET6` socket: the address family of the socket, not of the client,
/// decides the form.  (The scope id and flow label of `sockaddr_in6` are
/// left out, as in the tuple's first two elements.)
/// \param address  the socket address, as `accept4` or `getsockname` filled
///   it in; only read.
/// \param length  how many bytes at \p address are valid, as the call reported.
/// \return the address text, such as "127.0.0.1" or "::1", and the port in
///   host byte order.
/// \throws std::system_error naming "endpoint_of" (`EAFNOSUPPORT`) for any other family.
/// \throws std::invalid_argument when \p length is shorter than the family's structure.
[[nodiscard]] Endpoint endpoint_of(const sockaddr* address, socklen_t length);

/// Where \p fd is bound: `getsockname(2)`, then endpoint_of().  After a bind
/// to port 0, this is how you learn the port the kernel chose.
/// Python: `s.getsockname()`.
/// \param fd  an `AF_INET` or `AF_INET6` socket.
/// \return the local address and port; "0.0.0.0" (or "::") and port 0 for a
///   socket not yet bound.
/// \throws std::system_error naming "getsockname" (`EBADF`, `ENOTSOCK`, …).
[[nodiscard]] Endpoint local_endpoint(int fd);

/// What listen_on() sets before it binds.
struct ListenOptions {
  int backlog = 128;           ///< passed to `listen(2)`: bounds the queue of connections not yet accepted
  bool reuse_address = true;   ///< set `SO_REUSEADDR` (on) or leave it off
  bool reuse_port = false;     ///< set `SO_REUSEPORT` (on) or leave it off
  bool dual_stack = false;     ///< IPv6 only: `IPV6_V6ONLY` off (true) or on (false)
};

/// A TCP socket listening on numeric address \p host and \p port.
///
/// Task 2.  The steps, in this order:
/// 1. turn \p host and \p port into a socket address with `getaddrinfo(3)`:
///    flags `AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE`, `SOCK_STREAM`;
///    take the first result and free the list (`freeaddrinfo`) whatever happens;
/// 2. `socket(2)` of that family, `SOCK_STREAM | SOCK_CLOEXEC`;
/// 3. `setsockopt(SOL_SOCKET, SO_REUSEADDR)` to 1 when
///    \p options.reuse_address, else leave it alone; the same for
///    `SO_REUSEPORT` and \p options.reuse_port;
/// 4. for an `AF_INET6` socket only, *always* set `IPPROTO_IPV6`,
///    `IPV6_V6ONLY` to 0 when \p options.dual_stack, else to 1: its default
///    comes from the sysctl `net.ipv6.bindv6only`, so leaving it alone gives
///    different servers on different machines.  (For IPv4, dual_stack is ignored.)
/// 5. `bind(2)`, then `listen(2)` with \p options.backlog.
///
/// Port 0 asks the kernel to pick a free port: local_endpoint() says which.
/// A dual-stack socket may be bound to "::" (every address, both families)
/// or to an IPv4-mapped address such as "::ffff:127.0.0.1"; an IPv6-only one
/// cannot take a mapped address (`bind` fails with `EINVAL`).
/// \throws std::invalid_argument when \p host is not a numeric IPv4 or IPv6
///   address (e.g. "localhost": this function never looks a name up).
/// \throws std::system_error naming the call that failed: "socket",
///   "setsockopt", "bind" (`EADDRINUSE`, `EINVAL`, `EACCES`…) or "listen".
/// \param host  a numeric IPv4 or IPv6 address: "127.0.0.1", "0.0.0.0" or
///   "::" for every address, "::ffff:127.0.0.1", …
/// \param port  the port in host byte order; 0 for one the kernel picks.
/// \param options  the socket options and backlog; see ListenOptions.
/// \return the listening socket, close-on-exec and blocking.
[[nodiscard]] FileDescriptor listen_on(const std::string& host, std::uint16_t port, const ListenOptions& options = {});

/// One accepted connection: Python's `conn, addr = s.accept()`.
struct Accepted {
  FileDescriptor socket;  ///< the new, connected socket (the listener keeps listening)
  Endpoint peer;          ///< the client's address and port
};

/// The next connection on \p listener.
///
/// Task 3.  `accept4(2)` with a `sockaddr_storage` for the peer's address
/// and `SOCK_CLOEXEC`, so the new socket is close-on-exec like the listener.
/// It blocks until a client connects, unless \p listener is non-blocking or
/// has a receive time-out (`SO_RCVTIMEO`): then it fails with `EAGAIN`.
/// A signal handler that interrupts the wait makes `accept4` fail with
/// `EINTR`: call it again (Python has done so since 3.5, PEP 475).
/// The peer comes from endpoint_of() on what `accept4` filled in.
/// \throws std::system_error naming "accept" (`EAGAIN`, `EINVAL` for a socket
///   that is not listening, `EBADF`, …), never for `EINTR`.
/// \param listener  a listening socket, such as listen_on() returns; it stays
///   the caller's.
/// \return the new connection, which the caller now owns, and the peer's
///   endpoint.
[[nodiscard]] Accepted accept_one(int listener);

}  // namespace socklab::server
