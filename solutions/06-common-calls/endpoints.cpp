// Lab 06, part 2 — addresses and datagrams: the reference solution.

#include "endpoints.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "socklab/system_error.hpp"

namespace socklab::calls {

SocketAddress socket_address(const Endpoint& endpoint) {
  SocketAddress result;
  auto& ipv4 = reinterpret_cast<sockaddr_in&>(result.storage);
  if (::inet_pton(AF_INET, endpoint.address.c_str(), &ipv4.sin_addr) == 1) {
    ipv4.sin_family = AF_INET;
    ipv4.sin_port = htons(endpoint.port);
    result.length = sizeof ipv4;
    return result;
  }
  result.storage = {};
  auto& ipv6 = reinterpret_cast<sockaddr_in6&>(result.storage);
  if (::inet_pton(AF_INET6, endpoint.address.c_str(), &ipv6.sin6_addr) == 1) {
    ipv6.sin6_family = AF_INET6;
    ipv6.sin6_port = htons(endpoint.port);
    result.length = sizeof ipv6;
    return result;
  }
  throw std::invalid_argument("not a numeric IPv4 or IPv6 address: \"" + endpoint.address + "\"");
}

Endpoint endpoint_of(const SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = "";
  switch (address.storage.ss_family) {
    case AF_INET: {
      const auto& ipv4 = reinterpret_cast<const sockaddr_in&>(address.storage);
      ::inet_ntop(AF_INET, &ipv4.sin_addr, text, sizeof text);
      return {text, ntohs(ipv4.sin_port)};
    }
    case AF_INET6: {
      const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(address.storage);
      ::inet_ntop(AF_INET6, &ipv6.sin6_addr, text, sizeof text);
      return {text, ntohs(ipv6.sin6_port)};
    }
    default:
      throw std::invalid_argument("not an IP address: family " + std::to_string(address.storage.ss_family));
  }
}

std::string to_text(const Endpoint& endpoint) {
  const bool ipv6 = endpoint.address.find(':') != std::string::npos;
  return (ipv6 ? "[" + endpoint.address + "]" : endpoint.address) + ":" + std::to_string(endpoint.port);
}

Endpoint local_endpoint(int fd) {
  SocketAddress address;
  address.length = sizeof address.storage;
  check("getsockname", ::getsockname(fd, address.get(), &address.length));
  return endpoint_of(address);
}

Endpoint peer_endpoint(int fd) {
  SocketAddress address;
  address.length = sizeof address.storage;
  check("getpeername", ::getpeername(fd, address.get(), &address.length));
  return endpoint_of(address);
}

std::size_t send_to(int fd, std::string_view data, const SocketAddress& to, int flags) {
  ssize_t sent;
  do {
    sent = ::sendto(fd, data.data(), data.size(), flags | MSG_NOSIGNAL, to.get(), to.length);
  } while (sent == -1 && errno == EINTR);
  return static_cast<std::size_t>(check("sendto", sent));
}

Datagram receive_from(int fd, std::size_t max_size, int flags) {
  Datagram datagram;
  datagram.data.resize(max_size);
  ssize_t got;
  do {
    datagram.from.length = sizeof datagram.from.storage;
    got = ::recvfrom(fd, datagram.data.data(), datagram.data.size(), flags, datagram.from.get(),
                     &datagram.from.length);
  } while (got == -1 && errno == EINTR);
  datagram.data.resize(static_cast<std::size_t>(check("recvfrom", got)));
  return datagram;
}

}  // namespace socklab::calls
