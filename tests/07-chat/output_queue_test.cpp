// Lab 07, task 2: OutputQueue.  Every socket here is a socket pair or a
// loopback connection made by the test, with time-outs; every flush() runs
// under finish_within, so a flush that waits fails with a message.

#include <poll.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "calls.hpp"
#include "helpers.hpp"
#include "output_queue.hpp"

using namespace socklab::chat;
using namespace socklab::chat::testing;
using socklab::testkit::finish_within;

namespace {

// One flush() of \p queue to \p fd, given at most 2 s.  (The queue is shared
// with the flushing thread, so a flush left running never outlives it.)
std::size_t flush_once(const std::shared_ptr<OutputQueue>& queue, int fd) {
  const auto written = finish_within(2s, [queue, fd] { return queue->flush(fd); });
  INFO("flush() did not return within 2 s: it must never wait for the socket");
  REQUIRE(written.has_value());
  return *written;
}

// What flush() threw: its errno and what(), or nothing.
struct Thrown {
  bool threw = false;
  bool system_error = false;
  int error = 0;
  std::string what;
};

Thrown flush_throws(const std::shared_ptr<OutputQueue>& queue, int fd) {
  Thrown thrown;
  try {
    (void)flush_once(queue, fd);
  } catch (const std::system_error& error) {
    thrown = {true, true, error.code().value(), error.what()};
  } catch (const std::exception& error) {
    thrown = {true, false, 0, error.what()};
  }
  return thrown;
}

// The blocks of the partial-write tests: varied sizes, one much bigger than
// the socket buffer, each with bytes of its own.
std::vector<std::string> varied_blocks() {
  std::mt19937 rng(11);
  std::vector<std::string> blocks;
  for (unsigned i = 0; i < 300; ++i) {
    std::size_t size = std::uniform_int_distribution<std::size_t>(1, 3000)(rng);
    if (i == 100) {
      size = 256 * 1024;
    } else if (i == 200) {
      size = 64 * 1024 + 1;
    }
    blocks.push_back(pattern(size, i));
  }
  return blocks;
}

// Partial writes over \p pair: a is the writer (non-blocking, small send
// buffer), b the reader.
void check_partial_flushes(Connected& pair) {
  const std::vector<std::string> blocks = varied_blocks();
  std::string expected;
  for (const std::string& block : blocks) {
    expected += block;
  }
  auto queue = std::make_shared<OutputQueue>(4 << 20);
  INFO("Step 1: push " << blocks.size() << " blocks of 1 to 3000 bytes, one of 256 KiB and one of 64 KiB + 1 ("
                       << expected.size() << " bytes); the writer is non-blocking, SO_SNDBUF 4096");
  for (const std::string& block : blocks) {
    REQUIRE(queue->push(make_block(block)));
  }
  REQUIRE(queue->size() == expected.size());

  INFO("Step 2: one flush() while nobody reads: it writes part, returns that count, and size() drops by it");
  const std::size_t first = flush_once(queue, pair.a.get());
  REQUIRE(first > 0);
  REQUIRE(first < expected.size());
  CHECK(queue->size() == expected.size() - first);

  INFO("Step 3: flush() again until the socket is full: then it returns 0 and size() stays");
  std::size_t written = first;
  bool saw_full = false;
  for (int i = 0; i < 100 && !saw_full; ++i) {
    const std::size_t before = queue->size();
    const std::size_t n = flush_once(queue, pair.a.get());
    REQUIRE(queue->size() == before - n);
    written += n;
    saw_full = n == 0;
    if (!saw_full) {
      std::this_thread::sleep_for(5ms);
    }
  }
  REQUIRE(saw_full);
  REQUIRE(queue->size() > 0);

  INFO("Step 4: read and flush by turns until the queue is empty; each flush() returns what size() lost");
  Collector reader(pair.b.get());
  bool counts_agree = true;
  const auto deadline = Clock::now() + 20s;
  while (!queue->empty() && Clock::now() < deadline) {
    reader.read_for(10ms);
    const std::size_t before = queue->size();
    const std::size_t n = flush_once(queue, pair.a.get());
    counts_agree = counts_agree && queue->size() == before - n;
    written += n;
  }
  CHECK(counts_agree);
  REQUIRE(queue->empty());
  CHECK(written == expected.size());

  INFO("Step 5: the reader got every byte once, in order");
  REQUIRE(reader.wait_for_size(expected.size(), 10s));
  REQUIRE(reader.text().size() == expected.size());
  CHECK((reader.text() == expected));  // in brackets: a bool, not 750 KB in the message
}

}  // namespace

TEST_CASE("OutputQueue push takes blocks up to its limit and refuses the one that would pass it",
          "[task_2][points:2]") {
  auto queue = std::make_shared<OutputQueue>(10);
  INFO("Step 1: OutputQueue(10); push \"abc\": true, size() 3");
  REQUIRE(queue->push(make_block("abc")));
  CHECK(queue->size() == 3);
  CHECK_FALSE(queue->empty());
  INFO("Step 2: push \"defghij\" (7 bytes): true, size() 10, exactly the limit");
  CHECK(queue->push(make_block("defghij")));
  CHECK(queue->size() == 10);
  INFO("Step 3: push \"k\": false, and nothing is queued (size() still 10)");
  CHECK_FALSE(queue->push(make_block("k")));
  CHECK(queue->size() == 10);
  INFO("Step 4: a block bigger than the limit on an empty queue: false, size() 0");
  OutputQueue empty_one(10);
  CHECK_FALSE(empty_one.push(make_block("0123456789A")));
  CHECK(empty_one.size() == 0);
  CHECK(empty_one.empty());
  INFO("Step 5: flush to a socket pair: 10 bytes go, \"abcdefghij\", without the refused \"k\"");
  Connected pair = unix_pair();
  CHECK(flush_once(queue, pair.a.get()) == 10);
  CHECK(queue->empty());
  Collector reader(pair.b.get());
  CHECK(reader.wait_for_size(10, 2s));
  CHECK(reader.text() == "abcdefghij");
  INFO("Step 6: the queue is empty again, so \"k\" fits now");
  CHECK(queue->push(make_block("k")));
  CHECK(queue->size() == 1);
}

TEST_CASE("OutputQueue push of a null or empty block queues nothing and returns true", "[task_2][points:1]") {
  OutputQueue queue(4);
  INFO("Step 1: OutputQueue(4); push(nullptr) and push(empty block) both return true");
  REQUIRE(queue.push(nullptr));
  REQUIRE(queue.push(make_block("")));
  CHECK(queue.size() == 0);
  CHECK(queue.empty());
  INFO("Step 2: fill it to the limit; an empty block still returns true");
  REQUIRE(queue.push(make_block("full")));
  CHECK(queue.push(make_block("")));
  CHECK(queue.push(Block()));
  CHECK(queue.size() == 4);
}

TEST_CASE("OutputQueue push matches the reference on random sequences of blocks", "[task_2][points:1]") {
  INFO("Step 1: queues of limit 0 to 100, given 1 to 30 blocks each (null, empty, or 1 to 60 bytes); "
       "what each push() returns and size() after it");
  std::mt19937 rng(5);
  socklab::testkit::json inputs = socklab::testkit::json::array();
  for (int i = 0; i < 300; ++i) {
    socklab::testkit::json blocks = socklab::testkit::json::array();
    const int count = std::uniform_int_distribution<int>(1, 30)(rng);
    for (int j = 0; j < count; ++j) {
      const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
      if (kind == 0) {
        blocks.push_back(nullptr);
      } else {
        blocks.push_back(kind == 1 ? 0 : std::uniform_int_distribution<int>(1, 60)(rng));
      }
    }
    inputs.push_back({{"limit", std::uniform_int_distribution<int>(0, 100)(rng)}, {"blocks", blocks}});
  }
  const auto difference = socklab::testkit::first_difference(calls(), "push_blocks", inputs);
  INFO(socklab::testkit::describe("push_blocks", difference));
  CHECK_FALSE(difference.has_value());
}

TEST_CASE("OutputQueue shares a block pushed on 1000 queues instead of copying it", "[task_2][points:2]") {
  const Block block = make_block(std::string(100, 's'));
  std::vector<std::shared_ptr<OutputQueue>> queues;
  INFO("Step 1: push one Block of 100 bytes on each of 1000 queues");
  for (int i = 0; i < 1000; ++i) {
    queues.push_back(std::make_shared<OutputQueue>(1000));
    REQUIRE(queues.back()->push(block));
  }
  INFO("Step 2: each queue holds 100 bytes, and block.use_count() is 1001: "
       "the queues hold the one Block, not copies of its bytes");
  CHECK(queues.front()->size() == 100);
  CHECK(queues.back()->size() == 100);
  CHECK(block.use_count() == 1001);
  INFO("Step 3: flush 10 of the queues to a socket pair: each lets go of the block once it is written");
  Connected pair = unix_pair();
  for (int i = 0; i < 10; ++i) {
    CHECK(flush_once(queues[static_cast<std::size_t>(i)], pair.a.get()) == 100);
  }
  CHECK(block.use_count() == 991);
}

TEST_CASE("OutputQueue flush writes what a socket pair takes and resumes where it stopped", "[task_2][points:3]") {
  Connected pair = unix_pair();
  set_int_option(pair.a.get(), SOL_SOCKET, SO_SNDBUF, 4096);
  set_non_blocking(pair.a.get());
  check_partial_flushes(pair);
}

TEST_CASE("OutputQueue flush writes what a loopback TCP connection takes and resumes where it stopped",
          "[task_2][points:1]") {
  // The reader keeps its default receive buffer: a window smaller than one
  // segment would slow TCP down to a crawl of window probes.
  Connected pair = tcp_pair(AF_INET, [](int fd) { set_int_option(fd, SOL_SOCKET, SO_SNDBUF, 4096); });
  set_non_blocking(pair.a.get());
  check_partial_flushes(pair);
}

TEST_CASE("OutputQueue flush writes 5000 one-byte blocks in one call, many blocks per sendmsg",
          "[task_2][points:2]") {
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    expected += static_cast<char>('a' + i % 26);
  }
  const auto push_all = [&](OutputQueue& queue) {
    for (const char c : expected) {
      if (!queue.push(make_block(std::string(1, c)))) {
        return false;
      }
    }
    return true;
  };
  INFO("Step 1: 5000 blocks of one byte (more than IOV_MAX iovecs); one flush() to a roomy socket pair "
       "writes all 5000: it goes on while the socket takes everything it is given");
  auto queue = std::make_shared<OutputQueue>(8192);
  REQUIRE(push_all(*queue));
  Connected pair = unix_pair();
  REQUIRE(flush_once(queue, pair.a.get()) == 5000);
  CHECK(queue->empty());
  Collector reader(pair.b.get());
  CHECK(reader.wait_for_size(5000, 2s));
  CHECK(reader.text() == expected);

  INFO("Step 2: 500 of them over SOCK_SEQPACKET, where each sendmsg makes one record: one flush() "
       "writes all 500, in at most 50 records (one sendmsg per block would make 500)");
  expected.resize(500);
  auto again = std::make_shared<OutputQueue>(8192);
  REQUIRE(push_all(*again));
  Connected packets = unix_pair(SOCK_SEQPACKET);
  REQUIRE(flush_once(again, packets.a.get()) == 500);
  std::string received;
  int records = 0;
  for (int i = 0; i < 1000; ++i) {
    char buffer[8192];
    const ssize_t got = ::recv(packets.b.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (got <= 0) {
      break;
    }
    ++records;
    received.append(buffer, static_cast<std::size_t>(got));
  }
  CHECK(received == expected);
  CHECK(records <= 50);
}

TEST_CASE("OutputQueue flush never waits, even on a blocking socket", "[task_2][points:1]") {
  INFO("Step 1: a blocking socket pair whose writer has SO_SNDBUF 4096; push 1 MiB");
  Connected pair = unix_pair();
  set_int_option(pair.a.get(), SOL_SOCKET, SO_SNDBUF, 4096);
  auto queue = std::make_shared<OutputQueue>(2 << 20);
  REQUIRE(queue->push(make_block(pattern(1 << 20))));
  INFO("Step 2: flush() returns at once with part of it written (MSG_DONTWAIT), not after the 5 s time-out");
  const std::size_t written = flush_once(queue, pair.a.get());
  CHECK(written > 0);
  CHECK(written < (1u << 20));
  INFO("Step 3: a second flush() finds the socket full and returns 0 at once");
  CHECK(flush_once(queue, pair.a.get()) == 0);
}

TEST_CASE("OutputQueue flush to a closed peer throws std::system_error naming sendmsg, with no SIGPIPE",
          "[task_2][points:2]") {
  const DefaultSigpipe sigpipe_kills;  // without MSG_NOSIGNAL, the test process dies here
  INFO("Step 1: a socket pair; push and flush \"hello\": 5 bytes go");
  Connected pair = unix_pair();
  auto queue = std::make_shared<OutputQueue>(100);
  REQUIRE(queue->push(make_block("hello")));
  REQUIRE(flush_once(queue, pair.a.get()) == 5);
  INFO("Step 2: the peer closes; push and flush \"anyone there?\": std::system_error, EPIPE, what() names sendmsg");
  pair.b.close();
  REQUIRE(queue->push(make_block("anyone there?")));
  const Thrown unix_error = flush_throws(queue, pair.a.get());
  INFO("flush threw: " << (unix_error.threw ? unix_error.what : "nothing"));
  REQUIRE(unix_error.system_error);
  CHECK(unix_error.error == EPIPE);
  CHECK(unix_error.what.find("sendmsg") != std::string::npos);

  INFO("Step 3: over loopback TCP, the peer aborts (SO_LINGER 0, a reset); the next flush throws "
       "ECONNRESET or EPIPE, naming sendmsg");
  Connected tcp = tcp_pair();
  set_abort_on_close(tcp.b.get());
  tcp.b.close();
  pollfd reset{tcp.a.get(), POLLIN, 0};
  REQUIRE(::poll(&reset, 1, 2000) == 1);  // the reset has arrived
  auto tcp_queue = std::make_shared<OutputQueue>(100);
  REQUIRE(tcp_queue->push(make_block("anyone there?")));
  const Thrown tcp_error = flush_throws(tcp_queue, tcp.a.get());
  INFO("flush threw: " << (tcp_error.threw ? tcp_error.what : "nothing"));
  REQUIRE(tcp_error.system_error);
  CHECK((tcp_error.error == ECONNRESET || tcp_error.error == EPIPE));
  CHECK(tcp_error.what.find("sendmsg") != std::string::npos);
}
