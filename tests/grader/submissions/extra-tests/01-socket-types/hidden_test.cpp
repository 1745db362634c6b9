// An instructor's hidden tests for chapter 01, in the format of
// tests/01-socket-types/: the end-to-end test grades them with --extra-tests.
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "socket_types.hpp"

using namespace socklab::socket_types;

TEST_CASE("type_name() names a datagram socket", "[task_7][points:3]") {
  REQUIRE(type_name(SOCK_DGRAM) == "SOCK_DGRAM");
}

TEST_CASE("a Socket reports the family it was opened with", "[task_5][points:2]") {
  const Socket s(AF_UNIX, SOCK_STREAM);
  REQUIRE(s.fileno() >= 0);
  CHECK(s.family() == AF_UNIX);
}
