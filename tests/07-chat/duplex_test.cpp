// Lab 07, task 4: run_duplex, the client's full-duplex loop.  Each test runs
// run_duplex on a thread of its own (DuplexRun, in helpers.hpp) with pipes
// for the keyboard and the screen, and plays the server itself on the other
// end of a socket pair or a loopback TCP connection, on the test's thread.
// Every wait has a time limit, so a loop that blocks fails with a message.

#include <sys/socket.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "calls.hpp"
#include "duplex.hpp"
#include "helpers.hpp"

using namespace socklab::chat;
using namespace socklab::chat::testing;

namespace {

using Strings = std::vector<std::string>;

// The server's side: a raw send that may fail (the client may have gone).
void try_send(int fd, std::string_view text) { (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

// What a failed wait adds to the next assertion's message: where run_duplex
// stands, and what has arrived.
void explain(const DuplexRun& run, const Collector& where, const char* what) {
  UNSCOPED_INFO("run_duplex " << run.status() << "; " << what << " so far (" << where.text().size() << " bytes): \""
                              << escaped(where.text().substr(0, 300)) << (where.text().size() > 300 ? "..." : "")
                              << "\"" << (where.ended() ? ", then its end" : ""));
}

// Calls \p attempt(slice) until it succeeds or \p limit passes, but stops
// early once run_duplex has ended and a last attempt finds nothing more: a
// loop that has returned sends and shows no more, so a stub that returns at
// once fails in milliseconds, not after the whole limit.
template <typename Attempt>
bool while_running(const DuplexRun& run, Attempt attempt, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    const bool ended = run.ended();
    if (attempt(ended ? 200ms : 50ms)) {
      return true;
    }
    if (ended) {
      return false;
    }
  }
  return false;
}

// Whether the screen shows \p text within 5 s.
bool shown(DuplexRun& run, std::string_view text) {
  if (while_running(run, [&](auto slice) { return run.screen.wait_for(text, slice); }, 5s)) {
    return true;
  }
  explain(run, run.screen, "the output");
  return false;
}

// Whether the server has received \p text within 5 s.
bool received(const DuplexRun& run, Collector& server, std::string_view text) {
  if (while_running(run, [&](auto slice) { return server.wait_for(text, slice); }, 5s)) {
    return true;
  }
  explain(run, server, "the server received");
  return false;
}

// Whether the server has received \p size bytes within 10 s.
bool received_size(const DuplexRun& run, Collector& server, std::size_t size) {
  if (while_running(run, [&](auto slice) { return server.wait_for_size(size, slice); }, 10s)) {
    return true;
  }
  explain(run, server, "the server received");
  return false;
}

// Whether the server has seen the end of the stream within \p limit.
bool received_end(const DuplexRun& run, Collector& server, std::chrono::milliseconds limit = 5s) {
  if (while_running(run, [&](auto slice) { return server.wait_for_end(slice); }, limit)) {
    return true;
  }
  explain(run, server, "the server received");
  return false;
}

}  // namespace

TEST_CASE("run_duplex shows a line from the server while the input is open and idle", "[task_4][points:3]") {
  Connected pair = tcp_pair();
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: run_duplex on a loopback TCP connection; its input is a pipe that nobody writes to");
  DuplexRun run(std::move(pair.a), plain_hooks(seen));
  Collector server(pair.b.get());
  INFO("Step 2: the server sends \"hello from the server\\n\": it is shown (\"> ...\"), though nobody typed");
  write_all(pair.b.get(), "hello from the server\n");
  REQUIRE(shown(run, "> hello from the server\n"));
  INFO("Step 3: a line that comes in two pieces, 50 ms apart, is shown once, whole");
  write_all(pair.b.get(), "second ha");
  std::this_thread::sleep_for(50ms);
  write_all(pair.b.get(), "lf\n");
  CHECK(shown(run, "> second half\n"));
  INFO("Step 4: the user types \"hi\": the server receives \"hi\\n\"");
  run.type("hi\n");
  CHECK(received(run, server, "hi\n"));
  INFO("Step 5: the server speaks again while the input is idle: shown");
  write_all(pair.b.get(), "third\n");
  CHECK(shown(run, "> third\n"));
  INFO("Step 6: the server closes: run_duplex returns server_closed; the screen shows each line once");
  pair.b.close();
  const auto outcome = run.finish();
  CHECK(ended_as(outcome) == "returned server_closed");
  run.screen.read_ready();
  CHECK(run.screen.text() == "> hello from the server\n> second half\n> third\n");
  CHECK(seen->received() == Strings{"hello from the server", "second half", "third"});
}

TEST_CASE("run_duplex sends each typed line as hooks.typed returns it", "[task_4][points:2]") {
  Connected pair = unix_pair();
  auto seen = std::make_shared<Seen>();
  DuplexHooks hooks = plain_hooks(seen);
  hooks.typed = [seen](std::string_view line) -> std::string {
    seen->typed(line);
    return line == "skip" ? "" : "<" + std::string(line) + ">\n";
  };
  INFO("Step 1: run_duplex on a socket pair, with typed(line) = \"<line>\\n\", or \"\" for \"skip\"");
  DuplexRun run(std::move(pair.a), hooks);
  Collector server(pair.b.get());
  INFO("Step 2: the user types \"one\\ntwo\\r\\nskip\\nthr\" at once, then \"ee\\n\" 50 ms later");
  run.type("one\ntwo\r\nskip\nthr");
  std::this_thread::sleep_for(50ms);
  run.type("ee\n");
  INFO("Step 3: the server receives \"<one>\\n<two>\\n<three>\\n\", and nothing for \"skip\"");
  REQUIRE(received(run, server, "<three>\n"));
  CHECK(server.text() == "<one>\n<two>\n<three>\n");
  CHECK(seen->typed() == Strings{"one", "two", "skip", "three"});
  INFO("Step 4: the input ends: the server sees the end of the stream; it closes: input_ended");
  run.end_input();
  CHECK(received_end(run, server));
  pair.b.close();
  CHECK(ended_as(run.finish()) == "returned input_ended");
}

TEST_CASE("run_duplex at the end of input sends all, shuts down its side, and reads until the server closes",
          "[task_4][points:2]") {
  Connected pair = tcp_pair();
  auto seen = std::make_shared<Seen>();
  DuplexHooks hooks = plain_hooks(seen);
  hooks.typed = [](std::string_view line) {
    std::string upper(line);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    return upper + "\n";
  };
  INFO("Step 1: run_duplex on loopback TCP, with typed(line) = the line in capitals");
  DuplexRun run(std::move(pair.a), hooks);
  Collector server(pair.b.get());
  INFO("Step 2: the user types \"alpha\\nbeta\\n\", and the input ends");
  run.type("alpha\nbeta\n");
  run.end_input();
  INFO("Step 3: the server receives both lines, then the end of the stream (shutdown(SHUT_WR))");
  REQUIRE(received_end(run, server));
  CHECK(server.text() == "ALPHA\nBETA\n");
  INFO("Step 4: run_duplex has not returned: it reads until the server closes");
  CHECK_FALSE(run.ended());
  INFO("Step 5: the server answers \"goodbye\\n\" and closes: the answer is shown, and run_duplex returns input_ended");
  try_send(pair.b.get(), "goodbye\n");
  pair.b.close();
  CHECK(shown(run, "> goodbye\n"));
  CHECK(ended_as(run.finish()) == "returned input_ended");
}

TEST_CASE("run_duplex returns server_closed when the server closes while the input is open", "[task_4][points:1]") {
  Connected pair = unix_pair();
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: run_duplex on a socket pair; the input stays open, and nobody types");
  DuplexRun run(std::move(pair.a), plain_hooks(seen));
  INFO("Step 2: the server says \"bye\\n\" and closes");
  write_all(pair.b.get(), "bye\n");
  pair.b.close();
  INFO("Step 3: \"> bye\" is shown, and run_duplex returns server_closed");
  REQUIRE(shown(run, "> bye\n"));
  CHECK(ended_as(run.finish()) == "returned server_closed");
}

TEST_CASE("run_duplex counts a last line without a newline, both ways", "[task_4][points:1]") {
  Connected pair = tcp_pair();
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: run_duplex on loopback TCP; the user types \"last typed\" with no \\n, and the input ends");
  DuplexRun run(std::move(pair.a), plain_hooks(seen));
  Collector server(pair.b.get());
  run.type("last typed");
  run.end_input();
  INFO("Step 2: it still counts as a line: the server receives \"last typed\\n\", then the end");
  REQUIRE(received_end(run, server));
  CHECK(server.text() == "last typed\n");
  INFO("Step 3: the server sends \"last said\" with no \\n, and closes: it is shown as a line");
  try_send(pair.b.get(), "last said");
  pair.b.close();
  CHECK(shown(run, "> last said\n"));
  CHECK(ended_as(run.finish()) == "returned input_ended");
  CHECK(seen->typed() == Strings{"last typed"});
  CHECK(seen->received() == Strings{"last said"});
}

TEST_CASE("run_duplex does not send a typed line over max_line, says so, and skips long lines from the server",
          "[task_4][points:1]") {
  Connected pair = unix_pair();
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: run_duplex with max_line 16");
  DuplexRun run(std::move(pair.a), plain_hooks(seen), 16);
  Collector server(pair.b.get());
  INFO("Step 2: the user types \"short\", 40 x's, \"after\", then 40 y's in two pieces, then \"last\"");
  run.type("short\n" + std::string(40, 'x') + "\nafter\n" + std::string(20, 'y'));
  std::this_thread::sleep_for(50ms);
  run.type(std::string(20, 'y') + "\nlast\n");
  INFO("Step 3: the output shows too_long_typed_message(16) twice");
  const std::string refused = too_long_typed_message(16);
  REQUIRE(shown(run, refused + refused));
  INFO("Step 4: the server sends a line of 40 z's, then \"ok\": the long one is skipped, \"ok\" is shown");
  write_all(pair.b.get(), std::string(40, 'z') + "\nok\n");
  CHECK(shown(run, "> ok\n"));
  CHECK(seen->received() == Strings{"ok"});
  INFO("Step 5: the input ends; the server received only \"short\", \"after\" and \"last\"");
  run.end_input();
  CHECK(received_end(run, server));
  CHECK(server.text() == "short\nafter\nlast\n");
  CHECK(seen->typed() == Strings{"short", "after", "last"});
  pair.b.close();
  CHECK(ended_as(run.finish()) == "returned input_ended");
  run.screen.read_ready();
  CHECK(run.screen.count(refused) == 2);
}

TEST_CASE("run_duplex ends the input when hooks.quitting says so", "[task_4][points:1]") {
  Connected pair = unix_pair();
  auto seen = std::make_shared<Seen>();
  DuplexHooks hooks = plain_hooks(seen);
  hooks.quitting = [seen] {
    const Strings typed = seen->typed();
    return !typed.empty() && typed.back() == "/quit";
  };
  INFO("Step 1: run_duplex with quitting() true once \"/quit\" was typed");
  DuplexRun run(std::move(pair.a), hooks);
  Collector server(pair.b.get());
  INFO("Step 2: the user types \"hello\\n/quit\\nignored\\n\" at once; the input stays open");
  run.type("hello\n/quit\nignored\n");
  INFO("Step 3: the server receives \"hello\" and \"/quit\", then the end of the stream");
  REQUIRE(received_end(run, server));
  CHECK(server.text() == "hello\n/quit\n");
  CHECK(seen->typed() == Strings{"hello", "/quit"});
  INFO("Step 4: the server closes: input_ended");
  pair.b.close();
  CHECK(ended_as(run.finish()) == "returned input_ended");
}

TEST_CASE("run_duplex sends what hooks.refill gives, 1 MiB in parts, while it still shows the server's lines",
          "[task_4][points:2]") {
  Connected pair = unix_pair();
  set_int_option(pair.a.get(), SOL_SOCKET, SO_SNDBUF, 16384);
  const std::string upload = pattern(1 << 20, 3);
  auto given = std::make_shared<std::size_t>(0);  // only the loop's thread touches it
  auto seen = std::make_shared<Seen>();
  DuplexHooks hooks = plain_hooks(seen);
  hooks.refill = [upload, given]() -> std::string {
    const std::string part = upload.substr(std::min(*given, upload.size()), 65536);
    *given += part.size();
    return part;
  };
  INFO("Step 1: run_duplex on a socket pair (client SO_SNDBUF 16384); refill() gives 1 MiB in 64 KiB parts "
       "(each more than the socket takes at once), then \"\"; the input stays open and idle");
  DuplexRun run(std::move(pair.a), hooks);
  Collector server(pair.b.get());
  for (std::size_t k = 1; k <= 4; ++k) {
    INFO("Step " << k + 1 << ": the server reads " << k * 256
                 << " KiB, then says \"news " << k << "\" and reads no more until it is shown");
    REQUIRE(received_size(run, server, k * 256 * 1024));
    const std::string news = "news " + std::to_string(k) + "\n";
    write_all(pair.b.get(), news);
    REQUIRE(shown(run, "> " + news));
  }
  INFO("Step 6: the server received the 1 MiB whole and in order");
  REQUIRE(server.text().size() == upload.size());
  CHECK((server.text() == upload));  // in brackets: a bool, not 1 MiB in the message
  INFO("Step 7: the input ends: the server sees the end; it closes: input_ended");
  run.end_input();
  CHECK(received_end(run, server));
  CHECK(server.text().size() == upload.size());
  pair.b.close();
  CHECK(ended_as(run.finish()) == "returned input_ended");
}

TEST_CASE("run_duplex stops reading a fast input while much waits to be sent", "[task_4][points:1]") {
  Connected pair = unix_pair();
  set_int_option(pair.a.get(), SOL_SOCKET, SO_SNDBUF, 16384);
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: run_duplex on a socket pair (client SO_SNDBUF 16384); the user types \"first\": it arrives");
  DuplexRun run(std::move(pair.a), plain_hooks(seen));
  Collector server(pair.b.get());
  run.type("first\n");
  REQUIRE(received(run, server, "first\n"));
  INFO("Step 2: for 1 s the server reads nothing, and the test types lines of 99 letters as fast as "
       "the input pipe takes them (4 MiB at most)");
  std::string lines;
  while (lines.size() < (4u << 20)) {
    lines += pattern(99, static_cast<unsigned>(lines.size() / 100)) + "\n";
  }
  std::size_t typed = 0;
  const auto deadline = Clock::now() + 1s;
  while (typed < lines.size() && Clock::now() < deadline) {
    const ssize_t n = ::write(run.keyboard.get(), lines.data() + typed, std::min<std::size_t>(65536, lines.size() - typed));
    if (n > 0) {
      typed += static_cast<std::size_t>(n);
    } else {
      pollfd room{run.keyboard.get(), POLLOUT, 0};
      (void)::poll(&room, 1, 20);
    }
  }
  INFO("Step 3: the loop took less than 1 MiB (" << typed << " bytes went into the pipe): with 256 KiB "
       "waiting it stops reading the input, so memory stays bounded");
  CHECK(typed < (1u << 20));
  INFO("Step 4: the input ends; the server reads: every typed byte arrives, in order");
  run.end_input();
  REQUIRE(received_end(run, server, 10s));
  std::string expected = "first\n" + lines.substr(0, typed);
  if (expected.back() != '\n') {
    expected += '\n';  // the last line, cut short, still counts
  }
  REQUIRE(server.text().size() == expected.size());
  CHECK((server.text() == expected));
  pair.b.close();
  CHECK(ended_as(run.finish()) == "returned input_ended");
}

TEST_CASE("run_duplex goes on reading when the server stops taking bytes (EPIPE), with no SIGPIPE",
          "[task_4][points:2]") {
  const DefaultSigpipe sigpipe_kills;  // a send without MSG_NOSIGNAL kills the test process here
  Connected pair = unix_pair();
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: the server shuts down its reading side (SHUT_RD): every send to it now fails with EPIPE");
  REQUIRE(::shutdown(pair.b.get(), SHUT_RD) == 0);
  DuplexRun run(std::move(pair.a), plain_hooks(seen));
  INFO("Step 2: the server says \"going away\\n\": it is shown");
  write_all(pair.b.get(), "going away\n");
  REQUIRE(shown(run, "> going away\n"));
  INFO("Step 3: the user types \"are you there?\"; its send fails; the server says \"still talking\\n\": shown");
  run.type("are you there?\n");
  REQUIRE(wait_until([&] { return seen->typed().size() == 1; }));
  std::this_thread::sleep_for(50ms);
  write_all(pair.b.get(), "still talking\n");
  CHECK(shown(run, "> still talking\n"));
  INFO("Step 4: the user types \"hello?\", the server says \"last words\\n\": shown");
  run.type("hello?\n");
  REQUIRE(wait_until([&] { return seen->typed().size() == 2; }));
  std::this_thread::sleep_for(50ms);
  write_all(pair.b.get(), "last words\n");
  CHECK(shown(run, "> last words\n"));
  INFO("Step 5: the server closes: run_duplex returns server_closed (no exception, and the process lives)");
  pair.b.close();
  CHECK(ended_as(run.finish()) == "returned server_closed");
}

TEST_CASE("run_duplex throws std::system_error naming recv when the server resets the connection",
          "[task_4][points:1]") {
  Connected pair = tcp_pair();
  auto seen = std::make_shared<Seen>();
  INFO("Step 1: run_duplex on loopback TCP; the input stays open and idle; the server says \"hi\\n\": shown");
  DuplexRun run(std::move(pair.a), plain_hooks(seen));
  write_all(pair.b.get(), "hi\n");
  REQUIRE(shown(run, "> hi\n"));
  INFO("Step 2: the server aborts the connection (SO_LINGER 0): the client receives a reset");
  set_abort_on_close(pair.b.get());
  pair.b.close();
  INFO("Step 3: run_duplex throws std::system_error with ECONNRESET, and what() names recv");
  const auto outcome = run.finish();
  REQUIRE(outcome.has_value());
  INFO("run_duplex " << ended_as(outcome));
  CHECK(outcome->error_number == ECONNRESET);
  CHECK(outcome->error.find("recv") != std::string::npos);
}
