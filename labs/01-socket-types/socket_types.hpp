#pragma once
/// \file
/// Lab 01 — socket types (article section 二.1 and 一).
///
/// Python's `socket.socket(family, type, proto)` is one system call,
/// `socket(2)`, wrapped in an object that closes the descriptor for you.  In
/// this lab you write that object in C++ and use it to find out which of the
/// article's socket kinds this machine really lets you create.
///
/// What to do: implement every function declared here, in `socket_types.cpp`
/// beside this file.  Do not change the declarations: the graded tests are
/// written against them.  Run `./socklab` to see your points, and
/// `./socklab hint 01-socket-types` when stuck.
///
/// System calls you need (`man 2 <name>`): socket, close, getsockopt.
/// Headers: `<sys/socket.h>` (socket, getsockopt, AF_*, SOCK_*),
/// `<netinet/in.h>` (IPPROTO_*), `<unistd.h>` (close), `<cerrno>` (errno).
/// Given help: `socklab::throw_errno` and `socklab::check` in
/// `<socklab/system_error.hpp>` turn a failed call into the exception below.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <string_view>

namespace socklab::socket_types {

/// An open socket: owns one descriptor from `socket(2)` and closes it exactly once.
///
/// This is what Python's `socket.socket` object is underneath.  The rules:
/// - one owner: a Socket cannot be copied (two owners would close twice);
/// - it can be moved: the new Socket owns the descriptor and the old one is
///   left empty, `fileno() == -1`, so its destructor closes nothing;
/// - the destructor closes an owned descriptor and never throws;
/// - like Python's sockets (PEP 446), a new socket is not inherited by
///   programs this process `exec`s: it has the close-on-exec flag.
class Socket {
 public:
  /// An empty Socket that owns nothing (`fileno() == -1`).
  Socket() noexcept = default;

  /// Opens a socket: `socket(family, type | SOCK_CLOEXEC, protocol)`.
  ///
  /// Python: `socket.socket(family, type, proto)`.  A \p protocol of 0 asks the
  /// kernel for the family's default protocol for \p type (TCP for
  /// `AF_INET`/`SOCK_STREAM`).
  /// \param family  the address family, an `AF_*` constant such as `AF_INET`.
  /// \param type  the socket type, a `SOCK_*` constant such as `SOCK_STREAM`;
  ///   flags such as `SOCK_NONBLOCK` may be or-ed in.
  /// \param protocol  an `IPPROTO_*` constant, or 0 for the default.
  /// \throws std::system_error when `socket(2)` fails: `code()` holds `errno`
  ///   in `std::system_category()`, and `what()` names the call, "socket".
  Socket(int family, int type, int protocol = 0);

  /// Closes the descriptor if one is owned.  Never throws: if `close(2)`
  /// fails here, report it on standard error and carry on.
  ~Socket();

  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  /// Takes \p other's descriptor; \p other is left empty.
  /// \param other  the Socket to take from.
  Socket(Socket&& other) noexcept;

  /// Closes the descriptor this Socket owned (if any), then takes \p other's;
  /// \p other is left empty.  Moving a Socket into itself changes nothing.
  /// \param other  the Socket to take from.
  /// \return `*this`.
  Socket& operator=(Socket&& other) noexcept;

  /// The descriptor, or -1 when empty.  Python: `s.fileno()`.
  /// \return the descriptor, still owned by this Socket; -1 when empty.
  [[nodiscard]] int fileno() const noexcept;

  /// Gives up ownership without closing and returns the descriptor (-1 when
  /// empty); the Socket is empty afterwards.  Python: `s.detach()`.
  /// \return the descriptor, which the caller now owns and must close; -1
  ///   when the Socket was empty.
  int detach() noexcept;

  /// Closes the descriptor now.  Afterwards the Socket is empty, even if
  /// `close(2)` failed; calling close() on an empty Socket does nothing.
  /// Python: `s.close()`.
  /// \throws std::system_error naming "close" when `close(2)` fails (for
  ///   example `EBADF`, if somebody else already closed the descriptor).
  void close();

  /// The socket's address family, as the kernel reports it
  /// (`getsockopt(SOL_SOCKET, SO_DOMAIN)`).  Python: `s.family`.
  /// \return an `AF_*` value, such as `AF_INET`.
  /// \throws std::system_error naming "getsockopt" when that fails (e.g. empty).
  [[nodiscard]] int family() const;

  /// The socket's type without flags (`SO_TYPE`).  Python: `s.type`.
  /// \return a `SOCK_*` value, such as `SOCK_STREAM`, without `SOCK_CLOEXEC`
  ///   or `SOCK_NONBLOCK`.
  /// \throws std::system_error naming "getsockopt" when that fails.
  [[nodiscard]] int type() const;

  /// The socket's protocol (`SO_PROTOCOL`): what the kernel chose when you
  /// passed 0.  (Python's `s.proto` only echoes the argument, so it says 0.)
  /// \return an `IPPROTO_*` value, such as `IPPROTO_TCP` for a TCP socket
  ///   opened with protocol 0.
  /// \throws std::system_error naming "getsockopt" when that fails.
  [[nodiscard]] int protocol() const;

 private:
  int fd_ = -1;  ///< The descriptor this Socket owns, or -1 when it owns none.
};

/// One socket kind: the three arguments of `socket(2)`, with a label.
struct SocketKind {
  std::string_view label;  ///< how the article names it
  int family;              ///< `AF_*`
  int type;                ///< `SOCK_*`
  int protocol;            ///< `IPPROTO_*`, or 0 for the default
};

/// The six kinds section 二.1 lists, in its order, as Python would create
/// them (`socket.socket(type=SOCK_SEQPACKET)` means family `AF_INET`; a raw
/// socket needs a protocol, so ICMP, the one the article names).  Given data.
inline constexpr std::array<SocketKind, 6> article_kinds{{
    {"TCP/IP stream (流式Socket)", AF_INET, SOCK_STREAM, 0},
    {"UDP/IP datagram (数据报式Socket)", AF_INET, SOCK_DGRAM, 0},
    {"AF_UNIX", AF_UNIX, SOCK_STREAM, 0},
    {"AF_INET6", AF_INET6, SOCK_STREAM, 0},
    {"SOCK_RAW (ICMP)", AF_INET, SOCK_RAW, IPPROTO_ICMP},
    {"SOCK_SEQPACKET", AF_INET, SOCK_SEQPACKET, 0},
}};

/// What trying to create one kind of socket gave.
struct ProbeResult {
  SocketKind kind;  ///< the kind that was tried
  int error = 0;    ///< 0 if the socket was created, else the `errno` of `socket(2)`
};

/// Tries to create a socket of \p kind, closes it again, and tells what happened.
///
/// Never throws for a failed `socket(2)`: the failure is the answer (EPERM
/// for a raw socket without the CAP_NET_RAW capability, ESOCKTNOSUPPORT for a
/// type the family does not have, EAFNOSUPPORT for an unknown family, …).
/// Leaves no descriptor open.
/// \param kind  the `socket(2)` arguments to try; its label is not used.
/// \return \p kind, with `error` 0 when the socket was created, else the
///   `errno` that `socket(2)` set.
[[nodiscard]] ProbeResult probe(const SocketKind& kind);

/// The name of the `AF_*` constant with value \p family, for the families
/// `AF_UNSPEC`, `AF_UNIX`, `AF_INET`, `AF_INET6`, `AF_NETLINK` and `AF_PACKET`;
/// "unknown" for any other value.
/// \param family  any value; usually an `AF_*` constant or Socket::family().
/// \return the constant's name, such as "AF_INET", or "unknown".  It views a
///   string literal, so it stays valid for the whole program.
[[nodiscard]] std::string_view family_name(int family);

/// The name of the `SOCK_*` constant with value \p type, for `SOCK_STREAM`,
/// `SOCK_DGRAM`, `SOCK_RAW`, `SOCK_RDM` and `SOCK_SEQPACKET`; "unknown" for
/// any other value.  Flags are part of the value: `SOCK_STREAM | SOCK_CLOEXEC`
/// is not one of these constants, so it is "unknown".
/// \param type  any value; usually a `SOCK_*` constant or Socket::type().
/// \return the constant's name, such as "SOCK_STREAM", or "unknown".  It views
///   a string literal, so it stays valid for the whole program.
[[nodiscard]] std::string_view type_name(int type);

}  // namespace socklab::socket_types
