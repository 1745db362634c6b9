// Lab 05, task 1: socket addresses from numeric text, and sockets to match.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "calls.hpp"
#include "client.hpp"
#include "loopback_pair.hpp"
#include "socklab/testkit/oracle.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::client;
using namespace socklab::client::testing;
using socklab::FileDescriptor;
using socklab::testkit::int_option;
using socklab::testkit::json;

namespace {

// Whether every byte of `address.storage` after the first `from` is 0.
bool zero_after(const SocketAddress& address, std::size_t from) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(&address.storage);
  for (std::size_t i = from; i < sizeof address.storage; ++i) {
    if (bytes[i] != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("socket_address builds a sockaddr_in for IPv4 text", "[task_1][points:1]") {
  INFO("Step 1: socket_address({\"127.0.0.1\", 8080})");
  const SocketAddress address = socket_address({"127.0.0.1", 8080});
  REQUIRE(address.family() == AF_INET);
  CHECK(address.length == sizeof(sockaddr_in));
  INFO("Step 2: the port in network byte order, the address as its four bytes");
  const auto& ipv4 = reinterpret_cast<const sockaddr_in&>(address.storage);
  CHECK(ntohs(ipv4.sin_port) == 8080);
  CHECK(ntohl(ipv4.sin_addr.s_addr) == INADDR_LOOPBACK);
  INFO("Step 3: sin_zero and the rest of the storage are zero");
  CHECK(zero_after(address, offsetof(sockaddr_in, sin_zero)));
}

TEST_CASE("socket_address builds a sockaddr_in6 for IPv6 text", "[task_1][points:1]") {
  INFO("Step 1: socket_address({\"::1\", 443})");
  const SocketAddress address = socket_address({"::1", 443});
  REQUIRE(address.family() == AF_INET6);
  CHECK(address.length == sizeof(sockaddr_in6));
  const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(address.storage);
  CHECK(ntohs(ipv6.sin6_port) == 443);
  CHECK(std::memcmp(&ipv6.sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) == 0);
  INFO("Step 2: flow information and scope id are zero");
  CHECK(ipv6.sin6_flowinfo == 0);
  CHECK(ipv6.sin6_scope_id == 0);
  CHECK(zero_after(address, sizeof(sockaddr_in6)));
}

TEST_CASE("socket_address takes numeric text only, and strictly", "[task_1][points:1]") {
  REQUIRE(socket_address({"10.1.2.3", 1}).family() == AF_INET);
  for (const char* text : {"127.1", "localhost", "", " 127.0.0.1", "127.0.0.1 ", "1.2.3.256", "fe80::1%lo", "::1::"}) {
    INFO("socket_address({\"" << text << "\", 80}) must throw std::invalid_argument");
    CHECK_THROWS_AS(socket_address({text, 80}), std::invalid_argument);
  }
}

TEST_CASE("socket_address agrees with the reference", "[task_1][points:1]") {
  json inputs = json::array();
  for (const char* text : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "192.0.2.1", "::1", "::", "::ffff:127.0.0.1",
                           "2001:db8::8:800:200c:417a", "fe80::1", "1:2:3:4:5:6:7:8", "127.1", "0x7f.0.0.1",
                           "localhost", "", "::1 ", "fe80::1%1", "1.2.3.4.5", "::ffff:1.2.3"}) {
    for (const int port : {0, 80, 4323, 65535}) {
      inputs.push_back({{"address", text}, {"port", port}});
    }
  }
  REQUIRE(socket_address({"127.0.0.1", 1}).length > 0);
  const auto difference = socklab::testkit::first_difference(calls(), "socket_address", inputs);
  INFO(socklab::testkit::describe("socket_address", difference));
  CHECK_FALSE(difference.has_value());
}

TEST_CASE("open_stream makes a close-on-exec TCP socket of the address's family", "[task_1][points:1]") {
  INFO("Step 1: open_stream({\"127.0.0.1\", 80})");
  const socklab::FileDescriptor ipv4 = open_stream({"127.0.0.1", 80});
  REQUIRE(ipv4.get() >= 0);
  CHECK(int_option(ipv4.get(), SOL_SOCKET, SO_DOMAIN) == AF_INET);
  CHECK(int_option(ipv4.get(), SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
  CHECK(socklab::testkit::is_close_on_exec(ipv4.get()));
  CHECK(is_blocking(ipv4.get()));
  CHECK_FALSE(connected_port(ipv4.get()).has_value());

  INFO("Step 2: open_stream({\"::1\", 80})");
  FileDescriptor probe(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe) {
    const socklab::FileDescriptor ipv6 = open_stream({"::1", 80});
    REQUIRE(ipv6.get() >= 0);
    CHECK(int_option(ipv6.get(), SOL_SOCKET, SO_DOMAIN) == AF_INET6);
    CHECK(socklab::testkit::is_close_on_exec(ipv6.get()));
  } else {
    const int expected = errno;
    WARN("This machine cannot make IPv6 sockets: open_stream must throw what socket() says");
    try {
      (void)open_stream({"::1", 80});
      FAIL("open_stream({\"::1\", 80}) returned on a machine without IPv6 sockets");
    } catch (const std::system_error& e) {
      CHECK(e.code() == std::error_code(expected, std::system_category()));
    }
  }
  INFO("Step 3: text that is not an address");
  CHECK_THROWS_AS(open_stream({"localhost", 80}), std::invalid_argument);
}
