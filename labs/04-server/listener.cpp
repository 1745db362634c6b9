// Lab 04 — the server's calls.  Your code goes here; the task is in
// listener.hpp.  Each function is a starter stub: it compiles, and its tests
// fail until you replace its body.

#include "listener.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::server {

Endpoint endpoint_of(const sockaddr* address, socklen_t length) {
  (void)address;
  (void)length;
  return {};  // TODO: sockaddr_in or sockaddr_in6, then inet_ntop and ntohs
}

Endpoint local_endpoint(int fd) {
  (void)fd;
  return {};  // TODO: getsockname
}

FileDescriptor listen_on(const std::string& host, std::uint16_t port, const ListenOptions& options) {
  (void)host;
  (void)port;
  (void)options;
  return {};  // TODO: getaddrinfo, socket, setsockopt, bind, listen
}

Accepted accept_one(int listener) {
  (void)listener;
  return {};  // TODO: accept4
}

}  // namespace socklab::server
