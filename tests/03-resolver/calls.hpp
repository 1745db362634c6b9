#pragma once
// The deterministic calls of lab 03, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.  Only numeric addresses and names
// from /etc/hosts ever reach the resolver: no test sends a DNS query.

#include <string>

#include "address_text.hpp"
#include "resolver.hpp"
#include "socklab/testkit/oracle.hpp"

namespace socklab::resolver::testing {

using testkit::json;

inline json address_info_json(const AddressInfo& info) {
  return {{"family", info.family},   {"socktype", info.socktype}, {"protocol", info.protocol},
          {"canonical_name", info.canonical_name}, {"address", info.address}, {"port", info.port}};
}

inline const testkit::CallTable& calls() {
  static const testkit::CallTable table{
      {"inet_pton",
       [](const json& in) {
         const auto bytes = inet_pton(in.at("family").get<int>(), in.at("text").get<std::string>());
         return bytes ? json(*bytes) : json(nullptr);
       }},
      {"inet_ntop",
       [](const json& in) {
         const auto bytes = in.at("bytes").get<std::vector<std::uint8_t>>();
         return json(inet_ntop(in.at("family").get<int>(), bytes));
       }},
      {"get_address_info",
       [](const json& in) {
         const Hints hints{in.at("family").get<int>(), in.at("socktype").get<int>(), 0, in.at("flags").get<int>()};
         json results = json::array();
         for (const auto& info : get_address_info(in.at("host"), in.at("service"), hints)) {
           results.push_back(address_info_json(info));
         }
         return results;
       }},
      {"get_name_info",
       [](const json& in) {
         const NameInfo names = get_name_info(in.at("address"), in.at("port").get<std::uint16_t>(),
                                              in.at("flags").get<int>());
         return json{{"host", names.host}, {"service", names.service}};
       }},
      {"fully_qualified_name", [](const json& in) { return json(fully_qualified_name(in.get<std::string>())); }},
  };
  return table;
}

}  // namespace socklab::resolver::testing
