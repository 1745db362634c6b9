#pragma once
// The deterministic calls of lab 06, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.  Only numeric text: no look-ups.

#include <string>

#include "endpoints.hpp"
#include "socklab/testkit/oracle.hpp"

namespace socklab::calls::testing {

using testkit::json;

inline Endpoint endpoint_json(const json& in) {
  return {in.at("address").get<std::string>(), in.at("port").get<std::uint16_t>()};
}

inline const testkit::CallTable& calls() {
  static const testkit::CallTable table{
      // socket_address, then endpoint_of and to_text of what it made.
      {"round_trip",
       [](const json& in) {
         const SocketAddress address = socket_address(endpoint_json(in));
         return json{{"family", address.storage.ss_family},
                     {"length", address.length},
                     {"text", to_text(endpoint_of(address))}};
       }},
      {"to_text", [](const json& in) { return json(to_text(endpoint_json(in))); }},
  };
  return table;
}

}  // namespace socklab::calls::testing
