// Lab 07, task 3: broadcast.  The queues are OutputQueues (task 2): these
// tests use only their push() and size(), never flush(), and no sockets.

#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "broadcast.hpp"
#include "calls.hpp"

using namespace socklab::chat;
using namespace socklab::chat::testing;

namespace {

// A room of members with the given ids, each with a queue of its own limit.
struct Room {
  std::deque<OutputQueue> queues;  // a deque: adding a queue never moves the others
  std::vector<Member> members;

  void add(int id, std::size_t limit) {
    queues.emplace_back(limit);
    members.push_back(Member{id, &queues.back()});
  }
  [[nodiscard]] std::span<const Member> view() const { return members; }
  // The size() of each member's queue, in room order.
  [[nodiscard]] std::vector<std::size_t> sizes() const {
    std::vector<std::size_t> all;
    for (const OutputQueue& queue : queues) {
      all.push_back(queue.size());
    }
    return all;
  }
};

using Sizes = std::vector<std::size_t>;
using Ids = std::vector<int>;

}  // namespace

TEST_CASE("broadcast queues the block once for every member but the sender", "[task_3][points:2]") {
  Room room;
  for (const int id : {4, 8, 15, 16, 23}) {
    room.add(id, 1000);
  }
  INFO("Step 1: a room of 4, 8, 15, 16, 23; member 15 says \"hello\\n\" (6 bytes)");
  const Block hello = make_block("hello\n");
  const Ids full = broadcast(room.view(), 15, hello);
  INFO("Step 2: every queue but 15's holds the 6 bytes, once");
  REQUIRE(room.sizes() == Sizes{6, 6, 0, 6, 6});
  CHECK(full.empty());
  INFO("Step 3: the four queues hold the block itself (use_count() 5), not copies");
  CHECK(hello.use_count() == 5);
  INFO("Step 4: member 4 says \"how are you?\\n\" (13 bytes): everyone but 4 has it behind the first");
  const Block question = make_block("how are you?\n");
  CHECK(broadcast(room.view(), 4, question).empty());
  CHECK(room.sizes() == Sizes{6, 19, 13, 19, 19});
  CHECK(question.use_count() == 5);
}

TEST_CASE("broadcast from the server, which is not in the room, reaches every member", "[task_3][points:1]") {
  Room room;
  for (const int id : {1, 2, 3}) {
    room.add(id, 100);
  }
  INFO("Step 1: a room of 1, 2, 3; the server (sender 0, not a member) says \"* server notice\\n\"");
  const Block notice = make_block("* server notice\n");
  const Ids full = broadcast(room.view(), 0, notice);
  INFO("Step 2: all three queues hold its 16 bytes, and nobody is full");
  REQUIRE(room.sizes() == Sizes{16, 16, 16});
  CHECK(full.empty());
}

TEST_CASE("broadcast reports full members in room order, and the others still get the block",
          "[task_3][points:2]") {
  Room room;
  room.add(7, 0);    // the sender, whose queue is full: it must not matter
  room.add(9, 4);    // too small for the block
  room.add(1, 100);
  room.add(3, 4);    // too small for the block
  room.add(5, 100);
  INFO("Step 1: a room of 7, 9, 1, 3, 5 where the queues of 9 and 3 hold at most 4 bytes, and 7's none");
  INFO("Step 2: 7 says \"message\\n\" (8 bytes): broadcast returns {9, 3}, in room order; 1 and 5 have it");
  const Ids full = broadcast(room.view(), 7, make_block("message\n"));
  REQUIRE(full == Ids{9, 3});
  CHECK(room.sizes() == Sizes{0, 0, 8, 0, 8});
  INFO("Step 3: the server (sender -1) says it again: {7, 9, 3} are full; 1 and 5 have both");
  CHECK(broadcast(room.view(), -1, make_block("message\n")) == Ids{7, 9, 3});
  CHECK(room.sizes() == Sizes{0, 0, 16, 0, 16});
}

TEST_CASE("broadcast to a room of 1000 shares one block", "[task_3][points:1]") {
  Room room;
  for (int id = 0; id < 1000; ++id) {
    room.add(id, 4096);
  }
  const Block block = make_block(std::string(1024, 'm'));
  INFO("Step 1: member 500 of 1000 says 1 KiB");
  const Ids full = broadcast(room.view(), 500, block);
  INFO("Step 2: 999 queues hold it (use_count() 1000), 500's does not, nobody is full");
  REQUIRE(block.use_count() == 1000);
  CHECK(full.empty());
  const Sizes sizes = room.sizes();
  CHECK(sizes[500] == 0);
  CHECK(sizes[0] == 1024);
  CHECK(sizes[999] == 1024);
}

TEST_CASE("broadcast matches the reference on random rooms", "[task_3][points:1]") {
  INFO("Step 1: rooms of 0 to 12 members with queues of random limits, some nearly full; a block of 0 to 50 "
       "bytes from a member or from outside the room; the ids reported full, and each queue's size() after");
  std::mt19937 rng(3);
  socklab::testkit::json inputs = socklab::testkit::json::array();
  for (int i = 0; i < 300; ++i) {
    socklab::testkit::json members = socklab::testkit::json::array();
    const int count = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int j = 0; j < count; ++j) {
      const int limit = std::uniform_int_distribution<int>(0, 100)(rng);
      const int holds = std::uniform_int_distribution<int>(0, limit)(rng);
      members.push_back({{"id", j * 3 + 1}, {"limit", limit}, {"holds", holds}});
    }
    std::shuffle(members.begin(), members.end(), rng);
    const int sender = std::uniform_int_distribution<int>(-1, 3 * count)(rng);
    inputs.push_back({{"room", members}, {"sender", sender}, {"block", std::uniform_int_distribution<int>(0, 50)(rng)}});
  }
  const auto difference = socklab::testkit::first_difference(calls(), "broadcast_room", inputs);
  INFO(socklab::testkit::describe("broadcast_room", difference));
  CHECK_FALSE(difference.has_value());
}
