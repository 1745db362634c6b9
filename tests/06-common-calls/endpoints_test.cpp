// Lab 06, tasks 4 and 5: addresses as endpoints, getsockname / getpeername,
// and datagrams with sendto / recvfrom.  Loopback only, port 0 everywhere.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>
#include <string>

#include "calls.hpp"
#include "endpoints.hpp"
#include "helpers.hpp"

using namespace socklab::calls;
using namespace socklab::calls::testing;
using socklab::testkit::json;

namespace {

std::uint16_t port_in(const SocketAddress& address) {
  return ntohs(address.storage.ss_family == AF_INET6
                   ? reinterpret_cast<const sockaddr_in6&>(address.storage).sin6_port
                   : reinterpret_cast<const sockaddr_in&>(address.storage).sin_port);
}

}  // namespace

TEST_CASE("socket_address and endpoint_of convert both ways, IPv4 and IPv6", "[task_4][points:2]") {
  INFO("Step 1: socket_address({\"127.0.0.1\", 8080}) is a sockaddr_in, port in network order");
  const SocketAddress ipv4 = socket_address({"127.0.0.1", 8080});
  REQUIRE(ipv4.storage.ss_family == AF_INET);
  CHECK(ipv4.length == sizeof(sockaddr_in));
  const auto& in = reinterpret_cast<const sockaddr_in&>(ipv4.storage);
  CHECK(in.sin_port == htons(8080));
  CHECK(in.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  INFO("Step 2: socket_address({\"::1\", 443}) is a sockaddr_in6");
  const SocketAddress ipv6 = socket_address({"::1", 443});
  REQUIRE(ipv6.storage.ss_family == AF_INET6);
  CHECK(ipv6.length == sizeof(sockaddr_in6));
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ipv6.storage);
  CHECK(in6.sin6_port == htons(443));
  CHECK(std::memcmp(&in6.sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) == 0);
  INFO("Step 3: endpoint_of turns them back");
  CHECK(endpoint_of(ipv4) == Endpoint{"127.0.0.1", 8080});
  CHECK(endpoint_of(ipv6) == Endpoint{"::1", 443});
  INFO("Step 4: names and nonsense are not numeric addresses: std::invalid_argument");
  CHECK_THROWS_AS(socket_address({"localhost", 80}), std::invalid_argument);
  CHECK_THROWS_AS(socket_address({"127.0.0.256", 80}), std::invalid_argument);
  SocketAddress unix_address;
  unix_address.storage.ss_family = AF_UNIX;
  CHECK_THROWS_AS(endpoint_of(unix_address), std::invalid_argument);
}

TEST_CASE("socket_address, endpoint_of and to_text agree with the reference", "[task_4][points:2]") {
  json inputs = json::array();
  for (const char* address : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.2.3", "::1", "::", "fe80::1",
                              "2001:db8:0:0:0:0:0:1", "::ffff:127.0.0.1", "2001:DB8::A", "1.2.3", "localhost", "",
                              "::1%lo", "[::1]", "1.2.3.4 "}) {
    for (const int port : {0, 1, 80, 8080, 65535}) {
      inputs.push_back({{"address", address}, {"port", port}});
    }
  }
  const auto trip = socklab::testkit::first_difference(calls(), "round_trip", inputs);
  INFO(socklab::testkit::describe("round_trip", trip));
  REQUIRE_FALSE(trip.has_value());
  const auto text = socklab::testkit::first_difference(calls(), "to_text", inputs);
  INFO(socklab::testkit::describe("to_text", text));
  REQUIRE_FALSE(text.has_value());
}

TEST_CASE("local_endpoint and peer_endpoint name both ends of a connection", "[task_4][points:2]") {
  for (const int family : {AF_INET, AF_INET6}) {
    const std::string loopback_text = family == AF_INET ? "127.0.0.1" : "::1";
    INFO("Step 1: a loopback TCP connection over " << loopback_text);
    auto [client, server] = tcp_pair(family);
    const Endpoint client_end = local_endpoint(client.get());
    REQUIRE(client_end.address == loopback_text);
    CHECK(client_end.port == socklab::testkit::local_port(client.get()));
    INFO("Step 2: each end's peer is the other's local endpoint");
    CHECK(peer_endpoint(server.get()) == client_end);
    CHECK(peer_endpoint(client.get()) == local_endpoint(server.get()));
    INFO("Step 3: as text");
    const std::string port = std::to_string(client_end.port);
    CHECK(to_text(client_end) == (family == AF_INET ? "127.0.0.1:" + port : "[::1]:" + port));
  }
  INFO("Step 4: peer_endpoint of a socket with no peer: ENOTCONN; local_endpoint of AF_UNIX: invalid_argument");
  const auto lone = udp_on_loopback();
  CHECK(errno_of([&] { (void)peer_endpoint(lone.get()); }) == ENOTCONN);
  auto [a, b] = unix_pair();
  CHECK_THROWS_AS(local_endpoint(a.get()), std::invalid_argument);
}

TEST_CASE("send_to and receive_from carry a datagram and its sender's address", "[task_5][points:2]") {
  for (const int family : {AF_INET, AF_INET6}) {
    INFO("Step 1: two UDP sockets on loopback (family " << family << "), ports chosen by the kernel");
    const auto a = udp_on_loopback(family);
    const auto b = udp_on_loopback(family);
    const SocketAddress to_b = raw_local_address(b.get());
    INFO("Step 2: send_to(a, \"hello\", b's address) sends 5 bytes");
    REQUIRE(send_to(a.get(), "hello", to_b) == 5);
    INFO("Step 3: receive_from(b, 100) gives the datagram and a's address");
    const Datagram got = receive_from(b.get(), 100);
    CHECK(got.data == "hello");
    CHECK(got.from.storage.ss_family == family);
    CHECK(port_in(got.from) == socklab::testkit::local_port(a.get()));
  }
  INFO("Step 4: nothing waiting, MSG_DONTWAIT: EAGAIN; an empty datagram is a datagram");
  const auto a = udp_on_loopback();
  const auto b = udp_on_loopback();
  CHECK(errno_of([&] { (void)receive_from(b.get(), 10, MSG_DONTWAIT); }) == EAGAIN);
  CHECK(send_to(a.get(), "", raw_local_address(b.get())) == 0);
  const Datagram empty = receive_from(b.get(), 10);
  CHECK(empty.data.empty());
  CHECK(port_in(empty.from) == socklab::testkit::local_port(a.get()));
}
