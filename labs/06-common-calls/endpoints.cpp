// Lab 06, part 2 — addresses and datagrams.  Your code goes here; the task is
// in endpoints.hpp.  Each function is a starter stub: it compiles, and its
// tests fail until you replace its body.

#include "endpoints.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <stdexcept>

#include "socklab/system_error.hpp"

namespace socklab::calls {

SocketAddress socket_address(const Endpoint& endpoint) {
  (void)endpoint;
  return {};  // TODO: inet_pton, then fill a sockaddr_in or sockaddr_in6
}

Endpoint endpoint_of(const SocketAddress& address) {
  (void)address;
  return {};  // TODO: inet_ntop and ntohs, by family
}

std::string to_text(const Endpoint& endpoint) {
  (void)endpoint;
  return {};  // TODO
}

Endpoint local_endpoint(int fd) {
  (void)fd;
  return {};  // TODO: ::getsockname
}

Endpoint peer_endpoint(int fd) {
  (void)fd;
  return {};  // TODO: ::getpeername
}

std::size_t send_to(int fd, std::string_view data, const SocketAddress& to, int flags) {
  (void)fd;
  (void)data;
  (void)to;
  (void)flags;
  return 0;  // TODO: ::sendto
}

Datagram receive_from(int fd, std::size_t max_size, int flags) {
  (void)fd;
  (void)max_size;
  (void)flags;
  return {};  // TODO: ::recvfrom
}

}  // namespace socklab::calls
