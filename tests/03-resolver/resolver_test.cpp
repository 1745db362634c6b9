// Lab 03, tasks 3 to 6: names and addresses.  Only numeric addresses and the
// names in /etc/hosts are ever looked up: no test sends a DNS query.

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <system_error>

#include "calls.hpp"
#include "resolver.hpp"
#include "socklab/file_descriptor.hpp"

using namespace socklab::resolver;
using socklab::resolver::testing::calls;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using socklab::testkit::json;

namespace {

// The error code a call threw, or a default code when it threw none.
template <typename Call>
std::error_code code_thrown(Call call) {
  try {
    call();
  } catch (const std::system_error& e) {
    return e.code();
  }
  return {};
}

}  // namespace

TEST_CASE("gai_category names itself getaddrinfo and explains codes with gai_strerror", "[task_3][points:1]") {
  const std::error_category& category = gai_category();
  REQUIRE(std::string(category.name()) == "getaddrinfo");
  for (const int code : {EAI_AGAIN, EAI_BADFLAGS, EAI_FAIL, EAI_FAMILY, EAI_MEMORY, EAI_NONAME, EAI_SERVICE,
                         EAI_SOCKTYPE, EAI_SYSTEM, EAI_OVERFLOW}) {
    INFO("EAI code " << code);
    CHECK(category.message(code) == ::gai_strerror(code));
  }
}

TEST_CASE("gai_category is one category of its own", "[task_3][points:1]") {
  INFO("Error categories are compared by address: always return the same object");
  REQUIRE(&gai_category() == &gai_category());
  REQUIRE(&gai_category() != &std::system_category());
  REQUIRE(&gai_category() != &std::generic_category());
  REQUIRE(std::error_code(EAI_NONAME, gai_category()) != std::error_code(EAI_NONAME, std::system_category()));
}

TEST_CASE("get_address_info turns a numeric IPv4 address into one stream result", "[task_4][points:2]") {
  INFO("Step 1: get_address_info(\"127.0.0.1\", \"80\", {.socktype = SOCK_STREAM})");
  const auto results = get_address_info("127.0.0.1", "80", {.socktype = SOCK_STREAM});
  REQUIRE(results.size() == 1);
  CHECK(results[0].family == AF_INET);
  CHECK(results[0].socktype == SOCK_STREAM);
  CHECK(results[0].protocol == IPPROTO_TCP);
  CHECK(results[0].address == "127.0.0.1");
  CHECK(results[0].port == 80);
  CHECK(results[0].canonical_name.empty());
}

TEST_CASE("get_address_info handles IPv6", "[task_4][points:1]") {
  const auto results = get_address_info("::1", "443", {.family = AF_INET6, .socktype = SOCK_DGRAM});
  REQUIRE(results.size() == 1);
  CHECK(results[0].family == AF_INET6);
  CHECK(results[0].protocol == IPPROTO_UDP);
  CHECK(results[0].address == "::1");
  CHECK(results[0].port == 443);
}

TEST_CASE("get_address_info reports EAI errors in gai_category, naming the call", "[task_4][points:1]") {
  INFO("Step 1: AI_NUMERICHOST with a name: EAI_NONAME");
  try {
    (void)get_address_info("localhost", "80", {.flags = AI_NUMERICHOST});
    FAIL("no exception");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EAI_NONAME, gai_category()));
    CHECK(std::string(e.what()).find("getaddrinfo") != std::string::npos);
  }
  INFO("Step 2: a service no database knows: EAI_SERVICE");
  CHECK(code_thrown([] { (void)get_address_info("127.0.0.1", "no-such-socklab-service", {.socktype = SOCK_STREAM}); }) ==
        std::error_code(EAI_SERVICE, gai_category()));
}

TEST_CASE("get_address_info agrees with the reference over hosts, services and hints", "[task_4][points:2]") {
  REQUIRE_FALSE(get_address_info("127.0.0.1", "22", {}).empty());
  json inputs = json::array();
  // "localhost" only where /etc/hosts answers for sure (IPv4): an IPv6-only
  // question about it could go on to DNS.
  const std::pair<const char*, std::vector<int>> hosts[] = {
      {"127.0.0.1", {AF_UNSPEC, AF_INET, AF_INET6}}, {"::1", {AF_UNSPEC, AF_INET6}},
      {"::ffff:127.0.0.1", {AF_UNSPEC, AF_INET6}},   {"127.1", {AF_UNSPEC, AF_INET}},
      {"localhost", {AF_UNSPEC, AF_INET}},           {"", {AF_UNSPEC, AF_INET, AF_INET6}}};
  for (const auto& [host, families] : hosts) {
    for (const int family : families) {
      for (const char* service : {"", "80", "http", "0", "65535", "65536", "no-such-socklab-service"}) {
        for (const int socktype : std::initializer_list<int>{0, SOCK_STREAM, SOCK_DGRAM}) {
          for (const int flags : {0, AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV}) {
            inputs.push_back({{"host", host}, {"service", service}, {"family", family}, {"socktype", socktype},
                              {"flags", flags}});
          }
        }
      }
    }
  }
  const auto difference = first_difference(calls(), "get_address_info", inputs);
  INFO(describe("get_address_info", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("numeric_address fills a sockaddr for IPv4 and IPv6 and never looks a name up", "[task_5][points:1]") {
  INFO("Step 1: numeric_address(\"127.0.0.1\", 8080) is a sockaddr_in");
  const SocketAddress ipv4 = numeric_address("127.0.0.1", 8080);
  REQUIRE(ipv4.length == sizeof(sockaddr_in));
  const auto& in4 = reinterpret_cast<const sockaddr_in&>(ipv4.storage);
  CHECK(in4.sin_family == AF_INET);
  CHECK(in4.sin_port == htons(8080));
  CHECK(in4.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  INFO("Step 2: numeric_address(\"::1\", 1) is a sockaddr_in6");
  const SocketAddress ipv6 = numeric_address("::1", 1);
  REQUIRE(ipv6.length == sizeof(sockaddr_in6));
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ipv6.storage);
  CHECK(in6.sin6_family == AF_INET6);
  CHECK(in6.sin6_port == htons(1));
  CHECK(IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr));
  INFO("Step 3: a name is not a numeric address: EAI_NONAME");
  CHECK(code_thrown([] { (void)numeric_address("localhost", 1); }) == std::error_code(EAI_NONAME, gai_category()));
}

TEST_CASE("get_name_info gives numeric and named forms", "[task_5][points:2]") {
  INFO("Step 1: 127.0.0.1 port 80 with NI_NUMERICHOST | NI_NUMERICSERV");
  const NameInfo numeric = get_name_info("127.0.0.1", 80, NI_NUMERICHOST | NI_NUMERICSERV);
  REQUIRE(numeric.host == "127.0.0.1");
  REQUIRE(numeric.service == "80");
  INFO("Step 2: the same and more, compared with the reference (names only for 127.0.0.1, which /etc/hosts names)");
  json inputs = json::array();
  for (const int port : {0, 22, 53, 80, 443, 5000, 65535}) {
    for (const int flags : {0, NI_NUMERICHOST, NI_NUMERICSERV, NI_NUMERICHOST | NI_NUMERICSERV, NI_DGRAM}) {
      inputs.push_back({{"address", "127.0.0.1"}, {"port", port}, {"flags", flags}});
    }
    for (const char* address : {"::1", "::ffff:127.0.0.1"}) {
      for (const int flags : {NI_NUMERICHOST, NI_NUMERICHOST | NI_NUMERICSERV, NI_NUMERICHOST | NI_DGRAM}) {
        inputs.push_back({{"address", address}, {"port", port}, {"flags", flags}});
      }
    }
  }
  inputs.push_back({{"address", "not-an-address"}, {"port", 1}, {"flags", NI_NUMERICHOST}});
  const auto difference = first_difference(calls(), "get_name_info", inputs);
  INFO(describe("get_name_info", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("get_name_info refuses a name where it needs an address", "[task_5][points:1]") {
  CHECK(code_thrown([] { (void)get_name_info("localhost", 80, NI_NUMERICHOST); }) ==
        std::error_code(EAI_NONAME, gai_category()));
}

TEST_CASE("host_name is gethostname's answer", "[task_6][points:1]") {
  char expected[256] = "";
  REQUIRE(::gethostname(expected, sizeof expected - 1) == 0);
  REQUIRE(host_name() == expected);
}

// [errata-has-ipv6]
TEST_CASE("interfaces lists what if_nameindex lists, and has_ipv6 tells the truth", "[task_6][points:1]") {
  std::vector<std::pair<unsigned, std::string>> expected;
  struct if_nameindex* list = ::if_nameindex();
  REQUIRE(list != nullptr);
  for (const struct if_nameindex* entry = list; entry->if_index != 0; ++entry) {
    expected.emplace_back(entry->if_index, entry->if_name);
  }
  ::if_freenameindex(list);
  const auto found = interfaces();
  REQUIRE(found.size() == expected.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    CHECK(found[i].index == expected[i].first);
    CHECK(found[i].name == expected[i].second);
  }
  const bool can = static_cast<bool>(socklab::FileDescriptor(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
  CHECK(has_ipv6() == can);
}
// [errata-has-ipv6]

TEST_CASE("fully_qualified_name agrees with the reference", "[task_6][points:1]") {
  REQUIRE_FALSE(fully_qualified_name("localhost").empty());
  const auto difference =
      first_difference(calls(), "fully_qualified_name", json::array({"localhost", "127.0.0.1", "::1"}));
  INFO(describe("fully_qualified_name", difference));
  REQUIRE_FALSE(difference);
}
