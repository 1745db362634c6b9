#pragma once
/// \file
/// Lab 05 — the client calls (article section 二.4.2: `s.connect((host,port))`
/// and `s.connect_ex((host,port))`), and the loop of a client that talks.
///
/// `connect(2)` asks the kernel to open a TCP connection from a socket to a
/// server.  Python's `connect` raises when that fails; `connect_ex` returns
/// the error number instead (0 on success), the C call's `errno` as an int.
/// You write both, a connect with a time-out, and then the two things the
/// article's Client.py gets wrong: reading from a byte stream, and noticing
/// that the server has gone.
///
/// Sockets here are `socklab::FileDescriptor`s, the support library's owner
/// of a descriptor (the same idea as your chapter 01 `Socket`).  Addresses are
/// numeric only ("127.0.0.1", "::1"): this lab never looks a name up.
///
/// Do not change the declarations; write the code in `client.cpp`.

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "socklab/file_descriptor.hpp"

namespace socklab::client {

/// Where to connect: a numeric address and a port.  Python: the tuple `(host, port)`.
struct Endpoint {
  std::string address;     ///< "127.0.0.1", "::1", …: numeric text only
  std::uint16_t port = 0;  ///< host byte order
};

/// A socket address of either family, in storage big enough for both.
struct SocketAddress {
  sockaddr_storage storage{};  ///< a `sockaddr_in` or a `sockaddr_in6` inside; every other byte 0
  socklen_t length = 0;        ///< how many bytes of `storage` are the address

  /// The address as the `const sockaddr*` that `connect` takes.
  /// \return a pointer to `storage`, valid as long as this object; pass
  ///   `length` with it.
  [[nodiscard]] const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
  /// `AF_INET` or `AF_INET6` (the `ss_family` inside).
  /// \return `storage.ss_family`: `AF_INET`, `AF_INET6`, or `AF_UNSPEC` (0)
  ///   for a default-constructed SocketAddress.
  [[nodiscard]] int family() const noexcept { return storage.ss_family; }
};

// ---- Task 1: addresses and sockets -----------------------------------------

/// The socket address of \p endpoint, built by hand with `inet_pton(3)`:
/// first as IPv4 (`AF_INET`, a zeroed `sockaddr_in`, length
/// `sizeof(sockaddr_in)`), else as IPv6 (`AF_INET6`, a zeroed `sockaddr_in6`,
/// length `sizeof(sockaddr_in6)`).  The port goes in network byte order.
/// `inet_pton` takes only the strict forms: "127.1", " 127.0.0.1", "localhost"
/// and "fe80::1%lo" are not addresses here.
/// \throws std::invalid_argument when the text is neither (Python raises too:
///   a bad address is a mistake in the call, not a failed connection).
/// \param endpoint  a numeric IPv4 or IPv6 address and a port in host byte order.
/// \return the `sockaddr_in` or `sockaddr_in6` and its length.
[[nodiscard]] SocketAddress socket_address(const Endpoint& endpoint);

/// A new TCP socket of the family \p endpoint's address needs (`AF_INET` for
/// "127.0.0.1", `AF_INET6` for "::1"), close-on-exec, blocking, not connected.
/// Python: `socket.socket(family, socket.SOCK_STREAM)`.
/// \param endpoint  where the socket will connect; only its address is read.
/// \return the new socket, which the caller owns.
/// \throws std::invalid_argument as socket_address() does.
/// \throws std::system_error naming "socket" (`EAFNOSUPPORT` on a machine
///   without IPv6, for an IPv6 address).
[[nodiscard]] FileDescriptor open_stream(const Endpoint& endpoint);

// ---- Task 2: connect --------------------------------------------------------

/// Connects the socket \p fd to \p endpoint.  Python: `s.connect((host, port))`.
///
/// One `connect(2)` with socket_address(\p endpoint).  The kernel, not you,
/// checks that the address fits the socket: an IPv6 address on an `AF_INET`
/// socket fails there.
///
/// `EINTR` (a signal arrived while a blocking connect waited) is not a
/// failure: the kernel goes on connecting in the background, and calling
/// connect again would only say `EALREADY`.  Do what Python does since 3.5
/// (PEP 475): wait for the attempt to end with `poll(2)` for `POLLOUT` (no
/// time-out; poll again on `EINTR`), then read its outcome with
/// `getsockopt(SOL_SOCKET, SO_ERROR)`: 0, or the error to report.
/// \throws std::invalid_argument for an address that is not numeric text.
/// \throws std::system_error naming "connect", with the error: e.g.
///   `ECONNREFUSED` when nothing listens there, `EINPROGRESS` for a
///   non-blocking socket (the attempt has started; Python raises
///   `BlockingIOError`), `EISCONN` when \p fd is connected already.
/// \param fd  a TCP socket, such as open_stream() returns; it stays the caller's.
/// \param endpoint  a numeric address and a port in host byte order.
void connect(int fd, const Endpoint& endpoint);

// ---- Task 3: connect_ex -----------------------------------------------------

/// Connects like connect(), but returns the error instead of throwing it:
/// 0 on success, else the `errno` value (`ECONNREFUSED`, `EAFNOSUPPORT`, …).
/// Python: `s.connect_ex((host, port))`.
///
/// On a non-blocking socket the usual answer is `EINPROGRESS`: not an error,
/// but "started; poll for `POLLOUT`, then read `SO_ERROR`".  `EINTR` is
/// handled exactly as connect() handles it, so it is never returned.
/// \throws std::invalid_argument for an address that is not numeric text:
///   like Python, connect_ex returns the errors of the connection only.
/// \param fd  a TCP socket, such as open_stream() returns; it stays the caller's.
/// \param endpoint  a numeric address and a port in host byte order.
/// \return 0 when connected, else a positive `errno` value; never `EINTR`.
[[nodiscard]] int connect_ex(int fd, const Endpoint& endpoint);

// ---- Task 4: connect with a time-out ----------------------------------------

/// A new socket (as open_stream() makes it) connected to \p endpoint, or an
/// error after at most about \p timeout.  Python: `settimeout(t)` then `connect`.
///
/// The socket is made non-blocking (`SOCK_NONBLOCK`, or `fcntl` `O_NONBLOCK`);
/// connect returns at once, with success or `EINPROGRESS` ("under way");
/// `poll` for `POLLOUT` for what is left of \p timeout (poll again on
/// `EINTR`, with the time that remains); then `SO_ERROR` says how it ended.
/// Before it is returned, the socket is put back into blocking mode.
/// \throws std::invalid_argument as socket_address() does.
/// \throws std::system_error naming "connect": `ETIMEDOUT` when \p timeout
///   passes first, else the attempt's error (`ECONNREFUSED`, …).
/// \param endpoint  a numeric address and a port in host byte order.
/// \param timeout  how long the whole attempt may take.
/// \return the connected socket, in blocking mode, which the caller owns.
[[nodiscard]] FileDescriptor connect_with_timeout(const Endpoint& endpoint, std::chrono::milliseconds timeout);

// ---- Task 5: reading a byte stream ------------------------------------------

/// What one `recv(2)` on \p fd returns, at most \p max bytes: Python's
/// `c.recv(1024)`.  Blocks until some data is there.  TCP is a stream of
/// bytes with no messages in it: what two `send`s wrote may come back in one
/// call, and one `send` may need several.  Retries on `EINTR`.
/// \param fd  a connected stream socket; it stays the caller's.
/// \param max  the most bytes to take, at least 1.
/// \returns the bytes, 1 to \p max of them; an empty string means the peer closed its end
///   (end of stream), as Python's `b''` does.
/// \throws std::invalid_argument when \p max is 0 (its empty answer would
///   look like the end of the stream).
/// \throws std::system_error naming "recv" (`EAGAIN` after an `SO_RCVTIMEO`
///   time-out, `ECONNRESET`, …).
[[nodiscard]] std::string receive_some(int fd, std::size_t max);

// ---- Task 6: the client's loop ---------------------------------------------

/// How many bytes went each way through relay().
struct RelayTotals {
  std::size_t sent = 0;      ///< from relay()'s `input` to the socket
  std::size_t received = 0;  ///< from the socket to relay()'s `output`
};

/// The loop of an interactive client such as `echo-client`: copies \p input
/// to the connected stream socket \p socket, and what arrives on \p socket to
/// \p output, both at once, until the server closes its end.
///
/// - `poll(2)` on \p input (while it is open) and on \p socket, for `POLLIN`;
///   poll again on `EINTR`.  Never block in a read or write that poll did not
///   say is ready to read (a write may block until all of it is written).
/// - \p input readable: `read` it.  Bytes: send all of them (`send` may take
///   fewer than asked; use `MSG_NOSIGNAL`, so a closed peer is `EPIPE`, not a
///   signal).  End of input (0): `shutdown(socket, SHUT_WR)`, so the server
///   sees the end of the stream too, stop polling \p input, and go on
///   reading replies.
/// - \p socket readable (or `POLLHUP` / `POLLERR`): `recv`.  Bytes: write all
///   of them to \p output.  0: the server has closed: return.  An error: throw.
/// \param input  the descriptor to read what to send from, such as
///   `STDIN_FILENO`: a terminal, a pipe or a file.
/// \param socket  the connected stream socket.
/// \param output  the descriptor to write what arrives to, such as
///   `STDOUT_FILENO`.  (relay() closes none of the three: they stay the caller's.)
/// \returns the totals, when the server has closed its end.
/// \throws std::system_error naming the call that failed ("poll", "read",
///   "send", "shutdown", "recv", "write"), e.g. `ECONNRESET`.
RelayTotals relay(int input, int socket, int output);

}  // namespace socklab::client
