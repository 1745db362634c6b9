#pragma once
/// \file
/// Lab 03, part 2 — names and addresses (article section 二.3: `getaddrinfo`,
/// `getnameinfo`, `gethostname`, `getfqdn`, `has_ipv6`, `if_nameindex`).
///
/// `getaddrinfo(3)` and `getnameinfo(3)` are the modern, thread-safe resolver
/// calls: they handle IPv4 and IPv6 alike and replace `gethostbyname`,
/// `gethostbyaddr` and friends.  Their errors are not `errno` values but
/// `EAI_*` codes with their own messages (`gai_strerror`), so they get an
/// error category of their own.
///
/// Do not change the declarations; write the code in `resolver.cpp`.

#include <netdb.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace socklab::resolver {

/// The category of `getaddrinfo` / `getnameinfo` errors: an error code in it
/// holds an `EAI_*` value.  Its `name()` is "getaddrinfo" and its
/// `message(code)` is `gai_strerror(code)`.  Return one object, always the
/// same (a function-local static): categories are compared by address.
/// \return the one category object, which lives until the program ends.
[[nodiscard]] const std::error_category& gai_category() noexcept;

/// What to ask `getaddrinfo` for (its `hints` argument).  0 means "any".
struct Hints {
  int family = AF_UNSPEC;  ///< `AF_INET`, `AF_INET6`, or `AF_UNSPEC` for both
  int socktype = 0;        ///< `SOCK_STREAM`, `SOCK_DGRAM`, or 0 for any
  int protocol = 0;        ///< `IPPROTO_*`, or 0 for any
  int flags = 0;           ///< `AI_*` flags, e.g. `AI_PASSIVE`, `AI_CANONNAME`, `AI_NUMERICHOST`
};

/// One result of `getaddrinfo`, as values.  Python: one 5-tuple of
/// `socket.getaddrinfo`, `(family, type, proto, canonname, (address, port))`.
struct AddressInfo {
  int family = 0;              ///< `ai_family`
  int socktype = 0;            ///< `ai_socktype`
  int protocol = 0;            ///< `ai_protocol`
  std::string canonical_name;  ///< `ai_canonname`, or "" when it is null
  std::string address;         ///< the address as text (`inet_ntop`): "127.0.0.1", "::1"
  std::uint16_t port = 0;      ///< the port, in host byte order
};

/// Every result of `getaddrinfo(host, service, hints)`, in the order it gives them.
///
/// An empty \p host or \p service is passed as a null pointer ("none"), as
/// Python passes `None`.  The list from `getaddrinfo` must be released with
/// `freeaddrinfo` whatever happens (a `std::unique_ptr` with a deleter does it).
/// \throws std::system_error whose code is the `EAI_*` value in gai_category(),
///   and whose what() names "getaddrinfo"; except for `EAI_SYSTEM`, which means
///   "look at errno": then the code is `errno` in `std::system_category()`.
/// \param host  a host name or a numeric address; empty for none.
/// \param service  a service name ("http") or a port number as text ("80");
///   empty for none.
/// \param hints  which results to ask for; by default all of them.
/// \return the results in `getaddrinfo`'s order; never empty, since
///   `getaddrinfo` fails rather than find nothing.
[[nodiscard]] std::vector<AddressInfo> get_address_info(const std::string& host, const std::string& service,
                                                        const Hints& hints = {});

/// A socket address of any family, in storage big enough for all of them.
struct SocketAddress {
  sockaddr_storage storage{};  ///< a `sockaddr_in` or `sockaddr_in6` inside
  socklen_t length = 0;        ///< how many bytes of `storage` are the address

  /// The address as the `const sockaddr*` that `bind`, `connect` and `getnameinfo` take.
  /// \return a pointer to `storage`, valid as long as this object; pass
  ///   `length` with it.
  [[nodiscard]] const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
};

/// The socket address of numeric address \p address ("127.0.0.1", "::1") and
/// \p port: let `getaddrinfo` fill it in, with `AI_NUMERICHOST` (so it never
/// looks a name up) and `AI_NUMERICSERV`, rather than filling a `sockaddr_in`
/// or `sockaddr_in6` by hand.  Python does the same inside `getnameinfo`.
/// \throws std::system_error in gai_category() (`EAI_NONAME` for text that
///   is not a numeric address).
/// \param address  a numeric IPv4 or IPv6 address, such as "127.0.0.1" or "::1".
/// \param port  the port, in host byte order.
/// \return a `sockaddr_in` or `sockaddr_in6` (the family follows from
///   \p address) and its length.
[[nodiscard]] SocketAddress numeric_address(const std::string& address, std::uint16_t port);

/// A host and a service, as `getnameinfo` names them.
struct NameInfo {
  std::string host;     ///< e.g. "localhost", or "127.0.0.1" with NI_NUMERICHOST
  std::string service;  ///< e.g. "http", or "80" with NI_NUMERICSERV
};

/// The reverse look-up: `getnameinfo(3)` on numeric_address(\p address,
/// \p port), with \p flags (`NI_*`; 0 asks for names).
/// Python: `socket.getnameinfo((address, port), flags)`.
/// \throws std::system_error in gai_category(): `EAI_NONAME` when \p address
///   is not a numeric address, else what `getnameinfo` returns.
/// \param address  a numeric IPv4 or IPv6 address, such as "127.0.0.1".
/// \param port  the port, in host byte order.
/// \param flags  `NI_*` flags or-ed together, such as `NI_NUMERICHOST`.
/// \return the host and the service, as `getnameinfo` wrote them.
[[nodiscard]] NameInfo get_name_info(const std::string& address, std::uint16_t port, int flags = 0);

/// This machine's host name (`gethostname(2)`).  Python: `socket.gethostname()`.
/// \return the name, as `hostname` prints it (at most `HOST_NAME_MAX` bytes).
/// \throws std::system_error naming "gethostname".
[[nodiscard]] std::string host_name();

/// The canonical name of \p name, or of host_name() when \p name is empty:
/// the `ai_canonname` of `getaddrinfo` with `AI_CANONNAME`, or \p name itself
/// when the look-up fails.  (Python's `getfqdn` does this with the obsolete
/// `gethostbyaddr`; this is the modern way.)  Never throws for a failed look-up.
/// \param name  a host name; empty (the default) for this machine's.
/// \return the canonical name, or the name looked up when there is none.
/// \throws std::system_error naming "gethostname" when \p name is empty and
///   host_name() fails.
[[nodiscard]] std::string fully_qualified_name(const std::string& name = "");

/// Whether this machine can create IPv6 sockets: `socket(AF_INET6, SOCK_DGRAM, 0)`
/// succeeds.  (Python's `socket.has_ipv6` only says whether Python was
/// *built* with IPv6 support, not whether the machine has it.)
/// \return true when that socket could be created (it is closed again).
[[nodiscard]] bool has_ipv6();

/// One network interface: its index and its name ("lo", "eth0", …).
struct Interface {
  unsigned index = 0;  ///< `if_index`
  std::string name;    ///< `if_name`
};

/// The machine's network interfaces, from `if_nameindex(3)`, in its order;
/// the list it returns must be freed with `if_freenameindex`.
/// Python: `socket.if_nameindex()`.
/// \return one Interface per interface, in `if_nameindex`'s order; `lo` is
///   among them.
/// \throws std::system_error naming "if_nameindex".
[[nodiscard]] std::vector<Interface> interfaces();

}  // namespace socklab::resolver
