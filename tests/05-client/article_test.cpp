// Lab 05: what section 二.4.2 of the article and its Client.py say, checked on
// this machine through your code.  The chapter's "Pitfalls" section cites
// these tests.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <future>
#include <string>

#include "client.hpp"
#include "loopback_pair.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"

using namespace socklab::client;
using namespace socklab::client::testing;
using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::finish_within;

// [errata-connect-ex]
TEST_CASE("article: connect_ex returns errno values, and EINPROGRESS is not a failure",
          "[task_3][points:1][article]") {
  INFO("Step 1: connect_ex to a closed port returns ECONNREFUSED, the errno of connect(2)");
  const auto refused = socklab::testkit::refused_loopback_port();
  const FileDescriptor blocking = raw_stream(AF_INET);
  const auto error = finish_within(5s, [&] { return connect_ex(blocking.get(), {"127.0.0.1", refused.port}); });
  REQUIRE(error.has_value());
  REQUIRE(*error == ECONNREFUSED);
  CHECK(std::string(std::strerror(*error)) == "Connection refused");

  INFO("Step 2: on a non-blocking socket, connect_ex to a listener returns EINPROGRESS");
  const auto listener = socklab::testkit::listen_on_loopback();
  const FileDescriptor fd = raw_stream(AF_INET, true);
  const int started = connect_ex(fd.get(), {"127.0.0.1", listener.port});
  REQUIRE(started == EINPROGRESS);

  INFO("Step 3: yet the connection succeeds: poll says writable, SO_ERROR says 0");
  pollfd writable{fd.get(), POLLOUT, 0};
  REQUIRE(check("poll", ::poll(&writable, 1, 2000)) == 1);
  int outcome = -1;
  socklen_t size = sizeof outcome;
  check("getsockopt", ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &outcome, &size));
  CHECK(outcome == 0);
  CHECK(connected_port(fd.get()) == listener.port);
}
// [errata-connect-ex]

// [errata-recv-joins]
TEST_CASE("article: one recv can return what two sends wrote", "[task_5][points:1][article]") {
  INFO("Client.py calls c.recv(1024) once per message it sent, as if one recv were one reply");
  TcpPair pair = tcp_pair();
  INFO("Step 1: the server sends \"first\\n\", then \"second\\n\", in two send() calls");
  check("send", ::send(pair.server.get(), "first\n", 6, MSG_NOSIGNAL));
  check("send", ::send(pair.server.get(), "second\n", 7, MSG_NOSIGNAL));
  REQUIRE(wait_for_bytes(pair.client.get(), 13));
  INFO("Step 2: one receive_some(client, 1024) returns both: TCP keeps no message boundaries");
  const auto got = finish_within(5s, [&] { return receive_some(pair.client.get(), 1024); });
  REQUIRE(got.has_value());
  REQUIRE(*got == "first\nsecond\n");
}
// [errata-recv-joins]

// [errata-recv-splits]
TEST_CASE("article: one reply may need several recv calls", "[task_5][points:1][article]") {
  TcpPair pair = tcp_pair();
  INFO("Step 1: the server sends 3000 bytes in one send()");
  const std::string reply(3000, 'x');
  check("send", ::send(pair.server.get(), reply.data(), reply.size(), MSG_NOSIGNAL));
  REQUIRE(wait_for_bytes(pair.client.get(), 3000));
  INFO("Step 2: receive_some(client, 1024) returns at most 1024 bytes; the rest needs more calls");
  std::string all;
  int calls = 0;
  for (; calls < 10 && all.size() < reply.size(); ++calls) {
    const auto got = finish_within(5s, [&] { return receive_some(pair.client.get(), 1024); });
    REQUIRE(got.has_value());
    REQUIRE(!got->empty());
    REQUIRE(got->size() <= 1024);
    all += *got;
  }
  CHECK(all == reply);
  CHECK(calls == 3);
}
// [errata-recv-splits]

// [errata-recv-eof]
TEST_CASE("article: recv returns an empty string when the server closes", "[task_5][points:1][article]") {
  INFO("Client.py has no test for b'': it would print an empty reply and carry on");
  TcpPair pair = tcp_pair();
  INFO("Step 1: the server sends \"bye\" and closes");
  check("send", ::send(pair.server.get(), "bye", 3, MSG_NOSIGNAL));
  pair.server.close();
  const auto first = finish_within(5s, [&] { return receive_some(pair.client.get(), 1024); });
  REQUIRE(first.has_value());
  REQUIRE(*first == "bye");
  INFO("Step 2: then every receive_some returns \"\" at once: the end of the stream, not an error");
  for (int i = 0; i < 3; ++i) {
    const auto end = finish_within(5s, [&] { return receive_some(pair.client.get(), 1024); });
    REQUIRE(end.has_value());
    CHECK(end->empty());
  }
}
// [errata-recv-eof]

// [errata-relay-eof]
TEST_CASE("article: relay stops when the server closes, while the input is still open",
          "[task_6][points:1][article]") {
  INFO("Client.py loops on input() and recv(); relay must notice the end of the stream and return");
  TcpPair pair = tcp_pair();
  int input[2];
  int output[2];
  check("pipe2", ::pipe2(input, O_CLOEXEC));
  check("pipe2", ::pipe2(output, O_CLOEXEC));
  const FileDescriptor input_read(input[0]), input_write(input[1]);
  const FileDescriptor output_read(output[0]), output_write(output[1]);
  check("fcntl", ::fcntl(output_read.get(), F_SETFL, O_NONBLOCK));  // never wait for output
  INFO("Step 1: the server says \"bye\\n\" and closes; nothing is typed, and the input stays open");
  check("send", ::send(pair.server.get(), "bye\n", 4, MSG_NOSIGNAL));
  pair.server.close();
  INFO("Step 2: relay(input, client, output) returns, having printed \"bye\\n\"");
  const auto totals =
      finish_within(5s, [&] { return relay(input_read.get(), pair.client.get(), output_write.get()); });
  REQUIRE(totals.has_value());
  REQUIRE(totals->received == 4);
  char buffer[16];
  const auto got = check("read", ::read(output_read.get(), buffer, sizeof buffer));
  CHECK(std::string(buffer, static_cast<std::size_t>(got)) == "bye\n");
  CHECK(totals->sent == 0);
}
// [errata-relay-eof]
