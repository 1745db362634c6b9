// Lab 04, task 2: listen_on, the socket()-setsockopt()-bind()-listen() of a
// server.  Every listener binds a loopback address on port 0; clients are the
// test's own raw sockets, with time-outs.

#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <system_error>

#include "helpers.hpp"
#include "listener.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::server;
using namespace socklab::server::testing;
using socklab::FileDescriptor;
using socklab::testkit::int_option;
using socklab::testkit::is_close_on_exec;
using socklab::testkit::local_port;

TEST_CASE("listen_on 127.0.0.1 port 0 listens on a port the kernel picks", "[task_2][points:2]") {
  INFO("Step 1: listen_on(\"127.0.0.1\", 0)");
  const FileDescriptor listener = listen_on("127.0.0.1", 0);
  REQUIRE(listener.get() >= 0);
  CHECK(int_option(listener.get(), SOL_SOCKET, SO_ACCEPTCONN) == 1);
  CHECK(int_option(listener.get(), SOL_SOCKET, SO_DOMAIN) == AF_INET);
  CHECK(int_option(listener.get(), SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
  CHECK(is_close_on_exec(listener.get()));
  const std::uint16_t port = local_port(listener.get());
  INFO("Step 2: the kernel chose port " << port << "; a client connects there");
  REQUIRE(port != 0);
  const FileDescriptor client = connect_to("127.0.0.1", port);
  const FileDescriptor served = raw_accept(listener.get());
  CHECK(pass(client.get(), served.get(), "hello") == "hello");
}

TEST_CASE("listen_on ::1 makes an IPv6-only listener", "[task_2][points:2]") {
  INFO("Step 1: listen_on(\"::1\", 0)");
  const FileDescriptor listener = listen_on("::1", 0);
  REQUIRE(listener.get() >= 0);
  CHECK(int_option(listener.get(), SOL_SOCKET, SO_DOMAIN) == AF_INET6);
  CHECK(int_option(listener.get(), SOL_SOCKET, SO_ACCEPTCONN) == 1);
  INFO("Step 2: IPV6_V6ONLY is set explicitly, whatever net.ipv6.bindv6only says");
  CHECK(int_option(listener.get(), IPPROTO_IPV6, IPV6_V6ONLY) == 1);
  INFO("Step 3: a client connects to ::1");
  const FileDescriptor client = connect_to("::1", local_port(listener.get()));
  const FileDescriptor served = raw_accept(listener.get());
  CHECK(pass(served.get(), client.get(), "over IPv6") == "over IPv6");
}

TEST_CASE("listen_on sets SO_REUSEADDR and SO_REUSEPORT as asked", "[task_2][points:1]") {
  INFO("Step 1: the defaults: SO_REUSEADDR on, SO_REUSEPORT off");
  const FileDescriptor plain = listen_on("127.0.0.1", 0);
  REQUIRE(plain.get() >= 0);
  CHECK(int_option(plain.get(), SOL_SOCKET, SO_REUSEADDR) == 1);
  CHECK(int_option(plain.get(), SOL_SOCKET, SO_REUSEPORT) == 0);
  INFO("Step 2: reuse_address = false, reuse_port = true");
  const FileDescriptor swapped = listen_on("127.0.0.1", 0, {.reuse_address = false, .reuse_port = true});
  REQUIRE(swapped.get() >= 0);
  CHECK(int_option(swapped.get(), SOL_SOCKET, SO_REUSEADDR) == 0);
  CHECK(int_option(swapped.get(), SOL_SOCKET, SO_REUSEPORT) == 1);
}

TEST_CASE("listen_on passes the backlog to listen", "[task_2][points:1]") {
  for (const int backlog : {7, 1, 0}) {
    INFO("listen_on(\"127.0.0.1\", 0, {.backlog = " << backlog << "}); TCP_INFO on a listener reports its bound");
    const FileDescriptor listener = listen_on("127.0.0.1", 0, {.backlog = backlog});
    REQUIRE(listener.get() >= 0);
    CHECK(listen_queue(listener.get()).backlog == static_cast<unsigned>(backlog));
    CHECK(listen_queue(listener.get()).waiting == 0);
  }
}

// [errata-dual-stack]
TEST_CASE("a dual-stack listener takes IPv4 clients at an IPv4-mapped address", "[task_2][points:2]") {
  INFO("Step 1: listen_on(\"::ffff:127.0.0.1\", 0, {.dual_stack = true}): an AF_INET6 socket, IPV6_V6ONLY off");
  const FileDescriptor listener = listen_on("::ffff:127.0.0.1", 0, {.dual_stack = true});
  REQUIRE(listener.get() >= 0);
  CHECK(int_option(listener.get(), SOL_SOCKET, SO_DOMAIN) == AF_INET6);
  CHECK(int_option(listener.get(), IPPROTO_IPV6, IPV6_V6ONLY) == 0);
  const std::uint16_t port = local_port(listener.get());
  INFO("Step 2: an IPv4 client connects to 127.0.0.1 port " << port);
  const FileDescriptor client = connect_to("127.0.0.1", port);
  const FileDescriptor served = raw_accept(listener.get());
  CHECK(pass(client.get(), served.get(), "v4 to v6") == "v4 to v6");
  INFO("Step 3: an IPv6-only socket cannot take a mapped address: bind fails with EINVAL");
  try {
    (void)listen_on("::ffff:127.0.0.1", 0, {.dual_stack = false});
    FAIL("listen_on(\"::ffff:127.0.0.1\", 0, {.dual_stack = false}) returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EINVAL, std::system_category()));
    CHECK(std::string(e.what()).find("bind") != std::string::npos);
  }
}
// [errata-dual-stack]

TEST_CASE("listen_on takes numeric addresses only", "[task_2][points:1]") {
  REQUIRE(listen_on("127.0.0.1", 0).get() >= 0);
  for (const char* host : {"localhost", "", "not an address", "127.0.0.1:80", "[::1]"}) {
    INFO("listen_on(\"" << host << "\", 0) throws std::invalid_argument, and looks nothing up");
    CHECK_THROWS_AS(listen_on(host, 0), std::invalid_argument);
  }
}

TEST_CASE("listen_on reports a port in use as EADDRINUSE from bind", "[task_2][points:1]") {
  INFO("Step 1: the test listens on 127.0.0.1, port chosen by the kernel");
  const auto taken = socklab::testkit::listen_on_loopback();
  REQUIRE(listen_on("127.0.0.1", 0).get() >= 0);
  INFO("Step 2: listen_on(\"127.0.0.1\", " << taken.port << ") throws std::system_error EADDRINUSE naming bind");
  try {
    (void)listen_on("127.0.0.1", taken.port);
    FAIL("listen_on a port in use returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EADDRINUSE, std::system_category()));
    CHECK(std::string(e.what()).find("bind") != std::string::npos);
  }
}
