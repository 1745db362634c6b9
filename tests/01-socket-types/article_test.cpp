// Lab 01: what section 二.1 of the article says, checked on this machine
// through your code.  The chapter's "Pitfalls" section cites these tests.

#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <system_error>

#include "socket_types.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/process_facts.hpp"

using socklab::check;
using socklab::FileDescriptor;
using socklab::socket_types::probe;
using socklab::socket_types::Socket;
using socklab::testkit::has_capability;
using socklab::testkit::set_io_timeout;
using namespace std::chrono_literals;

// [errata-seqpacket-inet]
TEST_CASE("article: AF_INET has no SOCK_SEQPACKET on Linux", "[task_6][points:1][article]") {
  INFO("socket.socket(type=socket.SOCK_SEQPACKET) is AF_INET, which has no such type");
  REQUIRE(probe({"", AF_INET, SOCK_SEQPACKET, 0}).error == ESOCKTNOSUPPORT);
}
// [errata-seqpacket-inet]

// [errata-seqpacket-unix]
TEST_CASE("article: SOCK_SEQPACKET over AF_UNIX keeps message boundaries",
          "[task_1][points:1][article]") {
  // An abstract-namespace name (leading NUL): no file, unique to this process.
  static std::atomic<int> serial{0};
  const std::string name = "socklab-seqpacket-" + std::to_string(::getpid()) + "-" +
                           std::to_string(serial++);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());

  INFO("Step 1: a listening Socket(AF_UNIX, SOCK_SEQPACKET)");
  const Socket server(AF_UNIX, SOCK_SEQPACKET);
  REQUIRE(server.fileno() >= 0);
  check("bind", ::bind(server.fileno(), reinterpret_cast<const sockaddr*>(&address), length));
  check("listen", ::listen(server.fileno(), 1));
  set_io_timeout(server.fileno(), 2s);  // bounds accept() below

  INFO("Step 2: a client Socket connects and sends two messages");
  const Socket client(AF_UNIX, SOCK_SEQPACKET);
  REQUIRE(client.fileno() >= 0);
  check("connect",
        ::connect(client.fileno(), reinterpret_cast<const sockaddr*>(&address), length));
  const FileDescriptor peer(check("accept", ::accept4(server.fileno(), nullptr, nullptr,
                                                      SOCK_CLOEXEC)));
  set_io_timeout(peer.get(), 2s);
  check("send", ::send(client.fileno(), "first", 5, 0));
  check("send", ::send(client.fileno(), "second", 6, 0));

  INFO("Step 3: each recv() returns exactly one message, even with room for both");
  char buffer[64];
  const auto first = check("recv", ::recv(peer.get(), buffer, sizeof buffer, 0));
  CHECK(std::string(buffer, static_cast<std::size_t>(first)) == "first");
  const auto second = check("recv", ::recv(peer.get(), buffer, sizeof buffer, 0));
  CHECK(std::string(buffer, static_cast<std::size_t>(second)) == "second");
}
// [errata-seqpacket-unix]

// [errata-raw-cap]
TEST_CASE("article: a raw socket needs the CAP_NET_RAW capability",
          "[task_4][points:1][article]") {
  if (has_capability(CAP_NET_RAW)) {
    INFO("This process has CAP_NET_RAW, so Socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) must open");
    const Socket raw(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    REQUIRE(raw.fileno() >= 0);
  } else {
    INFO("This process lacks CAP_NET_RAW, so Socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) must "
         "throw EPERM");
    bool threw = false;
    try {
      const Socket raw(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    } catch (const std::system_error& e) {
      threw = true;
      CHECK(e.code() == std::error_code(EPERM, std::system_category()));
    }
    REQUIRE(threw);
  }
}
// [errata-raw-cap]

// [errata-raw-proto]
TEST_CASE("article: SOCK_RAW needs a protocol number", "[task_6][points:1][article]") {
  INFO("socket(AF_INET, SOCK_RAW, 0) names no IP protocol: EPROTONOSUPPORT, privileged or not");
  REQUIRE(probe({"", AF_INET, SOCK_RAW, 0}).error == EPROTONOSUPPORT);
}
// [errata-raw-proto]

// [errata-raw-arp]
TEST_CASE("article: an AF_INET raw socket cannot carry ARP", "[task_6][points:1][article]") {
  INFO("Its protocol is an IP protocol number below 256; ARP's EtherType 0x0806 is not one "
       "(ARP frames need AF_PACKET)");
  REQUIRE(probe({"", AF_INET, SOCK_RAW, htons(ETH_P_ARP)}).error == EINVAL);
  INFO("An AF_PACKET socket does take ARP's EtherType (opening it sends nothing), given "
       "CAP_NET_RAW; without it, EPERM");
  const int expected = has_capability(CAP_NET_RAW) ? 0 : EPERM;
  REQUIRE(probe({"", AF_PACKET, SOCK_RAW, htons(ETH_P_ARP)}).error == expected);
}
// [errata-raw-arp]

// [errata-raw-any]
TEST_CASE("article: a raw socket is not only for ICMP: UDP, TCP and IPPROTO_RAW raw sockets open too",
          "[task_6][points:1][article]") {
  // With CAP_NET_RAW each opens; without it each fails as ICMP's does, with EPERM (not allowed),
  // never EPROTONOSUPPORT or EINVAL (not supported).
  INFO("Step 1: probe reports what socket(2) says: protocol 0 is refused with EPROTONOSUPPORT");
  REQUIRE(probe({"", AF_INET, SOCK_RAW, 0}).error == EPROTONOSUPPORT);
  const int expected = has_capability(CAP_NET_RAW) ? 0 : EPERM;
  INFO("Step 2: this process " << (expected == 0 ? "has" : "lacks") << " CAP_NET_RAW: each probe must give "
                               << (expected == 0 ? "0" : "EPERM"));
  REQUIRE(probe({"", AF_INET, SOCK_RAW, IPPROTO_ICMP}).error == expected);
  CHECK(probe({"", AF_INET, SOCK_RAW, IPPROTO_UDP}).error == expected);
  CHECK(probe({"", AF_INET, SOCK_RAW, IPPROTO_TCP}).error == expected);
  CHECK(probe({"", AF_INET, SOCK_RAW, IPPROTO_RAW}).error == expected);
  CHECK(probe({"", AF_INET6, SOCK_RAW, IPPROTO_UDP}).error == expected);
}
// [errata-raw-any]

// [errata-inet6]
TEST_CASE("article: an AF_INET6 socket talks to IPv4 clients too", "[task_1][points:1][article]") {
  INFO("Step 1: a Socket(AF_INET6, SOCK_STREAM) with IPV6_V6ONLY off, bound to "
       "::ffff:127.0.0.1 (IPv4 loopback, written as an IPv6 address), port 0");
  const Socket server(AF_INET6, SOCK_STREAM);
  REQUIRE(server.fileno() >= 0);
  const int off = 0;
  check("setsockopt", ::setsockopt(server.fileno(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  REQUIRE(::inet_pton(AF_INET6, "::ffff:127.0.0.1", &address.sin6_addr) == 1);
  check("bind", ::bind(server.fileno(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
  check("listen", ::listen(server.fileno(), 1));
  set_io_timeout(server.fileno(), 2s);  // bounds accept() below
  socklen_t size = sizeof address;
  check("getsockname",
        ::getsockname(server.fileno(), reinterpret_cast<sockaddr*>(&address), &size));

  INFO("Step 2: a plain IPv4 client connects to 127.0.0.1 on that port");
  const FileDescriptor client(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = address.sin6_port;
  target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check("connect", ::connect(client.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target));

  INFO("Step 3: the IPv6 socket accepts it; the peer shows as an IPv4-mapped IPv6 address");
  sockaddr_in6 peer{};
  socklen_t peer_size = sizeof peer;
  const FileDescriptor accepted(check(
      "accept", ::accept4(server.fileno(), reinterpret_cast<sockaddr*>(&peer), &peer_size,
                          SOCK_CLOEXEC)));
  CHECK(peer.sin6_family == AF_INET6);
  CHECK(IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
}
// [errata-inet6]
