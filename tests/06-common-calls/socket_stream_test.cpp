// Lab 06, task 9: makefile() in C++, a std::iostream over a socket.

#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "helpers.hpp"
#include "socket_stream.hpp"
#include "socklab/testkit/deadline.hpp"

using namespace socklab::calls;
using namespace socklab::calls::testing;
using namespace std::chrono_literals;
using socklab::testkit::finish_within;

TEST_CASE("std::getline reads lines from a SocketStream", "[task_9][points:2]") {
  auto [a, b] = unix_pair();
  raw_send(b.get(), "first line\nsecond\n\nlast, with no newline");
  ::shutdown(b.get(), SHUT_WR);
  INFO("Step 1: a SocketStream with 4-byte buffers, so each line takes several refills");
  const auto lines = finish_within(5s, [fd = a.get()] {
    SocketStream stream(fd, 4);
    std::vector<std::string> got;
    std::string line;
    while (std::getline(stream, line)) {
      got.push_back(line);
    }
    got.push_back(stream.eof() ? "(eof)" : "(no eof)");
    return got;
  });
  REQUIRE(lines.has_value());
  INFO("Step 2: four lines, then end of file");
  REQUIRE(lines->size() == 5);
  CHECK((*lines)[0] == "first line");
  CHECK((*lines)[1] == "second");
  CHECK((*lines)[2].empty());
  CHECK((*lines)[3] == "last, with no newline");
  CHECK((*lines)[4] == "(eof)");
}

// [errata-makefile-flush]
TEST_CASE("<< on a SocketStream buffers, and flush sends", "[task_9][points:2]") {
  auto [a, b] = unix_pair();
  SocketStream stream(a.get());
  INFO("Step 1: stream << \"answer \" << 42 << '\\n' succeeds");
  stream << "answer " << 42 << '\n';
  REQUIRE(stream.good());
  INFO("Step 2: nothing is sent yet: it waits in the buffer");
  set_non_blocking(b.get());
  CHECK(errno_of([fd = b.get()] { (void)raw_recv(fd); }) == EAGAIN);
  INFO("Step 3: after flush, the peer receives it");
  stream.flush();
  CHECK(stream.good());
  CHECK(raw_recv(b.get()) == "answer 42\n");
}
// [errata-makefile-flush]

TEST_CASE("a SocketStream sends more than its buffer holds, and the rest when destroyed", "[task_9][points:2]") {
  auto [a, b] = unix_pair();
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += "line " + std::to_string(i) + "\n";
  }
  INFO("Step 1: " << text.size() << " bytes through a stream with 64-byte buffers, no flush");
  {
    SocketStream stream(a.get(), 64);
    stream << text << "tail";
    REQUIRE(stream.good());
  }
  INFO("Step 2: the stream is gone, so all of it, \"tail\" too, has reached the peer");
  ::shutdown(a.get(), SHUT_WR);
  std::string received;
  for (int i = 0; i < 1000; ++i) {
    const std::string piece = raw_recv(b.get());
    if (piece.empty()) {
      break;
    }
    received += piece;
  }
  CHECK(received == text + "tail");
}

TEST_CASE("a SocketStream refuses a buffer size of 0 with std::invalid_argument, and works with 1", "[task_9][points:1]") {
  auto [a, b] = unix_pair();
  INFO("Step 1: SocketStreamBuf(fd, 0) throws std::invalid_argument");
  CHECK_THROWS_AS(SocketStreamBuf(a.get(), 0), std::invalid_argument);
  INFO("Step 2: with 1-byte buffers, a line goes out and another comes back, a byte at a time");
  raw_send(b.get(), "back\n");
  ::shutdown(b.get(), SHUT_WR);
  const auto line = finish_within(5s, [fd = a.get()] {
    SocketStream stream(fd, 1);
    stream << "out\n" << std::flush;
    std::string got;
    std::getline(stream, got);
    return got;
  });
  ::shutdown(a.get(), SHUT_WR);
  REQUIRE(line.has_value());
  CHECK(*line == "back");
  std::string sent;
  for (std::string piece = raw_recv(b.get()); !piece.empty() && sent.size() < 64; piece = raw_recv(b.get())) {
    sent += piece;  // one byte a send: the bytes may come in pieces
  }
  CHECK(sent == "out\n");
}

// [errata-makefile-read]
TEST_CASE("reading a SocketStream first sends what was written", "[task_9][points:1]") {
  auto [a, b] = unix_pair();
  INFO("Step 1: the peer answers \"pong\" to a line \"ping\"");
  ScopedThread peer([fd = b.get()] {
    char buffer[16];
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);  // 5 s time-out
    if (got == 5 && std::string(buffer, 5) == "ping\n") {
      (void)::send(fd, "pong\n", 5, MSG_NOSIGNAL);
    } else {
      ::shutdown(fd, SHUT_WR);
    }
  });
  INFO("Step 2: stream << \"ping\\n\" with no flush, then std::getline: the read must send the request first");
  const auto reply = finish_within(10s, [fd = a.get()] {
    SocketStream stream(fd);
    stream << "ping\n";
    std::string line;
    std::getline(stream, line);
    return line;
  });
  ::shutdown(a.get(), SHUT_WR);  // the peer then stops at once, not at its 5 s time-out, if "ping\n" never came
  peer.join();
  REQUIRE(reply.has_value());
  CHECK(*reply == "pong");
}
// [errata-makefile-read]
