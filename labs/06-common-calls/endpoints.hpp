#pragma once
/// \file
/// Lab 06, part 2 — addresses and datagrams (article section 二.4.3:
/// `s.getsockname`, `s.getpeername`, `s.sendto`, `s.recvfrom`).
///
/// Python shows a socket address as a tuple, `('127.0.0.1', 5000)` or
/// `('::1', 5000, 0, 0)`; C has a `struct sockaddr_in` or `sockaddr_in6` in a
/// `sockaddr_storage`, with the port in network byte order.  Here you convert
/// between the two, ask the kernel for a socket's own and its peer's address,
/// and send and receive datagrams, each with an address.
///
/// Do not change the declarations; write the code in `endpoints.cpp`.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace socklab::calls {

/// A numeric IP address and a port: Python's `(host, port)` tuple.
struct Endpoint {
  std::string address;     ///< "127.0.0.1", "::1", "fe80::1"
  std::uint16_t port = 0;  ///< host byte order

  /// Two endpoints are equal when address and port are.
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// A socket address of either IP family, as `bind`, `connect`, `sendto`
/// take it and `getsockname`, `getpeername`, `recvfrom` fill it.
struct SocketAddress {
  sockaddr_storage storage{};  ///< a `sockaddr_in` or `sockaddr_in6` inside
  socklen_t length = 0;        ///< how many bytes of `storage` are the address

  /// The address as the `const sockaddr*` the system calls take.
  /// \return a pointer to `storage`, valid as long as this object; pass
  ///   `length` with it.
  [[nodiscard]] const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
  /// The same, writable, for calls that fill it in.
  /// \return a pointer to `storage`, valid as long as this object; pass
  ///   `&length`, set to `sizeof storage` first, with it.
  [[nodiscard]] sockaddr* get() noexcept { return reinterpret_cast<sockaddr*>(&storage); }
};

/// The socket address of \p endpoint: a `sockaddr_in` when its address is
/// IPv4 text (`inet_pton(AF_INET, …)` accepts it), else a `sockaddr_in6` when
/// it is IPv6 text; zeroed, then family, port (network order) and address
/// filled in; length `sizeof` the structure used.  No name look-ups.
/// \param endpoint  a numeric IPv4 or IPv6 address and a port in host byte order.
/// \return the `sockaddr_in` or `sockaddr_in6`, with `length` set.
/// \throws std::invalid_argument when the address is neither.
[[nodiscard]] SocketAddress socket_address(const Endpoint& endpoint);

/// The endpoint in \p address: for `AF_INET` and `AF_INET6`, the address as
/// `inet_ntop(3)` writes it ("::1", "::ffff:127.0.0.1") and the port in host
/// byte order.
/// \param address  a socket address, as socket_address() made it or a system
///   call filled it in; its family decides how it is read.
/// \return the address text and the port.
/// \throws std::invalid_argument for any other family.
[[nodiscard]] Endpoint endpoint_of(const SocketAddress& address);

/// \p endpoint as text, the way URLs write it: "127.0.0.1:5000" for IPv4,
/// "[::1]:5000" for IPv6 (an address with a ':' goes in brackets).
/// \param endpoint  any endpoint; its address is not checked.
/// \return "address:port", the port in decimal.
[[nodiscard]] std::string to_text(const Endpoint& endpoint);

/// The address \p fd is bound to (`getsockname(2)`): after binding to port 0,
/// the port the kernel chose.  Python: `s.getsockname()`.
/// \param fd  an `AF_INET` or `AF_INET6` socket; it stays the caller's.
/// \return the local address and port.
/// \throws std::system_error naming "getsockname";
///   std::invalid_argument when \p fd is not an IP socket.
[[nodiscard]] Endpoint local_endpoint(int fd);

/// The address of the peer of the connected socket \p fd (`getpeername(2)`).
/// Python: `s.getpeername()`.
/// \param fd  a connected `AF_INET` or `AF_INET6` socket; it stays the caller's.
/// \return the peer's address and port.
/// \throws std::system_error naming "getpeername" (`ENOTCONN` when \p fd is
///   not connected); std::invalid_argument when \p fd is not an IP socket.
[[nodiscard]] Endpoint peer_endpoint(int fd);

/// One datagram and where it came from.
struct Datagram {
  std::string data;     ///< its bytes (cut to the size asked for, if longer)
  SocketAddress from;   ///< the sender's address, as `recvfrom(2)` filled it
};

/// Sends \p data as one datagram to \p to on the (usually unconnected) socket
/// \p fd: one `sendto(2)` with \p flags and `MSG_NOSIGNAL`, `EINTR` retried.
/// It does not connect \p fd: each call names its own destination.
/// Python: `s.sendto(data, flags, address)`.
/// \param fd  a datagram socket; it stays the caller's.
/// \param data  the datagram's bytes; may be empty (an empty datagram).
/// \param to  the destination, such as socket_address() makes.
/// \param flags  `MSG_*` flags for `sendto`, such as `MSG_DONTWAIT`; 0 for none.
/// \return how many bytes were sent: `data.size()` for UDP.
/// \throws std::system_error naming "sendto" (`EMSGSIZE` for a datagram too
///   big, `EAGAIN`, …).
std::size_t send_to(int fd, std::string_view data, const SocketAddress& to, int flags = 0);

/// Receives one datagram of at most \p max_size bytes on \p fd, and its
/// sender's address: one `recvfrom(2)` with \p flags, `EINTR` retried.  A
/// longer datagram is cut to \p max_size and the rest of it is lost.
/// Python: `s.recvfrom(max_size, flags)`.
/// \param fd  a bound datagram socket; it stays the caller's.
/// \param max_size  the most bytes to keep of the datagram.
/// \param flags  `MSG_*` flags for `recvfrom`, such as `MSG_DONTWAIT` or
///   `MSG_PEEK`; 0 for none.
/// \return the datagram's bytes (at most \p max_size; empty for an empty
///   datagram) and the sender's address.
/// \throws std::system_error naming "recvfrom" (`EAGAIN` when nothing came
///   within `SO_RCVTIMEO`, or on a non-blocking socket).
[[nodiscard]] Datagram receive_from(int fd, std::size_t max_size, int flags = 0);

}  // namespace socklab::calls
