// Lab 03: what section 二.3 of the article says, checked on this machine
// through your code.  The chapter's "Pitfalls" section cites these tests.

#include <netdb.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <climits>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "address_text.hpp"
#include "connection.hpp"
#include "resolver.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"

using namespace socklab::resolver;
using namespace std::chrono_literals;

namespace {
std::string dotted(const std::optional<Ipv4Bytes>& bytes) { return bytes ? inet_ntoa(*bytes) : "rejected"; }

// The IPv4 addresses that /etc/hosts gives `name`, in the file's order.
std::vector<std::string> hosts_file_ipv4(const std::string& name) {
  std::ifstream hosts("/etc/hosts");
  std::vector<std::string> found;
  for (std::string line; std::getline(hosts, line);) {
    std::istringstream fields(line.substr(0, line.find('#')));
    std::string address;
    in_addr parsed{};
    if (!(fields >> address) || ::inet_pton(AF_INET, address.c_str(), &parsed) != 1) {
      continue;
    }
    for (std::string alias; fields >> alias;) {
      if (alias == name && std::find(found.begin(), found.end(), address) == found.end()) {
        found.push_back(address);
      }
    }
  }
  return found;
}

// Whether the name service asks /etc/hosts before anything else (nsswitch.conf's "hosts: files ...").
bool hosts_file_first() {
  std::ifstream nsswitch("/etc/nsswitch.conf");
  for (std::string line; std::getline(nsswitch, line);) {
    std::istringstream fields(line);
    std::string database;
    std::string first;
    if (fields >> database >> first && database == "hosts:") {
      return first == "files";
    }
  }
  return false;
}
}  // namespace

// [errata-inet-aton]
TEST_CASE("article: inet_aton reads much more than dotted quads", "[task_1][points:1][article]") {
  INFO("Shorthand, octal and hexadecimal all parse, and text after a space is ignored");
  CHECK(dotted(socklab::resolver::inet_aton("127.1")) == "127.0.0.1");
  CHECK(dotted(socklab::resolver::inet_aton("0x7f.1")) == "127.0.0.1");
  CHECK(dotted(socklab::resolver::inet_aton("017700000001")) == "127.0.0.1");
  CHECK(dotted(socklab::resolver::inet_aton("010.0.0.1")) == "8.0.0.1");
  CHECK(dotted(socklab::resolver::inet_aton("1.2.3.4 and more")) == "1.2.3.4");
}
// [errata-inet-aton]

// [errata-inet-pton]
TEST_CASE("article: inet_pton is strict where inet_aton is lenient", "[task_2][points:1][article]") {
  REQUIRE(socklab::resolver::inet_pton(AF_INET, "127.0.0.1").has_value());
  CHECK_FALSE(socklab::resolver::inet_pton(AF_INET, "127.1").has_value());
  CHECK_FALSE(socklab::resolver::inet_pton(AF_INET, "010.0.0.1").has_value());
  CHECK_FALSE(socklab::resolver::inet_pton(AF_INET, "1.2.3.4 and more").has_value());
}
// [errata-inet-pton]

TEST_CASE("article: gethostbyname is IPv4-only and getaddrinfo is not", "[task_4][points:1][article]") {
  INFO("Step 1: getaddrinfo gives an IPv6 result for ::1");
  const auto results = get_address_info("::1", "", {.family = AF_INET6});
  REQUIRE(results.size() >= 1);
  CHECK(results[0].address == "::1");
  INFO("Step 2: gethostbyname's struct hostent carries IPv4 addresses (4 bytes, AF_INET)");
  const hostent* entry = ::gethostbyname("127.0.0.1");  // numeric: no look-up happens
  REQUIRE(entry != nullptr);
  CHECK(entry->h_addrtype == AF_INET);
  CHECK(entry->h_length == 4);
}

// [errata-socketpair]
TEST_CASE("article: Linux has no AF_INET socket pairs", "[task_7][points:1][article]") {
  INFO("The article calls socketpair(family=socket.AF_INET, ...); Linux refuses that with EOPNOTSUPP");
  REQUIRE(socket_pair(AF_UNIX, SOCK_STREAM).first.get() >= 0);
  try {
    (void)socket_pair(AF_INET, SOCK_STREAM);
    FAIL("socket_pair(AF_INET, SOCK_STREAM) returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EOPNOTSUPP, std::system_category()));
  }
}
// [errata-socketpair]

// [errata-source-port]
TEST_CASE("article: the source port need not match the destination port", "[task_8][points:1][article]") {
  INFO("The article says both ports of create_connection must be the same; port 0 lets the kernel choose");
  const auto listener = socklab::testkit::listen_on_loopback();
  auto connected = socklab::testkit::finish_within(
      5s, [&] { return create_connection("127.0.0.1", listener.port, 2s, Endpoint{"127.0.0.1", 0}); });
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  CHECK(socklab::testkit::peer_port(connected->get()) == listener.port);
  CHECK(socklab::testkit::local_port(connected->get()) != 0);
}
// [errata-source-port]

// [errata-host-address]
TEST_CASE("article: the host name's address is what /etc/hosts says, not one read from the network",
          "[task_6][points:1][article]") {
  char expected[HOST_NAME_MAX + 1] = {};
  REQUIRE(::gethostname(expected, sizeof expected - 1) == 0);
  const std::string name = host_name();
  REQUIRE(name == expected);
  const auto listed = hosts_file_ipv4(name);
  INFO("/etc/hosts gives " << name << ": " << (listed.empty() ? "nothing" : listed.front()));
  if (listed.empty() || !hosts_file_first()) {
    // Another source would answer (DNS, say), and no test sends a DNS query.
    WARN("Not checked on this machine: /etc/hosts is not what answers for " << name);
    return;
  }
  INFO("gethostbyname(getfqdn(gethostname())) resolves the name like any other: /etc/hosts answers first");
  const auto results = get_address_info(name, "", {.family = AF_INET, .socktype = SOCK_STREAM});
  REQUIRE_FALSE(results.empty());
  CHECK(results.front().address == listed.front());
  for (const AddressInfo& result : results) {
    CHECK(std::find(listed.begin(), listed.end(), result.address) != listed.end());
  }
  if (listed.front().starts_with("127.")) {
    WARN("Here " << name << " is " << listed.front() << ": a loopback address, which no other machine can reach");
  }
}
// [errata-host-address]
