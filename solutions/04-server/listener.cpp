// Lab 04 — the server's calls: the reference solution.

#include "listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::server {
namespace {

void set_int_option(int fd, int level, int name, int value) {
  check("setsockopt", ::setsockopt(fd, level, name, &value, sizeof value));
}

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};

}  // namespace

Endpoint endpoint_of(const sockaddr* address, socklen_t length) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address != nullptr && length >= static_cast<socklen_t>(sizeof(sa_family_t))) {
    if (address->sa_family == AF_INET) {
      if (length < static_cast<socklen_t>(sizeof(sockaddr_in))) {
        throw std::invalid_argument("endpoint_of: too short for a sockaddr_in");
      }
      sockaddr_in ipv4{};
      std::memcpy(&ipv4, address, sizeof ipv4);  // the caller's buffer may be unaligned
      ::inet_ntop(AF_INET, &ipv4.sin_addr, text, sizeof text);
      return {text, ntohs(ipv4.sin_port)};
    }
    if (address->sa_family == AF_INET6) {
      if (length < static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        throw std::invalid_argument("endpoint_of: too short for a sockaddr_in6");
      }
      sockaddr_in6 ipv6{};
      std::memcpy(&ipv6, address, sizeof ipv6);
      // A mapped IPv4 client stays "::ffff:a.b.c.d", as Python shows it.
      ::inet_ntop(AF_INET6, &ipv6.sin6_addr, text, sizeof text);
      return {text, ntohs(ipv6.sin6_port)};
    }
  }
  throw std::system_error(EAFNOSUPPORT, std::system_category(), "endpoint_of");
}

Endpoint local_endpoint(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  check("getsockname", ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length));
  return endpoint_of(reinterpret_cast<const sockaddr*>(&address), length);
}

FileDescriptor listen_on(const std::string& host, std::uint16_t port, const ListenOptions& options) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  const std::unique_ptr<addrinfo, AddrinfoDeleter> list(found);
  if (status != 0) {
    throw std::invalid_argument("listen_on: \"" + host + "\" is not a numeric address (" +
                                ::gai_strerror(status) + ")");
  }

  FileDescriptor fd(check("socket", ::socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, list->ai_protocol)));
  if (options.reuse_address) {
    set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
  }
  if (options.reuse_port) {
    set_int_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1);
  }
  if (list->ai_family == AF_INET6) {
    // Never trust the default: it is the sysctl net.ipv6.bindv6only.
    set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, options.dual_stack ? 0 : 1);
  }
  check("bind", ::bind(fd.get(), list->ai_addr, list->ai_addrlen));
  check("listen", ::listen(fd.get(), options.backlog));
  return fd;
}

Accepted accept_one(int listener) {
  sockaddr_storage peer{};
  socklen_t length;
  int fd;
  do {
    length = sizeof peer;
    fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
  } while (fd == -1 && errno == EINTR);
  FileDescriptor connected(check("accept", fd));
  return {std::move(connected), endpoint_of(reinterpret_cast<const sockaddr*>(&peer), length)};
}

}  // namespace socklab::server
