// The article's chat (section 二.5), transcribed in article_chat.hpp, run on
// loopback: one test per bug, each named "article: ...", passing when the bug
// shows.  Chapter 07's "What goes wrong in the article's version" cites them
// by name.  Ungraded: they test the article, not your lab.
//
// Each transcribed program runs on a thread of its own, with a Keyboard the
// test types on and a Screen it reads.  A program stuck for good (the bugs
// below) shows as "still blocked after N ms"; every test ends by pressing
// Ctrl-C in each program still running and requires its thread to end.

#include <sys/ioctl.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "article_chat.hpp"
#include "console.hpp"
#include "harness.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::chat::article;
using namespace socklab::chat::article::testing;
using namespace std::chrono_literals;
using socklab::FileDescriptor;
using socklab::testkit::finish_within;

namespace {

// One transcribed program (Server.py or Client.py) running on its own thread.
struct Side {
  std::shared_ptr<Terminal> terminal;
  std::unique_ptr<Running> running;
  std::uint16_t port = 0;  // the server's port
  int fileno = -1;         // the client's socket, for FIONREAD

  Keyboard& keyboard() const { return terminal->keyboard; }
  Screen& screen() const { return terminal->screen; }
  // Ctrl-C, then the thread must end.
  void stop() const {
    terminal->process.interrupt();
    REQUIRE(running->ended_within(3s));
  }
};

// What the thread owns: the program goes before its terminal.
template <typename Program>
struct Owned {
  std::shared_ptr<Terminal> terminal;
  std::shared_ptr<Program> program;
};

Side start_server() {
  Side side{std::make_shared<Terminal>(), nullptr};
  auto server = std::make_shared<Server>(side.terminal->process, 0);  // socket, bind, listen(5)
  side.port = server->port();
  side.running = std::make_unique<Running>([owned = Owned<Server>{side.terminal, server}] { owned.program->run(); });
  return side;
}

Side start_client(std::uint16_t port) {
  Side side{std::make_shared<Terminal>(), nullptr};
  auto client = std::make_shared<Client>(side.terminal->process, port);  // socket, connect
  side.fileno = client->fileno();
  side.running = std::make_unique<Running>([owned = Owned<Client>{side.terminal, client}] { owned.program->run(); });
  return side;
}

const std::string received = "收到：";  // what both programs print before a message
const std::string welcome = "欢迎";      // what Server.py prints for a new connection

// The bytes waiting to be read on a socket.
int readable_bytes(int fd) {
  int n = 0;
  ::ioctl(fd, FIONREAD, &n);
  return n;
}

// Waits at most `limit` until `fd` has at least `n` bytes to read.
bool wait_readable(int fd, int n, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (readable_bytes(fd) < n) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// What a non-blocking connect came to within `limit`: 0 (connected), an errno
// value (failed), or -1 (still under way: the SYN went unanswered).
int connect_outcome(int fd, std::chrono::milliseconds limit) {
  pollfd waiting{fd, POLLOUT, 0};
  if (::poll(&waiting, 1, static_cast<int>(limit.count())) != 1) {
    return -1;
  }
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  return error;
}

}  // namespace

// ---------------------------------------------------------------------------
// The transcription itself.

TEST_CASE("the transcription's decode_utf8 raises what Python's bytes.decode('utf-8') raises", "[transcription]") {
  // Python 3's messages for these inputs, copied from the interpreter.
  struct Case {
    std::string bytes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"\xe4", "'utf-8' codec can't decode byte 0xe4 in position 0: unexpected end of data"},
      {"a\xe4\xb8", "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data"},
      {"\xe0\x80", "'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte"},
      {"\xed\xa0\x80", "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"},
      {"\xf4\x90", "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte"},
      {"\x89PNG", "'utf-8' codec can't decode byte 0x89 in position 0: invalid start byte"},
      {"\xf0\x90\x80", "'utf-8' codec can't decode bytes in position 0-2: unexpected end of data"},
      {"\xe4\xb8" "A", "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"},
      {"\xc0\xaf", "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"},
      {"\xff", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"},
  };
  for (const Case& c : cases) {
    INFO("decoding " << c.bytes.size() << " bytes");
    try {
      (void)decode_utf8(c.bytes);
      FAIL("no UnicodeDecodeError");
    } catch (const UnicodeDecodeError& error) {
      CHECK(std::string(error.what()) == c.message);
    }
  }
  CHECK(decode_utf8("") == "");
  CHECK(decode_utf8("收到：hello \xf0\x9f\x98\x80") == "收到：hello \xf0\x9f\x98\x80");
  CHECK(decode_utf8("\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf");  // U+10FFFF
}

TEST_CASE("the transcription's socket calls fail with Python's OSError, and a closed socket's calls give EBADF",
          "[transcription]") {
  Terminal terminal;
  INFO("Step 1: a socket bound and listening on 127.0.0.1, port 0; a client connects");
  Socket listener(terminal.process);
  listener.bind({"127.0.0.1", 0});
  listener.listen(5);
  Socket client(terminal.process);
  client.connect(listener.getsockname());
  auto [conn, addr] = listener.accept();
  CHECK(addr.host == "127.0.0.1");
  CHECK(addr.repr() == "('127.0.0.1', " + std::to_string(addr.port) + ")");
  INFO("Step 2: send and recv carry bytes");
  CHECK(client.send("hello") == 5);
  CHECK(conn.recv(1024) == "hello");
  INFO("Step 3: after close(), fileno() is -1 and recv fails with EBADF, as in CPython");
  conn.close();
  CHECK(conn.fileno() == -1);
  try {
    (void)conn.recv(1024);
    FAIL("recv on a closed socket returned");
  } catch (const OSError& error) {
    CHECK(error.error_number() == EBADF);
    CHECK(error.python_type() == "OSError");
    CHECK(std::string(error.what()) == "[Errno 9] Bad file descriptor");
  }
  INFO("Step 4: Ctrl-C makes the next call raise KeyboardInterrupt");
  terminal.process.interrupt();
  CHECK_THROWS_AS(client.recv(1024), KeyboardInterrupt);
}

// ---------------------------------------------------------------------------
// The article's bugs.

// [errata-duplex-client]
TEST_CASE("article: Client.py cannot receive while its user is not typing: a message waits until they send a line",
          "[article]") {
  INFO("Step 1: Client.py connects to the test's server, and waits in input() for its user");
  const auto listener = socklab::testkit::listen_on_loopback();
  const Side client = start_client(listener.port);
  const FileDescriptor conn = socklab::testkit::accept_one(listener);
  REQUIRE(client.screen().wait_for_prompts(1, 2s));
  INFO("Step 2: the server sends \"news\"; Client.py is still blocked in input() after 300 ms, and shows nothing");
  send_raw(conn.get(), "news");
  CHECK_FALSE(client.screen().wait_for(received, 1, 300ms));
  CHECK(readable_bytes(client.fileno) == 4);  // it is there, in the socket, unread
  INFO("Step 3: only when the user types a line does Client.py call recv: it shows \"news\" as the reply to it");
  client.keyboard().type("hi");
  REQUIRE(client.screen().wait_for(received, 1, 2s));
  CHECK(client.screen().printed().at(0) == received + " news");
  CHECK(drain(conn.get(), 200ms) == "hi");
  client.stop();
}
// [errata-duplex-client]

// [errata-duplex-server]
TEST_CASE("article: Server.py cannot send until it receives: what its operator types waits until the client speaks",
          "[article]") {
  INFO("Step 1: Server.py accepts the test's client");
  const Side server = start_server();
  const FileDescriptor client = connect_raw(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 2: the operator types a line; Server.py, blocked in recv, has not even asked for it after 300 ms");
  server.keyboard().type("news from the server");
  CHECK(drain(client.get(), 300ms).empty());
  CHECK(server.screen().prompts() == 0);
  CHECK(server.keyboard().waiting() == 1);
  INFO("Step 3: the client sends \"hi\": only now does Server.py read the operator's line and send it");
  send_raw(client.get(), "hi");
  REQUIRE(server.screen().wait_for(received, 1, 2s));
  CHECK(server.screen().printed().back() == received + " hi");
  CHECK(drain(client.get(), 300ms) == "news from the server");
  server.stop();
}
// [errata-duplex-server]

// [errata-empty]
TEST_CASE("article: an empty line sends nothing, and then Client.py and Server.py both wait forever", "[article]") {
  {
    INFO("Step 1: send(b'') on a connected socket returns 0 and sends nothing");
    Terminal terminal;
    Socket listener(terminal.process);
    listener.bind({"127.0.0.1", 0});
    listener.listen(1);
    Socket client(terminal.process);
    client.connect(listener.getsockname());
    auto [conn, addr] = listener.accept();
    CHECK(client.send("") == 0);
    socklab::testkit::set_io_timeout(conn.fileno(), 200ms);
    CHECK_THROWS_AS(conn.recv(1024), OSError);  // EAGAIN after 200 ms: nothing came
  }
  INFO("Step 2: Server.py and Client.py; the client's user presses Enter on an empty line");
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  client.keyboard().type("");
  INFO("Step 3: Client.py waits in recv for a reply, Server.py in recv for a message: still blocked after 500 ms");
  CHECK_FALSE(server.screen().wait_for(received, 1, 500ms));
  CHECK(client.screen().count(received) == 0);
  CHECK(client.screen().prompts() == 1);  // it never asks its user again
  INFO("Step 4: nobody can break the wait: the operator's line is never asked for; still blocked after 300 ms");
  server.keyboard().type("hello?");
  CHECK_FALSE(client.screen().wait_for(received, 1, 300ms));
  CHECK(server.screen().prompts() == 0);
  CHECK_FALSE(server.running->ended_within(0ms));
  CHECK_FALSE(client.running->ended_within(0ms));
  client.stop();
  server.stop();
}
// [errata-empty]

// [errata-framing-split]
TEST_CASE("article: recv(1024) is not a message: a long line reaches Server.py cut into pieces, each answered as a message",
          "[article]") {
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: the client's user types one line of 3000 characters");
  client.keyboard().type(std::string(3000, 'x'));
  REQUIRE(server.screen().wait_for(received, 1, 2s));
  CHECK(server.screen().printed().back() == received + " " + std::string(1024, 'x'));
  INFO("Step 2: the operator answers; at once Server.py shows a second \"message\": the next 1024 bytes of that line");
  server.keyboard().type("ok 1");
  REQUIRE(client.screen().wait_for(received + " ok 1", 1, 2s));
  REQUIRE(server.screen().wait_for(received, 2, 2s));
  CHECK(server.screen().printed().back() == received + " " + std::string(1024, 'x'));
  INFO("Step 3: answered too; the third is the last 952 bytes.  The client typed one line, the server saw three");
  server.keyboard().type("ok 2");
  REQUIRE(server.screen().wait_for(received, 3, 2s));
  CHECK(server.screen().printed().back() == received + " " + std::string(952, 'x'));
  INFO("Step 4: the user types \"hello\"; Client.py shows \"ok 2\", the answer to a piece, as the reply to \"hello\"");
  client.keyboard().type("hello");
  REQUIRE(client.screen().wait_for(received, 2, 2s));
  CHECK(client.screen().printed().back() == received + " ok 2");
  client.stop();
  server.stop();
}
// [errata-framing-split]

// [errata-framing-join]
TEST_CASE("article: recv(1024) is not a message: two sends can arrive as one", "[article]") {
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: a line of 4000 characters reaches Server.py as four pieces; the operator answers the first three");
  client.keyboard().type(std::string(4000, 'x'));
  REQUIRE(server.screen().wait_for(received, 1, 2s));
  server.keyboard().type("ok 1");
  REQUIRE(client.screen().wait_for(received + " ok 1", 1, 2s));
  server.keyboard().type("ok 2");
  REQUIRE(server.screen().wait_for(received, 3, 2s));
  server.keyboard().type("ok 3");
  REQUIRE(server.screen().wait_for(received, 4, 2s));
  INFO("Step 2: \"ok 2\" and \"ok 3\", two send calls, wait together in the client's socket");
  REQUIRE(wait_readable(client.fileno, 8, 2s));
  INFO("Step 3: the user types a line; Client.py's one recv(1024) returns both replies as one");
  client.keyboard().type("hello");
  REQUIRE(client.screen().wait_for(received, 2, 2s));
  CHECK(client.screen().printed().back() == received + " ok 2ok 3");
  client.stop();
  server.stop();
}
// [errata-framing-join]

// [errata-utf8]
TEST_CASE("article: a UTF-8 character cut at byte 1024 raises UnicodeDecodeError, which kills Server.py",
          "[article]") {
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: the user types 1023 'a' and then 中 (3 bytes, E4 B8 AD): recv(1024) ends inside it");
  client.keyboard().type(std::string(1023, 'a') + "中");
  INFO("Step 2: data.decode('utf-8') raises; nothing catches it: Server.py is dead");
  REQUIRE(server.running->ended_within(2s));
  INFO("Server.py died of " << server.running->death());
  const auto error = server.running->raised<UnicodeDecodeError>();
  REQUIRE(error.has_value());
  CHECK(std::string(error->what()) == "'utf-8' codec can't decode byte 0xe4 in position 1023: unexpected end of data");
  CHECK(server.screen().count(received) == 0);
  INFO("Step 3: it closed the connection with 2 bytes unread, so the kernel reset it: Client.py dies too");
  REQUIRE(client.running->ended_within(2s));
  INFO("Client.py died of " << client.running->death());
  const auto reset = client.running->raised<OSError>();
  REQUIRE(reset.has_value());
  CHECK(reset->error_number() == ECONNRESET);
  CHECK(reset->python_type() == "ConnectionResetError");
  INFO("Step 4: and nobody can connect any more");
  CHECK_THROWS_AS(connect_raw(server.port), std::system_error);
}
// [errata-utf8]

// [errata-eof-recv]
TEST_CASE("article: when the client leaves, recv returns b'' at once, every time, and Server.py prints an empty message each round",
          "[article]") {
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: one exchange, then the client's user types quit: Client.py closes and exits with SystemExit(0)");
  client.keyboard().type("hi");
  REQUIRE(server.screen().wait_for(received + " hi", 1, 2s));
  server.keyboard().type("hello");
  REQUIRE(client.screen().wait_for(received + " hello", 1, 2s));
  client.keyboard().type("quit");
  REQUIRE(client.running->ended_within(2s));
  const auto exit = client.running->raised<SystemExit>();
  REQUIRE(exit.has_value());
  CHECK(exit->code() == 0);
  INFO("Step 2: Server.py does not notice: recv returns b'', and it prints \"收到： \" with nothing");
  REQUIRE(server.screen().wait_for(received, 2, 2s));
  CHECK(server.screen().printed().back() == received + " ");
  INFO("Step 3: the operator presses Enter 200 times (input from a pipe would do it forever): 200 more empty messages");
  constexpr int rounds = 200;
  for (int i = 0; i < rounds; ++i) {
    server.keyboard().type("");
  }
  server.keyboard().end();  // then Ctrl-D: input() raises EOFError, the only way out of the loop
  REQUIRE(server.running->ended_within(3s));
  CHECK(server.running->raised<EOFError>().has_value());
  const auto printed = server.screen().printed();
  CHECK(server.screen().count(received + " ") == 1 + rounds + 1);  // "hi", then one empty message per round
  CHECK(printed.back() == received + " ");
  CHECK(server.screen().count(welcome) == 1);
}
// [errata-eof-recv]

// [errata-eof-send]
TEST_CASE("article: Server.py's replies to a client that has left go nowhere, until a send raises ConnectionResetError",
          "[article]") {
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: the client says hi and leaves");
  client.keyboard().type("hi");
  REQUIRE(server.screen().wait_for(received + " hi", 1, 2s));
  server.keyboard().type("hello");
  REQUIRE(client.screen().wait_for(received, 1, 2s));
  client.keyboard().type("quit");
  REQUIRE(client.running->ended_within(2s));
  REQUIRE(server.screen().wait_for(received, 2, 2s));
  INFO("Step 2: the operator's first reply is sent without an error, to nobody; the client's kernel answers with a reset");
  server.keyboard().type("are you there?");
  REQUIRE(server.screen().wait_for(received, 3, 2s));
  INFO("Step 3: a later reply raises ConnectionResetError (or BrokenPipeError), and Server.py dies of it");
  for (int i = 0; i < 5; ++i) {
    server.keyboard().type("hello?");
  }
  REQUIRE(server.running->ended_within(2s));
  INFO("Server.py died of " << server.running->death());
  const auto error = server.running->raised<OSError>();
  REQUIRE(error.has_value());
  CHECK(error->call() == "send");
  CHECK((error->error_number() == ECONNRESET || error->error_number() == EPIPE));
}
// [errata-eof-send]

// [errata-quit]
TEST_CASE("article: 'quit' on Server.py closes both sockets and carries on: recv on the closed socket raises OSError (EBADF)",
          "[article]") {
  const Side server = start_server();
  const Side client = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  client.keyboard().type("hi");
  REQUIRE(server.screen().wait_for(received + " hi", 1, 2s));
  INFO("Step 1: the operator types quit: conn.close(), s.close(), and the loop goes on to conn.recv(1024)");
  server.keyboard().type("quit");
  REQUIRE(server.running->ended_within(2s));
  INFO("Server.py died of " << server.running->death());
  const auto error = server.running->raised<OSError>();
  REQUIRE(error.has_value());
  CHECK(error->error_number() == EBADF);
  CHECK(error->call() == "recv");
  CHECK(std::string(error->what()) == "[Errno 9] Bad file descriptor");
  INFO("Step 2: Client.py is not told either: its recv returns b'', it prints an empty reply and asks for a line");
  REQUIRE(client.screen().wait_for(received, 1, 2s));
  CHECK(client.screen().printed().back() == received + " ");
  CHECK(client.screen().wait_for_prompts(2, 2s));
  client.stop();
}
// [errata-quit]

namespace {
void ignore_signal(int) {}
}  // namespace

// [errata-partial]
TEST_CASE("article: send may send only part of a message, and Server.py does not check: the rest is lost",
          "[article]") {
  INFO("Step 1: a SIGUSR1 handler without SA_RESTART, as any program with a signal handler has");
  struct sigaction action {};
  action.sa_handler = ignore_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  REQUIRE(::sigaction(SIGUSR1, &action, &previous) == 0);

  const Side server = start_server();
  const FileDescriptor client = connect_raw(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  send_raw(client.get(), "hi");
  REQUIRE(server.screen().wait_for(received + " hi", 1, 2s));
  INFO("Step 2: the operator types a 16 MiB line; the client is not reading, so conn.send blocks once the buffers are full");
  const std::string message(16 << 20, 'm');
  server.keyboard().type(message);
  int arrived_before = -1;
  for (int i = 0; i < 50; ++i) {  // stuck: bytes have reached the client, and no more come for 200 ms
    const int arrived_now = readable_bytes(client.get());
    if (arrived_now > 0 && arrived_now == arrived_before) {
      break;
    }
    arrived_before = arrived_now;
    std::this_thread::sleep_for(200ms);
  }
  INFO("the client's socket holds " << readable_bytes(client.get()) << " bytes, unread");
  REQUIRE(readable_bytes(client.get()) > 0);
  CHECK_FALSE(server.running->ended_within(0ms));
  CHECK(server.keyboard().waiting() == 0);
  CHECK(server.screen().prompts() == 1);
  INFO("Step 3: a signal interrupts the blocked send(2): it returns the count sent so far, and Server.py goes on");
  send_raw(client.get(), "next");  // waits in Server.py's socket until it calls recv again
  bool moved_on = false;
  for (int i = 0; i < 100 && !moved_on; ++i) {  // a signal before send(2) began would be lost: send more
    ::pthread_kill(server.running->thread(), SIGUSR1);
    moved_on = server.screen().wait_for(received + " next", 1, 50ms);
  }
  REQUIRE(moved_on);
  INFO("Step 4: Server.py is back in recv, and asks for the next line: the rest of the message is never sent");
  CHECK(server.screen().wait_for_prompts(2, 2s));
  const std::string arrived = drain(client.get(), 300ms);
  INFO("the client received " << arrived.size() << " of " << message.size() << " bytes");
  CHECK(arrived.size() > 0);
  CHECK(arrived.size() < message.size());
  const bool a_prefix = arrived == message.substr(0, arrived.size());  // (not CHECKed as strings: megabytes)
  CHECK(a_prefix);
  server.stop();
  ::sigaction(SIGUSR1, &previous, nullptr);
}
// [errata-partial]

// [errata-one-client]
TEST_CASE("article: Server.py serves one client ever: a second client connects, and is never accepted, even after the first leaves",
          "[article]") {
  const Side server = start_server();
  const Side first = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: a second client's connect succeeds: the kernel completes it and queues it (listen's backlog)");
  const FileDescriptor second = connect_raw(server.port);
  send_raw(second.get(), "hello from the second client");
  INFO("Step 2: the first client chats; the second is not accepted, and its message is never shown");
  first.keyboard().type("hi");
  REQUIRE(server.screen().wait_for(received + " hi", 1, 2s));
  server.keyboard().type("hello");
  REQUIRE(first.screen().wait_for(received + " hello", 1, 2s));
  INFO("Step 3: the first client leaves; Server.py stays in its inner loop on the dead connection");
  first.keyboard().type("quit");
  REQUIRE(first.running->ended_within(2s));
  for (int i = 0; i < 3; ++i) {
    server.keyboard().type("");
  }
  REQUIRE(server.screen().wait_for(received, 5, 2s));
  INFO("Step 4: still blocked after 300 ms: one welcome only, the second client's message never shown, nothing sent to it");
  CHECK_FALSE(server.screen().wait_for(welcome, 2, 300ms));
  CHECK(server.screen().count(received + " hello from") == 0);
  CHECK(drain(second.get(), 100ms).empty());
  server.stop();
}
// [errata-one-client]

// [errata-backlog]
TEST_CASE("article: listen(5) is not 5 listeners: while Server.py serves one client, 6 more connect into its queue, and a 7th hangs",
          "[article]") {
  const Side server = start_server();
  const Side first = start_client(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: Server.py is busy with its first client; six more connect, one after another: the queue holds backlog + 1");
  std::vector<FileDescriptor> waiting;
  for (int i = 0; i < 6; ++i) {
    waiting.push_back(socklab::testkit::start_connect(server.port));
    INFO("client " << i + 2);
    REQUIRE(connect_outcome(waiting.back().get(), 1s) == 0);
  }
  INFO("Step 2: the queue is full: the kernel drops the next SYN; that connect is not refused, it hangs");
  const FileDescriptor late = socklab::testkit::start_connect(server.port);
  CHECK(connect_outcome(late.get(), 300ms) == -1);
  INFO("Step 3: a blocking connect, as Client.py's, is still blocked after 300 ms");
  const std::uint16_t port = server.port;
  CHECK_FALSE(finish_within(300ms, [port] { return connect_raw(port).get() >= 0; }).has_value());
  INFO("Step 4: and none of them is ever served: one welcome only");
  CHECK(server.screen().count(welcome) == 1);
  first.stop();
  server.stop();
}
// [errata-backlog]

// [errata-reuseaddr]
TEST_CASE("article: without SO_REUSEADDR, Server.py cannot restart on its port while its last connection is in TIME_WAIT",
          "[article]") {
  const Side server = start_server();
  const std::uint16_t port = server.port;
  const Side client = start_client(port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: the operator types quit: Server.py closes the connection first, then dies (EBADF)");
  client.keyboard().type("hi");
  REQUIRE(server.screen().wait_for(received + " hi", 1, 2s));
  server.keyboard().type("quit");
  REQUIRE(server.running->ended_within(2s));
  INFO("Step 2: the client sees the end and quits; the server's end of the connection waits in TIME_WAIT");
  REQUIRE(client.screen().wait_for(received, 1, 2s));
  client.keyboard().type("quit");
  REQUIRE(client.running->ended_within(2s));
  REQUIRE(time_wait_count(port) >= 1);
  INFO("Step 3: Server.py started again on port " << port << ": bind raises OSError EADDRINUSE");
  Terminal again;
  try {
    const Server restarted(again.process, port);
    FAIL("bind succeeded on port " << restarted.port());
  } catch (const OSError& error) {
    CHECK(error.call() == "bind");
    CHECK(error.error_number() == EADDRINUSE);
    CHECK(std::string(error.what()) == "[Errno 98] Address already in use");
  }
}
// [errata-reuseaddr]

// [errata-bind]
TEST_CASE("article: Server.py binds 127.0.0.1 only: a client using another address of this machine is refused",
          "[article]") {
  const Side server = start_server();
  INFO("Step 1: 127.0.0.2 is this machine too (all of 127.0.0.0/8 is loopback), but nothing listens there");
  try {
    const FileDescriptor refused = connect_raw(server.port, "127.0.0.2");
    FAIL("connected to 127.0.0.2");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == ECONNREFUSED);
  }
  INFO("Step 2: 127.0.0.1 works; a client on another machine would be refused like 127.0.0.2");
  const FileDescriptor client = connect_raw(server.port);
  CHECK(server.screen().wait_for(welcome, 1, 2s));
  server.stop();
}
// [errata-bind]

// [errata-files]
TEST_CASE("article: there is no file transfer: the bytes of a binary file raise UnicodeDecodeError and kill Server.py",
          "[article]") {
  const Side server = start_server();
  const FileDescriptor client = connect_raw(server.port);
  REQUIRE(server.screen().wait_for(welcome, 1, 2s));
  INFO("Step 1: a client sends the first bytes of a PNG file; neither program has any code for files");
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  send_raw(client.get(), png);
  INFO("Step 2: data.decode('utf-8') raises at byte 0; Server.py is dead");
  REQUIRE(server.running->ended_within(2s));
  INFO("Server.py died of " << server.running->death());
  const auto error = server.running->raised<UnicodeDecodeError>();
  REQUIRE(error.has_value());
  CHECK(std::string(error->what()) == "'utf-8' codec can't decode byte 0x89 in position 0: invalid start byte");
  CHECK(server.screen().count(received) == 0);
}
// [errata-files]
