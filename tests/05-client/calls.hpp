#pragma once
// The deterministic calls of lab 05, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.  Addresses are numeric and loopback:
// a connect_ex input names a port that the test itself listens on, or keeps
// closed, on 127.0.0.1 or ::1.

#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "client.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/oracle.hpp"

namespace socklab::client::testing {

using testkit::json;

inline Endpoint endpoint_of(const json& in) {
  return {in.at("address").get<std::string>(), in.at("port").get<std::uint16_t>()};
}

inline const testkit::CallTable& calls() {
  static const testkit::CallTable table{
      {"socket_address",
       [](const json& in) {
         const SocketAddress address = socket_address(endpoint_of(in));
         const auto* bytes = reinterpret_cast<const std::uint8_t*>(&address.storage);
         const std::size_t length = std::min<std::size_t>(address.length, sizeof address.storage);
         return json{{"family", address.family()},
                     {"length", address.length},
                     {"bytes", std::vector<std::uint8_t>(bytes, bytes + length)}};
       }},
      {"connect_ex",
       [](const json& in) {
         // The socket is made here, by the test: only connect_ex is compared.
         const int type = SOCK_STREAM | SOCK_CLOEXEC | (in.at("nonblocking").get<bool>() ? SOCK_NONBLOCK : 0);
         const FileDescriptor fd(check("socket", ::socket(in.at("family").get<int>(), type, 0)));
         return json(connect_ex(fd.get(), endpoint_of(in)));
       }},
  };
  return table;
}

}  // namespace socklab::client::testing
