#pragma once
// The deterministic calls of lab 01, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.

#include <string>

#include "socket_types.hpp"
#include "socklab/testkit/oracle.hpp"

namespace socklab::socket_types::testing {

using testkit::json;

inline SocketKind kind_from(const json& input) {
  return SocketKind{"", input.at("family").get<int>(), input.at("type").get<int>(),
                    input.at("protocol").get<int>()};
}

inline json kind_json(int family, int type, int protocol) {
  return {{"family", family}, {"type", type}, {"protocol", protocol}};
}

inline const testkit::CallTable& calls() {
  static const testkit::CallTable table{
      {"open",
       [](const json& input) {
         const SocketKind kind = kind_from(input);
         const Socket socket(kind.family, kind.type, kind.protocol);
         return json{{"opened", socket.fileno() >= 0}};
       }},
      {"probe",
       [](const json& input) {
         const ProbeResult result = probe(kind_from(input));
         return json{{"error", result.error}};
       }},
      {"family_name", [](const json& input) { return json(std::string(family_name(input.get<int>()))); }},
      {"type_name", [](const json& input) { return json(std::string(type_name(input.get<int>()))); }},
  };
  return table;
}

}  // namespace socklab::socket_types::testing
