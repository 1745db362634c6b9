#pragma once
// The deterministic calls of lab 04, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "listener.hpp"
#include "socklab/testkit/oracle.hpp"

namespace socklab::server::testing {

using testkit::json;

/// The socket address of input {"family": AF_INET or AF_INET6, "bytes": [...], "port": N}:
/// a sockaddr_in or sockaddr_in6 of that family whatever the input's family says.
inline sockaddr_storage address_from(const json& in, socklen_t& length) {
  sockaddr_storage storage{};
  const auto bytes = in.at("bytes").get<std::vector<std::uint8_t>>();
  const auto port = htons(in.at("port").get<std::uint16_t>());
  const int family = in.at("family").get<int>();
  if (family == AF_INET6) {
    auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
    ipv6.sin6_family = AF_INET6;
    ipv6.sin6_port = port;
    std::memcpy(&ipv6.sin6_addr, bytes.data(), std::min(bytes.size(), sizeof ipv6.sin6_addr));
    length = sizeof ipv6;
  } else {
    auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
    ipv4.sin_family = static_cast<sa_family_t>(family);
    ipv4.sin_port = port;
    std::memcpy(&ipv4.sin_addr, bytes.data(), std::min(bytes.size(), sizeof ipv4.sin_addr));
    length = sizeof ipv4;
  }
  return storage;
}

inline const testkit::CallTable& calls() {
  static const testkit::CallTable table{
      {"endpoint_of",
       [](const json& in) {
         socklen_t length = 0;
         const sockaddr_storage address = address_from(in, length);
         const Endpoint endpoint = endpoint_of(reinterpret_cast<const sockaddr*>(&address), length);
         return json{{"address", endpoint.address}, {"port", endpoint.port}};
       }},
  };
  return table;
}

}  // namespace socklab::server::testing
