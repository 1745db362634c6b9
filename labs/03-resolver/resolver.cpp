// Lab 03, part 2 — names and addresses.  Your code goes here; the task is in
// resolver.hpp.  Each function is a starter stub: it compiles, and its tests
// fail until you replace its body.

#include "resolver.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "socklab/system_error.hpp"

namespace socklab::resolver {

const std::error_category& gai_category() noexcept {
  return std::generic_category();  // TODO: a category of your own
}

std::vector<AddressInfo> get_address_info(const std::string& host, const std::string& service, const Hints& hints) {
  (void)host;
  (void)service;
  (void)hints;
  return {};  // TODO: ::getaddrinfo, then ::freeaddrinfo
}

SocketAddress numeric_address(const std::string& address, std::uint16_t port) {
  (void)address;
  (void)port;
  return {};  // TODO: ::getaddrinfo with AI_NUMERICHOST | AI_NUMERICSERV
}

NameInfo get_name_info(const std::string& address, std::uint16_t port, int flags) {
  (void)address;
  (void)port;
  (void)flags;
  return {};  // TODO: ::getnameinfo
}

std::string host_name() { return {}; }  // TODO: ::gethostname

std::string fully_qualified_name(const std::string& name) {
  (void)name;
  return {};  // TODO
}

bool has_ipv6() { return false; }  // TODO

std::vector<Interface> interfaces() { return {}; }  // TODO: ::if_nameindex

}  // namespace socklab::resolver
