// Lab 06, tasks 1 to 3: send, sendall, recv, receive_exact and shutdown.
// Every socket is a socket pair or a loopback connection made here with raw
// calls, with time-outs; code that might block runs under finish_within.

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "helpers.hpp"
#include "socklab/testkit/deadline.hpp"
#include "stream_io.hpp"

using namespace socklab::calls;
using namespace socklab::calls::testing;
using namespace std::chrono_literals;
using socklab::testkit::finish_within;

namespace {

std::string pattern(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  }
  return text;
}

// A loopback TCP connection whose client has a small, non-blocking send buffer.
// (The server's receive buffer keeps its default size: a receive window smaller
// than one segment would slow TCP down to a crawl of window probes.)
Connected small_buffer_connection() {
  Connected pair = tcp_pair(AF_INET, [](int fd) { set_int_option(fd, SOL_SOCKET, SO_SNDBUF, 4096); });
  set_non_blocking(pair.a.get());
  return pair;
}

std::atomic<int> interruptions{0};
extern "C" void count_interruption(int) { interruptions.fetch_add(1); }

}  // namespace

TEST_CASE("send_some and receive move bytes over a socket pair", "[task_1][points:2]") {
  auto [a, b] = unix_pair();
  INFO("Step 1: send_some(a, \"hello\") returns 5 and b receives it");
  REQUIRE(send_some(a.get(), "hello") == 5);
  CHECK(raw_recv(b.get()) == "hello");
  INFO("Step 2: b sends \"abcdef\"; receive(a, 4) gives \"abcd\", then receive(a, 100) the rest");
  raw_send(b.get(), "abcdef");
  CHECK(receive(a.get(), 4) == "abcd");
  CHECK(receive(a.get(), 100) == "ef");
  INFO("Step 3: flags are passed on: MSG_PEEK leaves the bytes to read again");
  raw_send(b.get(), "peek");
  CHECK(receive(a.get(), 100, MSG_PEEK) == "peek");
  CHECK(receive(a.get(), 100) == "peek");
}

TEST_CASE("receive returns an empty string at end of stream", "[task_1][points:1]") {
  auto [a, b] = unix_pair();
  raw_send(b.get(), "last words");
  ::shutdown(b.get(), SHUT_WR);
  INFO("Step 1: what was sent before the end arrives first");
  REQUIRE(receive(a.get(), 100) == "last words");
  INFO("Step 2: then receive returns \"\", and again on every later call");
  CHECK(receive(a.get(), 100).empty());
  CHECK(receive(a.get(), 100).empty());
}

TEST_CASE("send_some and receive throw std::system_error with the errno", "[task_1][points:1]") {
  auto [a, b] = unix_pair();
  INFO("Step 1: nothing to read on a non-blocking socket: EAGAIN");
  set_non_blocking(a.get());
  REQUIRE(errno_of([fd = a.get()] { (void)receive(fd, 10); }) == EAGAIN);
  INFO("Step 2: sending to a peer that has closed: EPIPE, and no SIGPIPE kills the test");
  b.close();
  CHECK(errno_of([fd = a.get()] { (void)send_some(fd, "anyone there?"); }) == EPIPE);
  INFO("Step 3: a descriptor that is not open: EBADF");
  CHECK(errno_of([&] { (void)receive(-1, 10); }) == EBADF);
}

// [errata-send-partial]
TEST_CASE("article: send may send fewer bytes than it was given", "[task_1][points:2][article]") {
  INFO("Step 1: a non-blocking client with SO_SNDBUF 4096, and a server that reads nothing");
  auto [client, server] = small_buffer_connection();
  const std::string data = pattern(1 << 20);
  INFO("Step 2: send_some(1 MiB) takes what fits in the buffers and returns that count");
  const std::size_t sent = send_some(client.get(), data);
  REQUIRE(sent > 0);
  CHECK(sent < data.size());
  INFO("Step 3: once the buffers are full, the next send_some throws EAGAIN (it never returns 0)");
  int error = 0;
  for (int i = 0; i < 1000 && error == 0; ++i) {
    error = errno_of([&data, fd = client.get()] { (void)send_some(fd, data); });
  }
  CHECK(error == EAGAIN);
}
// [errata-send-partial]

// [errata-recv-bytes]
TEST_CASE("article: recv returns bytes, not a string: NUL and every other byte value come through",
          "[task_1][points:1][article]") {
  auto [a, b] = unix_pair();
  std::string every_byte;
  for (int value = 0; value < 256; ++value) {
    every_byte += static_cast<char>(value);
  }
  std::string data("a\0b", 3);  // a NUL at byte 1: a C string would end there
  data += every_byte;
  INFO("Step 1: send_some sends all " << data.size() << " bytes, NULs included");
  REQUIRE(send_some(a.get(), data) == data.size());
  ::shutdown(a.get(), SHUT_WR);
  INFO("Step 2: receive gives the same bytes back, as many as were sent");
  std::string received;
  for (std::string piece = receive(b.get(), 64); !piece.empty() && received.size() <= data.size();
       piece = receive(b.get(), 64)) {
    received += piece;
  }
  CHECK(received.size() == data.size());
  CHECK(received == data);
}
// [errata-recv-bytes]

TEST_CASE("send_all finishes what a partial send began", "[task_2][points:3]") {
  auto [client, server] = small_buffer_connection();
  const std::string data = pattern(4 << 20);
  INFO("Step 1: one raw non-blocking send takes part of 4 MiB");
  const auto first = static_cast<std::size_t>(socklab::check(
      "send", ::send(client.get(), data.data(), data.size(), MSG_NOSIGNAL)));
  REQUIRE(first < data.size());
  INFO("Step 2: a reader drains the server side while send_all(the rest) runs on the non-blocking client");
  Drain reader(server.get());
  const auto done = finish_within(20s, [&, fd = client.get()] {
    send_all(fd, std::string_view(data).substr(first));
    return true;
  });
  REQUIRE(done.has_value());
  ::shutdown(client.get(), SHUT_WR);
  INFO("Step 3: the server received all 4 MiB, in order");
  const std::string received = reader.finish();
  REQUIRE(received.size() == data.size());
  CHECK(received == data);
}

TEST_CASE("send_all keeps going when a signal interrupts it", "[task_2][points:2]") {
  INFO("Step 1: a SIGUSR1 handler without SA_RESTART; only the sending thread takes the signal");
  struct sigaction action {};
  action.sa_handler = count_interruption;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  struct sigaction previous {};
  REQUIRE(::sigaction(SIGUSR1, &action, &previous) == 0);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigset_t old_mask;
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &usr1, &old_mask) == 0);  // threads started now inherit it

  auto [a, b] = unix_pair();
  set_int_option(a.get(), SOL_SOCKET, SO_SNDBUF, 4096);
  const std::string data = pattern(2 << 20);
  std::atomic<bool> sending{false};
  INFO("Step 2: send_all(2 MiB) on a blocking socket that nobody reads yet; SIGUSR1 20 times, then a reader");
  std::string received;
  ScopedThread signaller_then_reader([&, fd = b.get()] {
    for (int i = 0; i < 200 && !sending.load(); ++i) {
      std::this_thread::sleep_for(1ms);
    }
    for (int i = 0; i < 20; ++i) {  // interrupt the blocked send, again and again
      std::this_thread::sleep_for(5ms);
      ::kill(::getpid(), SIGUSR1);
    }
    char buffer[65536];
    while (received.size() < data.size()) {
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        break;
      }
      received.append(buffer, static_cast<std::size_t>(got));
    }
  });
  const auto done = finish_within(20s, [&, fd = a.get()]() -> std::string {
    ::pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);
    sending = true;
    std::string failure;  // what send_all threw, if anything
    try {
      send_all(fd, data);
    } catch (const std::exception& error) {
      failure = error.what();
    }
    ::pthread_sigmask(SIG_BLOCK, &usr1, nullptr);
    return failure;
  });
  ::shutdown(a.get(), SHUT_WR);  // the reader then stops at the end of what was sent, not at its 5 s time-out
  signaller_then_reader.join();
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGUSR1, &previous, nullptr);
  REQUIRE(done.has_value());
  INFO("send_all threw: " << *done);
  REQUIRE(done->empty());
  INFO("Step 3: the handler ran " << interruptions.load() << " times; everything still arrived, in order");
  CHECK(interruptions.load() > 0);
  REQUIRE(received.size() == data.size());
  CHECK(received == data);
}

TEST_CASE("receive_exact gathers bytes that arrive in pieces", "[task_3][points:2]") {
  auto [a, b] = unix_pair();
  INFO("Step 1: the peer sends \"abc\", \"defgh\" and \"ij\", 20 ms apart");
  ScopedThread sender([fd = b.get()] {
    for (const char* piece : {"abc", "defgh", "ij"}) {
      std::this_thread::sleep_for(20ms);
      (void)::send(fd, piece, std::char_traits<char>::length(piece), MSG_NOSIGNAL);
    }
  });
  const auto got = finish_within(5s, [fd = a.get()] { return receive_exact(fd, 10); });
  sender.join();
  INFO("Step 2: receive_exact(a, 10) returns all ten bytes at once");
  REQUIRE(got.has_value());
  CHECK(*got == "abcdefghij");
}

TEST_CASE("receive_exact throws EndOfStream when the stream ends early", "[task_3][points:1]") {
  auto [a, b] = unix_pair();
  raw_send(b.get(), "abc");
  ::shutdown(b.get(), SHUT_WR);
  INFO("Step 1: 3 bytes, then end of stream; receive_exact(a, 5)");
  try {
    (void)receive_exact(a.get(), 5);
    FAIL("receive_exact returned");
  } catch (const EndOfStream& end) {
    INFO("Step 2: the exception says how many were wanted and how many came");
    CHECK(end.wanted() == 5);
    CHECK(end.received() == 3);
  }
}

TEST_CASE("shut_down(SHUT_WR) half-closes: the peer reads end of stream and can still answer", "[task_3][points:2]") {
  auto [client, server] = tcp_pair();
  INFO("Step 1: the client sends a request, then shut_down(client, SHUT_WR); a further send fails with EPIPE");
  raw_send(client.get(), "request");
  shut_down(client.get(), SHUT_WR);
  // At once: a shut_down that does nothing fails here, not after step 2's 5 s wait for the end of stream.
  REQUIRE(errno_of([fd = client.get()] { raw_send(fd, "more"); }) == EPIPE);
  INFO("Step 2: the server reads the request, then end of stream");
  CHECK(raw_recv(server.get()) == "request");
  REQUIRE(raw_recv(server.get()).empty());
  INFO("Step 3: the other direction still works: the server answers, the client reads it");
  raw_send(server.get(), "reply");
  CHECK(raw_recv(client.get()) == "reply");
  INFO("Step 4: errors: ENOTCONN on a socket that never connected, EBADF on no descriptor");
  const socklab::FileDescriptor lone(socklab::check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  CHECK(errno_of([&] { shut_down(lone.get(), SHUT_RDWR); }) == ENOTCONN);
  CHECK(errno_of([&] { shut_down(-1, SHUT_RDWR); }) == EBADF);
}

// [errata-close-shutdown]
TEST_CASE("article: close ends one descriptor, shutdown ends the connection", "[task_3][points:1][article]") {
  auto [client, server] = tcp_pair();
  INFO("Step 1: a second descriptor for the client socket (as a fork or dup would make), then close the first");
  socklab::FileDescriptor copy = client.duplicate();
  client.close();
  INFO("Step 2: the server sees no end of stream: the socket is still open through the copy");
  set_non_blocking(server.get());
  CHECK(errno_of([fd = server.get()] { (void)raw_recv(fd); }) == EAGAIN);
  INFO("Step 3: shut_down(copy, SHUT_WR) ends the stream for every descriptor of the socket");
  shut_down(copy.get(), SHUT_WR);
  REQUIRE(errno_of([&] { raw_send(copy.get(), "more"); }) == EPIPE);  // at once, not after the 2 s below
  std::string got = "(nothing)";
  for (int i = 0; i < 200; ++i) {  // the FIN crosses loopback at once; allow 2 s
    if (errno_of([&got, fd = server.get()] { got = raw_recv(fd); }) == 0) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  CHECK(got.empty());
}
// [errata-close-shutdown]
