#pragma once
/// \file
/// Lab 03, part 3 — getting a connected socket (article section 二.3:
/// `create_connection`, `socketpair`, `fromfd`).
///
/// Sockets here are `socklab::FileDescriptor`s, the support library's owner
/// of a descriptor (the same idea as your chapter 01 `Socket`), so a slip in
/// lab 01 costs nothing here.
///
/// Do not change the declarations; write the code in `connection.cpp`.

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "resolver.hpp"
#include "socklab/file_descriptor.hpp"

namespace socklab::resolver {

/// A numeric address and a port.  Port 0 as a source means "any port".
struct Endpoint {
  std::string address;     ///< "127.0.0.1", "::1", …
  std::uint16_t port = 0;  ///< host byte order
};

/// Two connected sockets, created together (`socketpair(2)`, close-on-exec).
/// Python: `socket.socketpair(family, type, proto)`.
/// \throws std::system_error naming "socketpair" (Linux has socket pairs only
///   for local families such as `AF_UNIX`: `AF_INET` gives `EOPNOTSUPP`).
/// \param family  the address family; `AF_UNIX` by default.
/// \param type  a `SOCK_*` type, such as `SOCK_STREAM` (the default) or
///   `SOCK_DGRAM`.
/// \param protocol  0 for the family's default.
/// \return the two ends, each owning its descriptor; what one end sends, the
///   other receives.
[[nodiscard]] std::pair<FileDescriptor, FileDescriptor> socket_pair(int family = AF_UNIX, int type = SOCK_STREAM,
                                                                    int protocol = 0);

/// A new descriptor for the same socket as \p fd (`fcntl(F_DUPFD_CLOEXEC)`).
/// Python's `socket.fromfd` duplicates too: the caller still owns \p fd and
/// must close it; the result is closed separately, by its own owner.
/// \param fd  an open descriptor, which stays the caller's.
/// \return the owner of the new descriptor.
/// \throws std::system_error naming "fcntl" (`EBADF` if \p fd is not open).
[[nodiscard]] FileDescriptor from_fd(int fd);

/// Connects to the first of \p candidates that accepts, trying them in order.
///
/// For each candidate: a socket of its family, type and protocol
/// (close-on-exec); if \p source is given, `bind` it there first; then a
/// *non-blocking* `connect`, and `poll` for writability for at most
/// \p attempt_timeout; then `getsockopt(SO_ERROR)` says how the attempt
/// ended.  An attempt that does not finish in time fails with `ETIMEDOUT`.
/// The first socket that connects is returned in blocking mode again.
/// A failed attempt is remembered, and the next candidate is tried.
/// \throws std::invalid_argument when \p candidates is empty.
/// \throws std::system_error when every attempt failed: its code is the last
///   attempt's error (in `std::system_category()`), and its what() lists every
///   address tried with its port and its error, e.g. "connect: tried 127.0.0.1
///   port 5000 (Connection refused), ::1 port 5000 (Connection timed out)"
///   (std::system_error adds ": " and the last error's message after that).
/// \param candidates  where to connect, in the order to try them; usually
///   from get_address_info().
/// \param attempt_timeout  how long each attempt may take, not the whole call.
/// \param source  the local address and port to bind to first (port 0: any
///   port); std::nullopt to let the kernel choose both.
/// \return the connected socket, in blocking mode and close-on-exec.
[[nodiscard]] FileDescriptor connect_first(const std::vector<AddressInfo>& candidates,
                                           std::chrono::milliseconds attempt_timeout,
                                           const std::optional<Endpoint>& source = std::nullopt);

/// Python's `socket.create_connection((host, port), timeout, source_address)`:
/// get_address_info(\p host, \p port, stream sockets), then connect_first().
/// \param host  a host name or a numeric address.
/// \param port  the port to connect to, in host byte order.
/// \param attempt_timeout  how long each attempt may take, not the whole call.
/// \param source  as for connect_first(): where to bind first, if anywhere.
/// \return the connected socket, as connect_first() gives it.
/// \throws what those two throw.
[[nodiscard]] FileDescriptor create_connection(const std::string& host, std::uint16_t port,
                                               std::chrono::milliseconds attempt_timeout,
                                               const std::optional<Endpoint>& source = std::nullopt);

}  // namespace socklab::resolver
