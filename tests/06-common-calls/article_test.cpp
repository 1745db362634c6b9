// Lab 06: what section 二.4.3 of the article says about datagrams, checked on
// this machine through your code.  The chapter's "Pitfalls" section cites
// these tests, and the "article: …" tests in the other files.

#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <string>

#include "endpoints.hpp"
#include "helpers.hpp"

using namespace socklab::calls;
using namespace socklab::calls::testing;

// [errata-recvfrom]
TEST_CASE("article: recvfrom takes a size, and cuts a longer datagram to it", "[task_5][points:1][article]") {
  const auto a = udp_on_loopback();
  const auto b = udp_on_loopback();
  const SocketAddress to_b = raw_local_address(b.get());
  INFO("Step 1: two datagrams, \"0123456789\" and \"next\"");
  socklab::check("sendto", ::sendto(a.get(), "0123456789", 10, 0, to_b.get(), to_b.length));
  socklab::check("sendto", ::sendto(a.get(), "next", 4, 0, to_b.get(), to_b.length));
  INFO("Step 2: receive_from(b, 4) gives the first 4 bytes of the first; the other 6 are lost");
  REQUIRE(receive_from(b.get(), 4).data == "0123");
  INFO("Step 3: the next call gets the next datagram, not the rest of the first");
  CHECK(receive_from(b.get(), 100).data == "next");
}
// [errata-recvfrom]

// [errata-sendto]
TEST_CASE("article: sendto does not connect the socket", "[task_5][points:1][article]") {
  const auto a = udp_on_loopback();
  const auto b = udp_on_loopback();
  const auto c = udp_on_loopback();
  INFO("Step 1: send_to(a, \"hi\", b)");
  REQUIRE(send_to(a.get(), "hi", raw_local_address(b.get())) == 2);
  INFO("Step 2: a has no peer afterwards: getpeername fails with ENOTCONN");
  SocketAddress peer;
  peer.length = sizeof peer.storage;
  CHECK(::getpeername(a.get(), peer.get(), &peer.length) == -1);
  CHECK(errno == ENOTCONN);
  INFO("Step 3: so a still receives from anyone: a datagram from c arrives");
  socklab::check("sendto", ::sendto(c.get(), "from c", 6, 0, raw_local_address(a.get()).get(),
                                    raw_local_address(a.get()).length));
  CHECK(receive_from(a.get(), 100).data == "from c");
  INFO("Step 4: compare a connected socket: after connect(a, b), c's datagrams are not delivered to a");
  const SocketAddress to_b = raw_local_address(b.get());
  socklab::check("connect", ::connect(a.get(), to_b.get(), to_b.length));
  socklab::check("sendto", ::sendto(c.get(), "ignored", 7, 0, raw_local_address(a.get()).get(),
                                    raw_local_address(a.get()).length));
  CHECK(errno_of([&] { (void)receive_from(a.get(), 100, MSG_DONTWAIT); }) == EAGAIN);
}
// [errata-sendto]
