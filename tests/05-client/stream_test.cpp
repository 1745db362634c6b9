// Lab 05, tasks 5 and 6: reading a byte stream, and the client's loop.  The
// connections here are made by the test alone (tcp_pair), so these tasks do
// not depend on your connect.

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "client.hpp"
#include "loopback_pair.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::client;
using namespace socklab::client::testing;
using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::finish_within;
using socklab::testkit::set_io_timeout;

namespace {

struct Pipe {
  FileDescriptor read_end;
  FileDescriptor write_end;
};

Pipe make_pipe() {
  int fds[2];
  check("pipe2", ::pipe2(fds, O_CLOEXEC));
  return {FileDescriptor(fds[0]), FileDescriptor(fds[1])};
}

void write_text(int fd, const std::string& text) {
  check("write", ::write(fd, text.data(), text.size()));
}

// What a pipe gives until its write end is closed: at most 1 MiB, and for at
// most about 10 s, so a test never hangs here.
std::string drain(int fd) {
  std::string all;
  char buffer[4096];
  for (int i = 0, waits = 0; i < 256 && waits < 100;) {
    pollfd readable{fd, POLLIN, 0};
    if (check("poll", ::poll(&readable, 1, 100)) == 0) {
      ++waits;
      continue;
    }
    const auto got = check("read", ::read(fd, buffer, sizeof buffer));
    if (got == 0) {
      break;
    }
    all.append(buffer, static_cast<std::size_t>(got));
    ++i;
  }
  return all;
}

// The server side of one exchange, on a thread of its own (no assertions
// there): reads until the client's end of stream, or its 5 s time-out, then
// sends `reply` and closes.  Returns what it read, and whether it saw the end.
struct Heard {
  std::string text;
  bool saw_end = false;
};

std::future<Heard> serve_once(FileDescriptor accepted, std::string reply) {
  return std::async(std::launch::async, [owned = std::move(accepted), reply]() mutable {
    // Moved here, so that it closes on return: the lambda itself lives as long as the future.
    const FileDescriptor server = std::move(owned);
    Heard heard;
    char buffer[1024];
    for (int i = 0; i < 1000; ++i) {
      const auto got = ::recv(server.get(), buffer, sizeof buffer, 0);
      if (got <= 0) {
        heard.saw_end = got == 0;
        break;
      }
      heard.text.append(buffer, static_cast<std::size_t>(got));
    }
    if (heard.saw_end) {
      (void)::send(server.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    return heard;  // closes the server's end
  });
}

// Closes the client with a reset (SO_LINGER 0) once relay is done with it, so
// that a serve_once still waiting for the end of stream stops at once, with
// ECONNRESET: not at its 5 s time-out, and without taking the test's close for
// relay's shutdown (saw_end stays false).  It first lets what relay sent reach
// the server, as a reset drops what is still queued.  Declare it after the
// server's future: if relay throws, it then runs before that destructor waits.
class HangUp {
 public:
  explicit HangUp(FileDescriptor& client) : client_(client) {}
  ~HangUp() { now(); }
  HangUp(const HangUp&) = delete;
  HangUp& operator=(const HangUp&) = delete;

  void now() {
    if (!client_) {
      return;
    }
    int unacknowledged = 0;  // SIOCOUTQ counts a FIN too; wait at most about 2 s
    for (int i = 0; i < 200 && ::ioctl(client_.get(), SIOCOUTQ, &unacknowledged) == 0 && unacknowledged > 0; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    const linger abort{1, 0};
    (void)::setsockopt(client_.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    client_ = FileDescriptor();  // closes; unlike close(), never throws
  }

 private:
  FileDescriptor& client_;
};

}  // namespace

// ---- Task 5 -------------------------------------------------------------------

TEST_CASE("receive_some returns what one recv returns", "[task_5][points:1]") {
  TcpPair pair = tcp_pair();
  INFO("Step 1: the server sends \"hello\"; receive_some(client, 1024)");
  check("send", ::send(pair.server.get(), "hello", 5, MSG_NOSIGNAL));
  const auto got = finish_within(5s, [&] { return receive_some(pair.client.get(), 1024); });
  REQUIRE(got.has_value());
  REQUIRE(*got == "hello");
  INFO("Step 2: max 0 is refused: its empty answer would look like the end of the stream");
  CHECK_THROWS_AS(receive_some(pair.client.get(), 0), std::invalid_argument);
}

TEST_CASE("receive_some throws EAGAIN when SO_RCVTIMEO runs out", "[task_5][points:1]") {
  TcpPair pair = tcp_pair();
  INFO("Step 1: nothing is sent, and the client's receive time-out is 200 ms");
  set_io_timeout(pair.client.get(), 200ms);
  const auto outcome = finish_within(5s, [&]() -> std::error_code {
    try {
      (void)receive_some(pair.client.get(), 1024);
    } catch (const std::system_error& e) {
      return e.code();
    }
    return {};
  });
  REQUIRE(outcome.has_value());
  REQUIRE(*outcome != std::error_code());
  CHECK((*outcome == std::error_code(EAGAIN, std::system_category()) ||
         *outcome == std::error_code(EWOULDBLOCK, std::system_category())));
}

// ---- Task 6 -------------------------------------------------------------------

TEST_CASE("relay sends the input, ends its side at end of input, and prints the reply", "[task_6][points:3]") {
  TcpPair pair = tcp_pair();
  Pipe input = make_pipe();
  Pipe output = make_pipe();
  INFO("Step 1: the server reads until the client's end of stream, then replies and closes");
  auto server = serve_once(std::move(pair.server), "HELLO\nWORLD\n");
  HangUp hang_up(pair.client);
  INFO("Step 2: the input holds two lines and then ends");
  write_text(input.write_end.get(), "hello\nworld\n");
  input.write_end.close();
  INFO("Step 3: relay(input, client, output)");
  const auto totals = finish_within(10s, [&] { return relay(input.read_end.get(), pair.client.get(), output.write_end.get()); });
  REQUIRE(totals.has_value());
  hang_up.now();  // a correct relay returned after the server closed; else the server stops now
  REQUIRE(server.wait_for(10s) == std::future_status::ready);
  const Heard heard = server.get();
  INFO("Step 4: the server got all the input, then the end of the stream (shutdown(SHUT_WR))");
  REQUIRE(heard.text == "hello\nworld\n");
  CHECK(heard.saw_end);
  INFO("Step 5: the reply is on the output, and the totals count both ways");
  output.write_end.close();
  CHECK(drain(output.read_end.get()) == "HELLO\nWORLD\n");
  CHECK(totals->sent == 12);
  CHECK(totals->received == 12);
}

TEST_CASE("relay sends large input whole and copies a reply that comes in pieces", "[task_6][points:2]") {
  TcpPair pair = tcp_pair();
  Pipe input = make_pipe();
  Pipe output = make_pipe();
  INFO("Step 1: 60000 bytes of input (less than a pipe holds), then its end");
  std::string big(60000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<char>('a' + i % 26);
  }
  write_text(input.write_end.get(), big);
  input.write_end.close();
  INFO("Step 2: the server replies with the same 60000 bytes; relay copies them to a pipe");
  auto server = serve_once(std::move(pair.server), big);
  HangUp hang_up(pair.client);
  // The reply is as long as a pipe holds: read the output while relay runs.
  auto reader = std::async(std::launch::async, [fd = output.read_end.get()] { return drain(fd); });
  const auto totals = finish_within(10s, [&] { return relay(input.read_end.get(), pair.client.get(), output.write_end.get()); });
  REQUIRE(totals.has_value());
  output.write_end.close();
  hang_up.now();  // a correct relay returned after the server closed; else the server stops now
  REQUIRE(server.wait_for(10s) == std::future_status::ready);
  const Heard heard = server.get();
  REQUIRE(heard.text.size() == big.size());
  CHECK((heard.text == big));  // in brackets: a bool, so a failure does not print 60000 bytes
  REQUIRE(reader.wait_for(10s) == std::future_status::ready);
  const std::string printed = reader.get();
  REQUIRE(printed.size() == big.size());
  CHECK((printed == big));
  CHECK(totals->sent == big.size());
  CHECK(totals->received == big.size());
}

TEST_CASE("relay reports a reset connection as std::system_error", "[task_6][points:1]") {
  TcpPair pair = tcp_pair();
  Pipe input = make_pipe();
  Pipe output = make_pipe();
  INFO("Step 1: the server closes with unread data (SO_LINGER 0): the client gets a reset");
  const linger abort{1, 0};
  check("setsockopt", ::setsockopt(pair.server.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort));
  pair.server.close();
  INFO("Step 2: relay(input that stays open, client, output)");
  const auto outcome = finish_within(5s, [&]() -> std::error_code {
    try {
      (void)relay(input.read_end.get(), pair.client.get(), output.write_end.get());
    } catch (const std::system_error& e) {
      return e.code();
    }
    return {};
  });
  REQUIRE(outcome.has_value());
  CHECK(*outcome == std::error_code(ECONNRESET, std::system_category()));
}
