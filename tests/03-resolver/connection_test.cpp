// Lab 03, tasks 7 and 8: getting a connected socket.  Every server here is a
// loopback socket the test makes itself on a port the kernel picks; student
// code that might block runs under finish_within, so a hang fails, not stalls.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "connection.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::resolver;
using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::accept_one;
using socklab::testkit::finish_within;
using socklab::testkit::listen_on_loopback;
using socklab::testkit::peer_port;
using socklab::testkit::refused_loopback_port;

namespace {

AddressInfo tcp(const std::string& address, std::uint16_t port) {
  return {address.find(':') == std::string::npos ? AF_INET : AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", address, port};
}

// Sends `text` one way and reads it the other, with time-outs on both ends.
std::string echo_through(int from, int to, const std::string& text) {
  socklab::testkit::set_io_timeout(from, 2s);
  socklab::testkit::set_io_timeout(to, 2s);
  check("send", ::send(from, text.data(), text.size(), MSG_NOSIGNAL));
  char buffer[256];
  const auto got = check("recv", ::recv(to, buffer, sizeof buffer, 0));
  return std::string(buffer, static_cast<std::size_t>(got));
}

bool is_blocking(int fd) { return (check("fcntl", ::fcntl(fd, F_GETFL)) & O_NONBLOCK) == 0; }

}  // namespace

TEST_CASE("socket_pair makes two connected, close-on-exec sockets", "[task_7][points:2]") {
  auto [a, b] = socket_pair();
  REQUIRE(a.get() >= 0);
  REQUIRE(b.get() >= 0);
  CHECK(socklab::testkit::is_close_on_exec(a.get()));
  CHECK(socklab::testkit::is_close_on_exec(b.get()));
  INFO("Step 2: what one end sends, the other receives, both ways");
  CHECK(echo_through(a.get(), b.get(), "ping") == "ping");
  CHECK(echo_through(b.get(), a.get(), "pong") == "pong");
}

TEST_CASE("socket_pair of datagrams keeps message boundaries", "[task_7][points:1]") {
  auto [a, b] = socket_pair(AF_UNIX, SOCK_DGRAM);
  REQUIRE(a.get() >= 0);
  socklab::testkit::set_io_timeout(b.get(), 2s);
  check("send", ::send(a.get(), "one", 3, 0));
  check("send", ::send(a.get(), "two", 3, 0));
  char buffer[16];
  CHECK(check("recv", ::recv(b.get(), buffer, sizeof buffer, 0)) == 3);
  CHECK(check("recv", ::recv(b.get(), buffer, sizeof buffer, 0)) == 3);
}

// [errata-fromfd]
TEST_CASE("from_fd duplicates: each descriptor is closed by its own owner", "[task_7][points:1]") {
  auto [a, b] = socket_pair();
  REQUIRE(a.get() >= 0);
  INFO("Step 1: from_fd(a) is a new descriptor for the same socket");
  FileDescriptor copy = from_fd(a.get());
  REQUIRE(copy.get() >= 0);
  REQUIRE(copy.get() != a.get());
  CHECK(socklab::testkit::is_close_on_exec(copy.get()));
  INFO("Step 2: after closing the original, the copy still talks to b");
  a.close();
  CHECK(echo_through(copy.get(), b.get(), "still here") == "still here");
  INFO("Step 3: a descriptor that is not open: std::system_error, EBADF");
  const int closed = copy.get();
  copy.close();
  try {
    (void)from_fd(closed);
    FAIL("from_fd of a closed descriptor returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EBADF, std::system_category()));
  }
}
// [errata-fromfd]

TEST_CASE("connect_first connects and hands back a blocking socket", "[task_8][points:2]") {
  const auto listener = listen_on_loopback();
  INFO("Step 1: connect_first({127.0.0.1 port " << listener.port << "}, 2 s)");
  auto connected = finish_within(5s, [&] { return connect_first({tcp("127.0.0.1", listener.port)}, 2s); });
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  CHECK(peer_port(connected->get()) == listener.port);
  INFO("Step 2: the socket is blocking again and close-on-exec");
  CHECK(is_blocking(connected->get()));
  CHECK(socklab::testkit::is_close_on_exec(connected->get()));
  const FileDescriptor accepted = accept_one(listener);
  CHECK(echo_through(connected->get(), accepted.get(), "hello") == "hello");
}

TEST_CASE("connect_first tries the candidates in order until one accepts", "[task_8][points:2]") {
  const auto refused = refused_loopback_port();
  const auto listener = listen_on_loopback();
  INFO("Step 1: candidates: port " << refused.port << " (refuses), then port " << listener.port << " (listens)");
  auto connected = finish_within(5s, [&] {
    return connect_first({tcp("127.0.0.1", refused.port), tcp("127.0.0.1", listener.port)}, 2s);
  });
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  CHECK(peer_port(connected->get()) == listener.port);
}

TEST_CASE("when every candidate fails, the error lists each one", "[task_8][points:1]") {
  const auto first = refused_loopback_port();
  const auto second = refused_loopback_port();
  auto outcome = finish_within(5s, [&]() -> std::string {
    try {
      (void)connect_first({tcp("127.0.0.1", first.port), tcp("127.0.0.1", second.port)}, 2s);
    } catch (const std::system_error& e) {
      CHECK(e.code() == std::error_code(ECONNREFUSED, std::system_category()));
      return e.what();
    }
    return "connect_first returned instead of throwing";
  });
  REQUIRE(outcome.has_value());
  INFO("what(): " << *outcome);
  CHECK(outcome->find("127.0.0.1 port " + std::to_string(first.port)) != std::string::npos);
  CHECK(outcome->find("127.0.0.1 port " + std::to_string(second.port)) != std::string::npos);
  CHECK_THROWS_AS(connect_first({}, 1s), std::invalid_argument);
}

TEST_CASE("an attempt that takes too long times out and the next is tried", "[task_8][points:2]") {
  INFO("Step 1: a listener with a full queue: the kernel drops new SYNs, so connecting there hangs");
  const auto full = listen_on_loopback(AF_INET, 0);
  const FileDescriptor queued = socklab::testkit::start_connect(full.port);
  std::this_thread::sleep_for(100ms);  // let that connection reach the queue
  const auto listener = listen_on_loopback();

  INFO("Step 2: connect_first({full queue, listening}, 300 ms per attempt)");
  const auto start = std::chrono::steady_clock::now();
  auto connected = finish_within(10s, [&] {
    return connect_first({tcp("127.0.0.1", full.port), tcp("127.0.0.1", listener.port)}, 300ms);
  });
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  CHECK(peer_port(connected->get()) == listener.port);
  INFO("Step 3: it waited the attempt's time-out, and not much longer");
  CHECK(took >= 290ms);
  CHECK(took < 3s);

  INFO("Step 4: with only the full queue, the error is ETIMEDOUT");
  auto failed = finish_within(10s, [&]() -> std::error_code {
    try {
      (void)connect_first({tcp("127.0.0.1", full.port)}, 200ms);
    } catch (const std::system_error& e) {
      return e.code();
    }
    return {};
  });
  REQUIRE(failed.has_value());
  CHECK(*failed == std::error_code(ETIMEDOUT, std::system_category()));
}

TEST_CASE("connect_first binds the source address first", "[task_8][points:1]") {
  const auto listener = listen_on_loopback();
  INFO("Step 1: connect from 127.0.0.2 (any port) to 127.0.0.1 port " << listener.port);
  auto connected = finish_within(5s, [&] {
    return connect_first({tcp("127.0.0.1", listener.port)}, 2s, Endpoint{"127.0.0.2", 0});
  });
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  sockaddr_storage peer{};
  const FileDescriptor accepted = accept_one(listener, &peer);
  char text[INET_ADDRSTRLEN] = "";
  ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, text, sizeof text);
  INFO("Step 2: the server sees the client at 127.0.0.2");
  CHECK(std::string(text) == "127.0.0.2");
}

TEST_CASE("create_connection resolves, then connects", "[task_8][points:1]") {
  const auto listener = listen_on_loopback();
  for (const char* host : {"127.0.0.1", "localhost"}) {
    INFO("create_connection(\"" << host << "\", " << listener.port << ", 2 s)");
    auto connected = finish_within(5s, [&] { return create_connection(host, listener.port, 2s); });
    REQUIRE(connected.has_value());
    REQUIRE(connected->get() >= 0);
    CHECK(peer_port(connected->get()) == listener.port);
    (void)accept_one(listener);
  }
}
