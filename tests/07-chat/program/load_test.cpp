// `chat serve` under load, driven by bench/chat/load.cpp (`chat-load`): it
// checks every delivery for loss, duplicates and each sender's order, and
// exits 0 only when all are right.

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace chat_test;

namespace {

// Runs chat-load against \p server with \p options (and --json), for at most
// \p limit; requires that it ran to its end, exit status 0, and returns its report.
nlohmann::json run_chat_load(const ChatServer& server, const std::vector<std::string>& options,
                             milliseconds limit) {
  std::vector<std::string> argv{CHAT_LOAD, "--host", "127.0.0.1", "--port", std::to_string(server.port()), "--json"};
  argv.insert(argv.end(), options.begin(), options.end());
  Process load(argv);
  const std::string report = load.rest(limit);
  const auto status = load.wait(5s);
  INFO("chat-load's report: " << report << "\nits errors: " << load.errors());
  REQUIRE(status.has_value());
  REQUIRE(WIFEXITED(*status));
  REQUIRE(WEXITSTATUS(*status) == 0);
  return nlohmann::json::parse(report);
}

}  // namespace

TEST_CASE("200 clients sending 50 lines each at once lose nothing and keep each sender's order", "[load]") {
  ChatServer server;
  const std::size_t rss_before = server.rss_kib();
  INFO("Step 1: chat-load --clients 200 --messages 50 --mode burst: 1,990,000 deliveries to check");
  const auto result = run_chat_load(server,
                                    {"--clients", "200", "--messages", "50", "--mode", "burst", "--timeout", "90",
                                     "--stall", "10", "--server-pid", std::to_string(server.pid())},
                                    100s);
  INFO("chat-load's report: " << result.dump());
  CHECK(result.at("status") == "ok");
  CHECK(result.at("expected") == 1990000);
  CHECK(result.at("deliveries") == 1990000);
  CHECK(result.at("lost") == 0);
  CHECK(result.at("out_of_order") == 0);
  CHECK(result.at("duplicates") == 0);
  CHECK(result.at("invalid") == 0);
  INFO("Step 2: the 200 have gone; the server still serves, and gave back what the queues took");
  const auto alice = join(server.port(), "alice");
  const std::vector<Peer*> bystanders{alice.get()};
  expect_healthy(server, bystanders, rss_before, 64 * 1024);
  server.stop_cleanly();
}

// Chapter 07's performance note: "One write per receiver per round."  In
// lockstep, every client sends a line at once; the server reads them all
// before it writes, so one write carries many lines to a receiver.  Written
// as they come, 20 clients' rounds would cost a write per line (19 per
// receiver per round); with the batching, about two.
TEST_CASE("in lockstep rounds the server writes a receiver many lines at once, not one write per line", "[load]") {
  ChatServer server({"--stats"});
  INFO("Step 1: chat-load --clients 20 --messages 20 --mode lockstep: 7600 lines to relay");
  const auto result = run_chat_load(server, {"--clients", "20", "--messages", "20", "--mode", "lockstep", "--timeout", "60"}, 70s);
  REQUIRE(result.at("status") == "ok");
  INFO("Step 2: on exit, --stats says how many lines went out, in how many writes");
  server.stop_cleanly();
  const std::string stats = server.rest_of_output(5s);
  INFO("the server's output: " << stats);
  unsigned long long lines = 0;
  unsigned long long writes = 0;
  REQUIRE(std::sscanf(stats.c_str(), "stats: %llu lines to clients in %llu writes", &lines, &writes) == 2);
  CHECK(lines >= 7600);
  REQUIRE(writes > 0);
  INFO("lines per write: " << static_cast<double>(lines) / static_cast<double>(writes));
  CHECK(lines >= 4 * writes);
}

// Chapter 07's performance note: "Lines that arrive over a few rounds wait at
// most 1 ms for the others."  The server holds back writing while input keeps
// coming, so that one write carries many lines; but a flood that never lets a
// round go empty must not hold back delivery until it stops, or until the
// memory limit (set out of reach here) makes the server write.
TEST_CASE("a steady flood does not hold back delivery: the others get lines while it goes on", "[load]") {
  ChatServer server({"--max-memory", "1099511627776", "--max-queue", "4294967296"});
  const auto flooder = join(server.port(), "flooder");
  const auto alice = join(server.port(), "alice");
  const auto bob = join(server.port(), "bob");
  std::size_t flood_to_bob = 0;
  bool bob_heard_alice = false;
  bob->on_line = [&](std::string_view line) {
    flood_to_bob += line.starts_with("<flooder> ") ? 1U : 0U;
    bob_heard_alice = bob_heard_alice || line == "<alice> hello while it floods";
  };
  alice->on_line = [](std::string_view) {};
  flooder->on_line = [](std::string_view) {};
  std::size_t sent = 0;
  bool alice_spoke = false;
  const std::vector<Peer*> peers{flooder.get(), alice.get(), bob.get()};
  INFO("Step 1: flooder sends as fast as the server takes it; alice speaks once 2000 lines are out");
  const auto start = Clock::now();
  const bool heard = pump(peers, 5s, [&] {
    while (flooder->outbox.size() < 65536) {
      flooder->outbox += "flood " + std::to_string(sent++) + " " + std::string(60, 'f') + "\n";
    }
    if (!alice_spoke && sent > 2000) {
      alice->outbox += "hello while it floods\n";
      alice_spoke = true;
    }
    return bob_heard_alice && flood_to_bob > 0;
  });
  INFO("after " << std::chrono::duration_cast<milliseconds>(Clock::now() - start).count() << " ms, flooder had "
                << sent << " lines queued or sent, bob had " << flood_to_bob << " of them; " << bob->recent());
  // The flood never pauses before bob has heard: pump() refills it on every turn.
  CHECK(heard);
  flooder->close();
  server.stop_cleanly();
}
