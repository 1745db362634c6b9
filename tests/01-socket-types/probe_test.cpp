// Lab 01, tasks 4, 6 and 7, checked against the reference (differential tests).
// The same inputs go to your code and to the reference oracle; the first input
// on which the two disagree is shown.

#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "calls.hpp"
#include "socket_types.hpp"
#include "socklab/testkit/process_facts.hpp"

using socklab::socket_types::article_kinds;
using socklab::socket_types::testing::calls;
using socklab::socket_types::testing::kind_json;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using socklab::testkit::json;

namespace {

// Every combination of these: known and unknown families, types and protocols.
// SCTP and DCCP are left out on purpose: asking for them can make the kernel
// load a module, a side effect no test should have.
json kind_grid() {
  const int families[] = {AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, 12345, -1};
  const int types[] = {0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, 99};
  const int protocols[] = {0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, 300};
  json grid = json::array();
  for (const int family : families) {
    for (const int type : types) {
      for (const int protocol : protocols) {
        grid.push_back(kind_json(family, type, protocol));
      }
    }
  }
  return grid;
}

json article_grid() {
  json grid = json::array();
  for (const auto& kind : article_kinds) {
    grid.push_back(kind_json(kind.family, kind.type, kind.protocol));
  }
  return grid;
}

}  // namespace

TEST_CASE("Socket fails exactly where socket(2) fails, across a grid of kinds",
          "[task_4][points:2]") {
  const auto difference = first_difference(calls(), "open", kind_grid());
  INFO(describe("Socket(family, type, protocol)", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("probe() agrees with the reference on the article's six kinds", "[task_6][points:2]") {
  const auto difference = first_difference(calls(), "probe", article_grid());
  INFO(describe("probe", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("probe() agrees with the reference over a grid of kinds and leaves nothing open",
          "[task_6][points:2]") {
  socklab::testkit::chapter_oracle();  // its pipes open before the count, not during
  const int open_before = socklab::testkit::open_fd_count();
  const auto difference = first_difference(calls(), "probe", kind_grid());
  INFO(describe("probe", difference));
  REQUIRE_FALSE(difference);
  INFO("probe() must close every socket it opens");
  REQUIRE(socklab::testkit::open_fd_count() == open_before);
}

TEST_CASE("family_name() agrees with the reference", "[task_7][points:1]") {
  json values = json::array();
  for (int family = -2; family <= 64; ++family) {
    values.push_back(family);
  }
  values.push_back(12345);
  const auto difference = first_difference(calls(), "family_name", values);
  INFO(describe("family_name", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("type_name() agrees with the reference, flags included", "[task_7][points:1]") {
  json values = json::array();
  for (int type = -2; type <= 16; ++type) {
    values.push_back(type);
    values.push_back(type | SOCK_CLOEXEC);
    values.push_back(type | SOCK_NONBLOCK);
  }
  const auto difference = first_difference(calls(), "type_name", values);
  INFO(describe("type_name", difference));
  REQUIRE_FALSE(difference);
}
