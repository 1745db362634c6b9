// Lab 06, tasks 7 and 8: Python's time-out modes on a TimedSocket.  Time
// bounds are generous above (CI machines are noisy) and tight below.

#include <fcntl.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "helpers.hpp"
#include "socklab/testkit/deadline.hpp"
#include "timed_socket.hpp"

using namespace socklab::calls;
using namespace socklab::calls::testing;
using namespace std::chrono_literals;
using socklab::FileDescriptor;
using socklab::testkit::finish_within;

namespace {

using Clock = std::chrono::steady_clock;

// How an operation ended: its errno (0 for success) and how long it took.
struct Outcome {
  int error = 0;
  Clock::duration took{};
};

template <typename Work>
std::optional<Outcome> timed(Work work, std::chrono::milliseconds limit = 10s) {
  return finish_within(limit, [work]() mutable {
    const auto start = Clock::now();
    const int error = errno_of(work);
    return Outcome{error, Clock::now() - start};
  });
}

SocketAddress raw_address(int family, std::uint16_t port) {
  const auto [storage, length] = loopback(family, port);
  SocketAddress address;
  address.storage = storage;
  address.length = length;
  return address;
}

FileDescriptor new_tcp_socket(int flags = 0) {
  return FileDescriptor(socklab::check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0)));
}

}  // namespace

TEST_CASE("a new TimedSocket is blocking, with no time-out, and close closes it", "[task_7][points:1]") {
  INFO("Step 1: TimedSocket over a socket created non-blocking");
  TimedSocket socket(new_tcp_socket(SOCK_NONBLOCK));
  const int fd = socket.fileno();
  REQUIRE(fd >= 0);
  INFO("Step 2: it is blocking now, and gettimeout() is nullopt (Python's None)");
  CHECK_FALSE(is_non_blocking(fd));
  CHECK_FALSE(socket.gettimeout().has_value());
  INFO("Step 3: close() closes the descriptor; fileno() is then -1");
  socket.close();
  CHECK(socket.fileno() == -1);
  CHECK_FALSE(socklab::testkit::is_open_fd(fd));
}

TEST_CASE("settimeout and setblocking choose the mode", "[task_7][points:2]") {
  TimedSocket socket(new_tcp_socket());
  REQUIRE(socket.fileno() >= 0);
  INFO("Step 1: settimeout(250 ms): gettimeout() says so, and the descriptor is non-blocking");
  socket.settimeout(250ms);
  REQUIRE(socket.gettimeout() == std::optional(250ms));
  CHECK(is_non_blocking(socket.fileno()));
  INFO("Step 2: settimeout(nullopt): blocking again");
  socket.settimeout(std::nullopt);
  CHECK_FALSE(socket.gettimeout().has_value());
  CHECK_FALSE(is_non_blocking(socket.fileno()));
  INFO("Step 3: setblocking(false) is settimeout(0); setblocking(true) is settimeout(nullopt)");
  socket.setblocking(false);
  CHECK(socket.gettimeout() == std::optional(0ms));
  CHECK(is_non_blocking(socket.fileno()));
  socket.setblocking(true);
  CHECK_FALSE(socket.gettimeout().has_value());
  CHECK_FALSE(is_non_blocking(socket.fileno()));
  INFO("Step 4: a negative time-out is refused, and nothing changes");
  CHECK_THROWS_AS(socket.settimeout(-1ms), std::invalid_argument);
  CHECK_FALSE(socket.gettimeout().has_value());
  CHECK_FALSE(is_non_blocking(socket.fileno()));
}

TEST_CASE("recv with a time-out fails with ETIMEDOUT after about that long", "[task_8][points:2]") {
  auto [a, b] = unix_pair();
  TimedSocket socket(std::move(a));
  REQUIRE(socket.fileno() >= 0);
  socket.settimeout(200ms);
  INFO("Step 1: recv(10) with nothing coming, time-out 200 ms");
  const auto outcome = timed([&socket] { (void)socket.recv(10); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->error == ETIMEDOUT);
  CHECK(outcome->took >= 190ms);
  CHECK(outcome->took < 3s);
  INFO("Step 2: the time-out is per call: data that comes in time is received");
  ScopedThread later([fd = b.get()] {
    std::this_thread::sleep_for(50ms);
    (void)::send(fd, "late", 4, MSG_NOSIGNAL);
  });
  const auto got = finish_within(5s, [&socket] { return socket.recv(10); });
  later.join();
  REQUIRE(got.has_value());
  CHECK(*got == "late");
}

TEST_CASE("send and sendall stop at the deadline when nobody reads", "[task_8][points:2]") {
  auto [a, b] = unix_pair();
  set_int_option(a.get(), SOL_SOCKET, SO_SNDBUF, 4096);
  TimedSocket socket(std::move(a));
  REQUIRE(socket.fileno() >= 0);
  INFO("Step 1: blocking sendall of 1 MiB while a reader drains the other end: all of it arrives");
  const std::string data(1 << 20, 'x');
  {
    Drain reader(b.get(), data.size());
    const auto done = finish_within(20s, [&socket, &data] {
      socket.sendall(data);
      return true;
    });
    REQUIRE(done.has_value());
    CHECK(reader.finish().size() == data.size());
  }
  INFO("Step 2: time-out 300 ms, nobody reading: sendall(4 MiB) fails with ETIMEDOUT after about 300 ms");
  socket.settimeout(300ms);
  const std::string more(4 << 20, 'y');
  const auto outcome = timed([&socket, &more] { socket.sendall(more); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->error == ETIMEDOUT);
  CHECK(outcome->took >= 290ms);
  CHECK(outcome->took < 3s);
  INFO("Step 3: send with time-out 0 on the full buffer: EAGAIN at once");
  socket.settimeout(0ms);
  const auto at_once = timed([&socket] { (void)socket.send("z"); });
  REQUIRE(at_once.has_value());
  CHECK(at_once->error == EAGAIN);
  CHECK(at_once->took < 1s);
}

TEST_CASE("accept honours the time-out and gives a blocking socket", "[task_8][points:2]") {
  const auto listener = socklab::testkit::listen_on_loopback();
  const std::uint16_t port = listener.port;
  TimedSocket server(listener.socket.duplicate());
  REQUIRE(server.fileno() >= 0);
  INFO("Step 1: accept with time-out 200 ms and no client: ETIMEDOUT after about 200 ms");
  server.settimeout(200ms);
  const auto outcome = timed([&server] { (void)server.accept(); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->error == ETIMEDOUT);
  CHECK(outcome->took >= 190ms);
  CHECK(outcome->took < 3s);
  INFO("Step 2: a client connects; accept returns its socket, blocking, with no time-out");
  const FileDescriptor client = socklab::testkit::start_connect(port);
  server.settimeout(5s);
  auto accepted = finish_within(10s, [&server] { return server.accept(); });
  REQUIRE(accepted.has_value());
  REQUIRE(accepted->fileno() >= 0);
  CHECK_FALSE(is_non_blocking(accepted->fileno()));
  CHECK_FALSE(accepted->gettimeout().has_value());
  CHECK(socklab::testkit::peer_port(accepted->fileno()) == socklab::testkit::local_port(client.get()));
}

TEST_CASE("connect honours the time-out", "[task_8][points:2]") {
  INFO("Step 1: a listener with a full queue drops new SYNs, so a connect there hangs");
  const auto full = socklab::testkit::listen_on_loopback(AF_INET, 0);
  const FileDescriptor queued = socklab::testkit::start_connect(full.port);
  std::this_thread::sleep_for(100ms);  // let that connection reach the queue
  TimedSocket hanging(new_tcp_socket());
  REQUIRE(hanging.fileno() >= 0);
  hanging.settimeout(300ms);
  INFO("Step 2: connect with time-out 300 ms: ETIMEDOUT after about 300 ms");
  const auto outcome = timed([&hanging, port = full.port] { hanging.connect(raw_address(AF_INET, port)); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->error == ETIMEDOUT);
  CHECK(outcome->took >= 290ms);
  CHECK(outcome->took < 3s);
  INFO("Step 3: with time-out 0, connect cannot finish at once: EINPROGRESS");
  TimedSocket at_once(new_tcp_socket());
  at_once.settimeout(0ms);
  const auto started = timed([&at_once, port = full.port] { at_once.connect(raw_address(AF_INET, port)); });
  REQUIRE(started.has_value());
  CHECK(started->error == EINPROGRESS);
  INFO("Step 4: with time-out 2 s: a refused port gives ECONNREFUSED, a listener connects");
  const auto refused = socklab::testkit::refused_loopback_port();
  TimedSocket refused_client(new_tcp_socket());
  refused_client.settimeout(2s);
  const auto refusal = timed([&] { refused_client.connect(raw_address(AF_INET, refused.port)); });
  REQUIRE(refusal.has_value());
  CHECK(refusal->error == ECONNREFUSED);
  const auto listener = socklab::testkit::listen_on_loopback(AF_INET6);
  TimedSocket client(FileDescriptor(socklab::check("socket", ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0))));
  client.settimeout(2s);
  const auto connected = timed([&] { client.connect(raw_address(AF_INET6, listener.port)); });
  REQUIRE(connected.has_value());
  CHECK(connected->error == 0);
  CHECK(socklab::testkit::peer_port(client.fileno()) == listener.port);
}

// [errata-nonblocking]
TEST_CASE("article: a non-blocking socket's 'error' is EAGAIN, a normal condition", "[task_8][points:1][article]") {
  auto [a, b] = unix_pair();
  TimedSocket socket(std::move(a));
  REQUIRE(socket.fileno() >= 0);
  INFO("Step 1: setblocking(false); recv with nothing to read fails at once with EAGAIN (== EWOULDBLOCK)");
  socket.setblocking(false);
  const auto outcome = timed([&socket] { (void)socket.recv(10); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->error == EAGAIN);
  CHECK(outcome->took < 1s);
  INFO("Step 2: nothing is wrong with the socket: once data is there, the same call returns it");
  raw_send(b.get(), "now");
  const auto got = finish_within(5s, [&socket] { return socket.recv(10); });
  REQUIRE(got.has_value());
  CHECK(*got == "now");
}
// [errata-nonblocking]

// [errata-settimeout]
TEST_CASE("article: settimeout can be set at any time, not only on a new socket", "[task_8][points:1][article]") {
  INFO("Step 1: a blocking connection that has already carried data");
  auto [client, server] = tcp_pair();
  TimedSocket socket(std::move(client));
  REQUIRE(socket.fileno() >= 0);
  raw_send(server.get(), "first");
  const auto first = finish_within(5s, [&socket] { return socket.recv(10); });
  REQUIRE(first.has_value());
  CHECK(*first == "first");
  INFO("Step 2: now settimeout(150 ms): the next recv times out after about 150 ms");
  socket.settimeout(150ms);
  const auto outcome = timed([&socket] { (void)socket.recv(10); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->error == ETIMEDOUT);
  CHECK(outcome->took >= 140ms);
  CHECK(outcome->took < 3s);
  INFO("Step 3: and back to blocking, which is still the same connection");
  socket.settimeout(std::nullopt);
  CHECK_FALSE(is_non_blocking(socket.fileno()));
  raw_send(server.get(), "second");
  const auto second = finish_within(5s, [&socket] { return socket.recv(10); });
  REQUIRE(second.has_value());
  CHECK(*second == "second");
}
// [errata-settimeout]
