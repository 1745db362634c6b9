// Lab 04, task 1: socket addresses as (address, port) text, the tuples that
// Python's getsockname() and accept() return.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <random>
#include <stdexcept>
#include <system_error>

#include "calls.hpp"
#include "helpers.hpp"
#include "listener.hpp"
#include "socklab/testkit/loopback.hpp"

using namespace socklab::server;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using socklab::testkit::json;

namespace {

Endpoint of(const sockaddr_in& address) {
  return endpoint_of(reinterpret_cast<const sockaddr*>(&address), sizeof address);
}

Endpoint of(const sockaddr_in6& address) {
  return endpoint_of(reinterpret_cast<const sockaddr*>(&address), sizeof address);
}

sockaddr_in ipv4(const char* text, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, text, &address.sin_addr);
  return address;
}

sockaddr_in6 ipv6(const char* text, std::uint16_t port) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  ::inet_pton(AF_INET6, text, &address.sin6_addr);
  return address;
}

}  // namespace

TEST_CASE("endpoint_of reads an IPv4 socket address", "[task_1][points:2]") {
  INFO("Step 1: sockaddr_in for 127.0.0.1 port 8080 (the port in network byte order)");
  REQUIRE(of(ipv4("127.0.0.1", 8080)) == Endpoint{"127.0.0.1", 8080});
  INFO("Step 2: the extremes of both fields");
  CHECK(of(ipv4("0.0.0.0", 0)) == Endpoint{"0.0.0.0", 0});
  CHECK(of(ipv4("255.255.255.255", 65535)) == Endpoint{"255.255.255.255", 65535});
  CHECK(of(ipv4("10.1.2.3", 258)) == Endpoint{"10.1.2.3", 258});
}

TEST_CASE("endpoint_of reads an IPv6 socket address, mapped IPv4 as Python shows it", "[task_1][points:2]") {
  INFO("Step 1: sockaddr_in6 for ::1 port 443");
  REQUIRE(of(ipv6("::1", 443)) == Endpoint{"::1", 443});
  INFO("Step 2: the shortest text, as inet_ntop writes it");
  CHECK(of(ipv6("2001:0db8:0000:0000:0000:0000:0000:0001", 1)) == Endpoint{"2001:db8::1", 1});
  CHECK(of(ipv6("::", 65535)) == Endpoint{"::", 65535});
  INFO("Step 3: an IPv4 client of a dual-stack listener: Python shows ('::ffff:127.0.0.1', port, 0, 0)");
  CHECK(of(ipv6("::ffff:127.0.0.1", 40000)) == Endpoint{"::ffff:127.0.0.1", 40000});
}

TEST_CASE("endpoint_of agrees with the reference on generated addresses", "[task_1][points:2]") {
  std::mt19937 random(4);
  json inputs = json::array();
  for (int i = 0; i < 400; ++i) {
    std::vector<int> bytes(16);
    for (auto& byte : bytes) {  // mostly zeros, so that runs of zero groups are common
      byte = random() % 3 == 0 ? static_cast<int>(random() % 256) : 0;
    }
    if (i % 4 == 0) {  // an IPv4-mapped address
      std::fill(bytes.begin(), bytes.begin() + 10, 0);
      bytes[10] = bytes[11] = 0xff;
    }
    const int port = static_cast<int>(random() % 65536);
    inputs.push_back({{"family", AF_INET6}, {"bytes", bytes}, {"port", port}});
    inputs.push_back({{"family", AF_INET}, {"bytes", std::vector<int>(bytes.end() - 4, bytes.end())}, {"port", port}});
  }
  inputs.push_back({{"family", AF_UNIX}, {"bytes", std::vector<int>{1, 2, 3, 4}}, {"port", 1}});
  const auto difference = first_difference(socklab::server::testing::calls(), "endpoint_of", inputs);
  INFO(describe("endpoint_of", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("endpoint_of refuses other families and short lengths", "[task_1][points:1]") {
  const sockaddr_in good = ipv4("127.0.0.1", 1);
  REQUIRE(of(good).address == "127.0.0.1");
  INFO("Step 1: an AF_UNIX address: std::system_error, EAFNOSUPPORT");
  sockaddr_un local{};
  local.sun_family = AF_UNIX;
  try {
    (void)endpoint_of(reinterpret_cast<const sockaddr*>(&local), sizeof local);
    FAIL("endpoint_of(AF_UNIX address) returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EAFNOSUPPORT, std::system_category()));
  }
  INFO("Step 2: a length too short for the family's structure: std::invalid_argument");
  CHECK_THROWS_AS(endpoint_of(reinterpret_cast<const sockaddr*>(&good), sizeof good - 1), std::invalid_argument);
  const sockaddr_in6 six = ipv6("::1", 1);
  CHECK_THROWS_AS(endpoint_of(reinterpret_cast<const sockaddr*>(&six), sizeof(sockaddr_in)), std::invalid_argument);
}

TEST_CASE("local_endpoint says where a socket is bound, and the port the kernel chose", "[task_1][points:2]") {
  INFO("Step 1: a listener on 127.0.0.1, port 0: local_endpoint gives the port the kernel picked");
  const auto listener = socklab::testkit::listen_on_loopback(AF_INET);
  const Endpoint four = local_endpoint(listener.socket.get());
  REQUIRE(four.port != 0);
  CHECK(four == Endpoint{"127.0.0.1", listener.port});
  INFO("Step 2: the same on ::1");
  const auto listener6 = socklab::testkit::listen_on_loopback(AF_INET6);
  CHECK(local_endpoint(listener6.socket.get()) == Endpoint{"::1", listener6.port});
  INFO("Step 3: a descriptor that is not open: std::system_error, EBADF");
  FileDescriptor closed(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  const int number = closed.get();
  closed.close();
  try {
    (void)local_endpoint(number);
    FAIL("local_endpoint of a closed descriptor returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EBADF, std::system_category()));
  }
}
