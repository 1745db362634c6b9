// Lab 06, task 6: typed socket options.  Every value set through the student's
// code is read back by the test itself (testkit::int_option), and the other way.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>

#include "helpers.hpp"
#include "options.hpp"

using namespace socklab::calls;
using namespace socklab::calls::testing;
using socklab::testkit::int_option;

namespace {
socklab::FileDescriptor tcp_socket() {
  return socklab::FileDescriptor(socklab::check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
}
}  // namespace

TEST_CASE("flag options turn on and off", "[task_6][points:2]") {
  const auto fd = tcp_socket();
  for (const auto& [option, name] : {std::pair{reuse_address, "SO_REUSEADDR"}, std::pair{keep_alive, "SO_KEEPALIVE"},
                                     std::pair{no_delay, "TCP_NODELAY"}}) {
    INFO("Step 1: set_option(" << name << ", true); the kernel then reports it on");
    set_option(fd.get(), option, true);
    REQUIRE(int_option(fd.get(), option.level, option.name) != 0);
    CHECK(get_option(fd.get(), option));
    INFO("Step 2: set_option(" << name << ", false), and get_option agrees");
    set_option(fd.get(), option, false);
    CHECK(int_option(fd.get(), option.level, option.name) == 0);
    CHECK_FALSE(get_option(fd.get(), option));
  }
}

TEST_CASE("the kernel doubles SO_RCVBUF and SO_SNDBUF", "[task_6][points:2]") {
  const auto fd = tcp_socket();
  for (const int size : {4096, 16384, 65536}) {
    INFO("Step 1: set_option(receive_buffer, " << size << ") and set_option(send_buffer, " << size << ")");
    set_option(fd.get(), receive_buffer, size);
    set_option(fd.get(), send_buffer, size);
    INFO("Step 2: man 7 socket: the kernel doubles the value, for its bookkeeping; getsockopt returns that");
    REQUIRE(int_option(fd.get(), SOL_SOCKET, SO_RCVBUF) == 2 * size);
    CHECK(get_option(fd.get(), receive_buffer) == 2 * size);
    CHECK(int_option(fd.get(), SOL_SOCKET, SO_SNDBUF) == 2 * size);
    CHECK(get_option(fd.get(), send_buffer) == 2 * size);
  }
  INFO("Step 3: a negative size is refused before any call");
  CHECK_THROWS_AS(set_option(fd.get(), receive_buffer, -1), std::invalid_argument);
  CHECK(get_option(fd.get(), receive_buffer) == 2 * 65536);
}

TEST_CASE("option calls that fail throw std::system_error", "[task_6][points:1]") {
  INFO("Step 1: no descriptor: EBADF from setsockopt and getsockopt");
  REQUIRE(errno_of([] { set_option(-1, reuse_address, true); }) == EBADF);
  CHECK(errno_of([] { (void)get_option(-1, keep_alive); }) == EBADF);
  CHECK(errno_of([] { set_option(-1, send_buffer, 4096); }) == EBADF);
  CHECK(errno_of([] { (void)get_option(-1, send_buffer); }) == EBADF);
  INFO("Step 2: TCP_NODELAY means nothing on a UDP socket: EOPNOTSUPP (ENOPROTOOPT on older kernels)");
  const auto udp = udp_on_loopback();
  const int error = errno_of([&] { (void)get_option(udp.get(), no_delay); });
  CHECK((error == EOPNOTSUPP || error == ENOPROTOOPT));
}

// [errata-buflen]
TEST_CASE("article: getsockopt with buflen returns the option's raw bytes", "[task_6][points:1][article]") {
  const auto fd = tcp_socket();
  INFO("Step 1: SO_LINGER is a struct linger, not an int: asked with buflen 64, 8 bytes come back");
  const auto linger_bytes = get_option_bytes(fd.get(), SOL_SOCKET, SO_LINGER, 64);
  REQUIRE(linger_bytes.size() == sizeof(linger));
  linger value{};
  std::memcpy(&value, linger_bytes.data(), sizeof value);
  CHECK(value.l_onoff == 0);
  INFO("Step 2: an int option as bytes is the int");
  set_int_option(fd.get(), SOL_SOCKET, SO_RCVBUF, 8192);
  const auto buffer_bytes = get_option_bytes(fd.get(), SOL_SOCKET, SO_RCVBUF, 16);
  REQUIRE(buffer_bytes.size() == sizeof(int));
  int size = 0;
  std::memcpy(&size, buffer_bytes.data(), sizeof size);
  CHECK(size == 16384);
}
// [errata-buflen]
