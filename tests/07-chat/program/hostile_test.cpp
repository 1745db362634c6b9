// `chat serve` against hostile and broken clients.  After each attack the
// test checks that the server is alive (a fresh client joins, chats and gets
// answers), that the clients who were there all along were not affected, and
// that the server's memory stayed bounded.

#include <sys/socket.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "protocol.hpp"

using namespace chat_test;

namespace {

bool has_line_containing(const Peer& peer, std::string_view text) {
  return std::any_of(peer.history().begin(), peer.history().end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

// A leave notice for \p name with one of \p reasons.
bool left_for(std::string_view line, const std::string& name, std::initializer_list<std::string_view> reasons) {
  return std::any_of(reasons.begin(), reasons.end(), [&](std::string_view reason) {
    return line == "* " + name + " left (" + std::string(reason) + ")";
  });
}

}  // namespace

TEST_CASE("an over-long line gets an error, is not relayed, and the connection goes on", "[hostile]") {
  ChatServer server;
  const auto alice = join(server.port(), "alice");
  const auto mallory = join(server.port(), "mallory");
  const std::size_t rss_before = server.rss_kib();

  INFO("Step 1: mallory sends 5000 bytes and a newline");
  mallory->send(std::string(5000, 'x') + "\n");
  CHECK(mallory->line_starting("!", 5s) == "! line too long (limit 4096 bytes)");
  mallory->send("short again\n");
  CHECK(alice->expect("<mallory> short again", 5s));

  INFO("Step 2: exactly 4096 bytes (and \\r\\n) is a line; 4097 is not");
  mallory->send(std::string(4096, 'y') + "\r\n");
  CHECK(alice->expect("<mallory> " + std::string(4096, 'y'), 5s));
  mallory->send(std::string(4097, 'z') + "\n");
  CHECK(mallory->line_starting("!", 5s) == "! line too long (limit 4096 bytes)");

  INFO("Step 3: the error comes before the newline; what follows up to it is thrown away too");
  mallory->send(std::string(6000, 'w'));
  CHECK(mallory->line_starting("!", 5s) == "! line too long (limit 4096 bytes)");
  mallory->send("still the same line\nnext line\n");
  CHECK(alice->expect("<mallory> next line", 5s));
  INFO(alice->recent());
  CHECK_FALSE(has_line_containing(*alice, "xxxxxxxx"));
  CHECK_FALSE(has_line_containing(*alice, "zzzzzzzz"));
  CHECK_FALSE(has_line_containing(*alice, "wwwwwwww"));
  CHECK_FALSE(has_line_containing(*alice, "still the same line"));

  const std::vector<Peer*> bystanders{alice.get(), mallory.get()};
  expect_healthy(server, bystanders, rss_before);
  server.stop_cleanly();
}

TEST_CASE("a line that never ends keeps the server's memory bounded while the others chat", "[hostile]") {
  ChatServer server;
  auto alice = join(server.port(), "alice");
  auto bob = join(server.port(), "bob");
  auto drip = join(server.port(), "drip");
  const std::size_t rss_before = server.rss_kib();

  // alice says "tick N" every 50 ms; bob notes when each arrives.
  std::map<int, Clock::time_point> ticks_sent;
  std::map<int, Clock::duration> ticks_taken;
  bob->on_line = [&](std::string_view line) {
    if (line.starts_with("<alice> tick ")) {
      const int n = std::stoi(std::string(line.substr(13)));
      ticks_taken[n] = Clock::now() - ticks_sent[n];
    }
  };
  int errors = 0;
  drip->on_line = [&](std::string_view line) { errors += line.starts_with("! line too long") ? 1 : 0; };
  const std::vector<Peer*> peers{alice.get(), bob.get(), drip.get()};
  int tick = 0;
  auto next_tick = Clock::now();
  const auto say_tick = [&] {
    if (Clock::now() >= next_tick) {
      ticks_sent[++tick] = Clock::now();
      alice->outbox += "tick " + std::to_string(tick) + "\n";
      next_tick += 50ms;
    }
  };

  INFO("Step 1: a slow drip, a few bytes every 20 ms for 1 s, without a newline");
  for (const auto until = Clock::now() + 1s; Clock::now() < until;) {
    drip->outbox += "dr";
    say_tick();
    pump(peers, 20ms, [] { return false; });
  }
  INFO("Step 2: then a flood of the same line, still without a newline, for up to 4 s");
  std::size_t dripped = 0;
  const std::string chunk(256 * 1024, 'p');
  for (const auto until = Clock::now() + 4s; Clock::now() < until && dripped < (48U << 20U);) {
    if (drip->outbox.size() < chunk.size()) {
      drip->outbox += chunk;
      dripped += chunk.size();
    }
    say_tick();
    pump(peers, 5ms, [] { return false; });
  }
  const std::size_t rss_during = server.rss_kib();
  pump(peers, 3s, [&] { return ticks_taken.size() == ticks_sent.size() && drip->outbox.empty(); });
  INFO("dripped " << (dripped >> 20U) << " MiB; the server's VmRSS went from " << rss_before << " to " << rss_during
                  << " KiB; bob got " << ticks_taken.size() << " of " << ticks_sent.size() << " ticks");
  CHECK(dripped >= (16U << 20U));
  CHECK(rss_during <= rss_before + 8 * 1024);
  CHECK(ticks_taken.size() == ticks_sent.size());
  const auto slowest = std::max_element(ticks_taken.begin(), ticks_taken.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
  REQUIRE(slowest != ticks_taken.end());
  INFO("the slowest tick took " << std::chrono::duration_cast<milliseconds>(slowest->second).count() << " ms");
  CHECK(slowest->second < 1s);
  CHECK(errors == 1);

  INFO("Step 3: the newline comes at last; the next line is relayed");
  drip->on_line = nullptr;
  bob->on_line = nullptr;
  drip->send("\nafter the drip\n");
  CHECK(alice->expect("<drip> after the drip", 5s));
  CHECK_FALSE(has_line_containing(*alice, "drdrdr"));
  CHECK_FALSE(has_line_containing(*alice, "pppppppp"));
  const std::vector<Peer*> bystanders{alice.get(), bob.get(), drip.get()};
  expect_healthy(server, bystanders, rss_before, 8 * 1024);
  server.stop_cleanly();
}

TEST_CASE("NUL bytes and invalid UTF-8 are relayed as U+FFFD and break nothing", "[hostile]") {
  ChatServer server;
  const auto alice = join(server.port(), "alice");
  const auto eve = join(server.port(), "eve");
  const std::size_t rss_before = server.rss_kib();
  const std::string fffd = "\xEF\xBF\xBD";

  INFO("Step 1: a line full of NULs, bad bytes, overlong forms, surrogates and escapes");
  static constexpr char raw[] = "a\0b\xFF" "c\xC0\xAF" "d\xED\xA0\x80" "e\x1B[31mf\tg\rh\x7F"
                                "i\xF4\x90\x80\x80" "j\xE4\xB8";
  const std::string nasty(raw, sizeof raw - 1);
  eve->send(nasty + "\r\n");
  const auto relayed = alice->line_starting("<eve> ", 5s);
  REQUIRE(relayed.has_value());
  CHECK(*relayed == "<eve> " + socklab::chat::sanitize_text(nasty));
  CHECK(*relayed == "<eve> a" + fffd + "b" + fffd + "c" + fffd + fffd + "d" + fffd + fffd + fffd + "e" + fffd +
                        "[31mf\tg" + fffd + "h" + fffd + "i" + fffd + fffd + fffd + fffd + "j" + fffd + fffd);
  const auto points = decode_utf8(*relayed);
  REQUIRE(points.has_value());
  CHECK(std::none_of(points->begin(), points->end(), [](char32_t p) { return (p < 0x20 && p != U'\t') || p == 0x7F; }));

  INFO("Step 2: the same bytes in commands: answers and private messages are safe too");
  eve->send("/msg alice \xFF\x01secret\n");
  CHECK(alice->line_starting("[eve]", 5s) == "[eve] " + fffd + fffd + "secret");
  eve->send("/msg \xFF\x1B[2J hi\n");
  CHECK(eve->line_starting("!", 5s) == "! no one here is called " + fffd + fffd + "[2J");
  eve->send(std::string("/\x1B[2Jboom\0x\n", 12));
  CHECK(eve->line_starting("!", 5s) == "! unknown command /" + fffd + "[2Jboom" + fffd + "x (try /help)");
  eve->send("/nick \xC3\xA9ve\n");
  CHECK(eve->line_starting("!", 5s) == "! a name is 1 to 24 of A-Z a-z 0-9 _ - . and does not start with - or .");
  for (const auto& line : eve->history()) {
    INFO(line);
    CHECK(decode_utf8(line).has_value());
    CHECK(line.find_first_of(std::string("\x1B\r\0", 3)) == std::string::npos);
  }
  eve->send("plain again\n");
  CHECK(alice->expect("<eve> plain again", 5s));
  const std::vector<Peer*> bystanders{alice.get(), eve.get()};
  expect_healthy(server, bystanders, rss_before);
  server.stop_cleanly();
}

TEST_CASE("a connection reset in the middle of a line is a leave, and the others carry on", "[hostile]") {
  ChatServer server;
  const auto alice = join(server.port(), "alice");
  const auto bob = join(server.port(), "bob");
  const std::size_t rss_before = server.rss_kib();
  for (int round = 1; round <= 3; ++round) {
    const std::string name = "mallory" + std::to_string(round);
    auto mallory = join(server.port(), name);
    INFO("Round " << round << ": " << name << " sends half a line, then resets the connection (SO_LINGER 0)");
    mallory->send("half a li");
    if (round == 2) {
      std::this_thread::sleep_for(100ms);  // the server has read the half line by now
    }
    if (round == 3) {
      mallory->send(std::string(100000, 'h'));  // and more than the server reads at once
    }
    mallory->reset();
    const auto left = alice->line_starting("* " + name + " left", 5s);
    INFO(alice->recent());
    REQUIRE(left.has_value());
    CHECK(left_for(*left, name, {"reset", "closed"}));
    CHECK(bob->expect(*left, 5s));
  }
  const std::vector<Peer*> bystanders{alice.get(), bob.get()};
  expect_healthy(server, bystanders, rss_before);
  server.stop_cleanly();
}

TEST_CASE("a client that never reads is dropped, and the flooders' lines reach a reading client promptly",
          "[hostile]") {
  ChatServer server({"--max-queue", "65536", "--stall-timeout", "1"});
  const auto hog = join(server.port(), "hog", 4096);  // then never reads again
  const auto f1 = join(server.port(), "f1");
  const auto f2 = join(server.port(), "f2");
  const auto reader = join(server.port(), "reader");
  const std::size_t rss_before = server.rss_kib();

  INFO("Step 1: f1 and f2 send lines of 110 bytes as fast as the server takes them, until the hog is dropped");
  std::map<std::string, int> next_seq{{"f1", 0}, {"f2", 0}};
  int out_of_order = 0;
  std::string hog_left;
  auto last_line = Clock::now();
  Clock::duration longest_gap{};
  reader->on_line = [&](std::string_view line) {
    if (line.starts_with("* hog left")) {
      hog_left = line;
    }
    for (auto& [sender, seq] : next_seq) {
      const std::string prefix = "<" + sender + "> seq ";
      if (line.starts_with(prefix)) {
        const auto now = Clock::now();
        longest_gap = std::max(longest_gap, now - last_line);
        last_line = now;
        const int got = std::stoi(std::string(line.substr(prefix.size())));
        out_of_order += got == seq ? 0 : 1;
        seq = got + 1;
      }
    }
  };
  f1->on_line = [](std::string_view) {};
  f2->on_line = [](std::string_view) {};
  std::map<Peer*, int> sent{{f1.get(), 0}, {f2.get(), 0}};
  const std::vector<Peer*> peers{f1.get(), f2.get(), reader.get()};
  const auto start = Clock::now();
  last_line = start;
  const bool all_arrived = pump(peers, 20s, [&] {
    for (auto& [flooder, n] : sent) {
      while (hog_left.empty() && flooder->outbox.size() < 16384) {
        flooder->outbox += "seq " + std::to_string(n++) + " " + std::string(100, 'f') + "\n";
      }
    }
    return !hog_left.empty() && next_seq["f1"] == sent[f1.get()] && next_seq["f2"] == sent[f2.get()];
  });
  const auto took = Clock::now() - start;
  INFO("the flooders sent " << sent[f1.get()] << " + " << sent[f2.get()] << " lines; the reader got "
                            << next_seq["f1"] << " + " << next_seq["f2"] << " in "
                            << std::chrono::duration_cast<milliseconds>(took).count() << " ms, the longest gap "
                            << std::chrono::duration_cast<milliseconds>(longest_gap).count() << " ms; "
                            << reader->recent());
  CHECK(all_arrived);
  CHECK(out_of_order == 0);
  CHECK(took < 10s);
  CHECK(longest_gap < 900ms);  // less than the stall time-out: never held up by the hog
  INFO("Step 2: the hog was dropped, for one of the two reasons: " << hog_left);
  CHECK(left_for(hog_left, "hog", {"too slow: output buffer full", "not reading"}));
  CHECK(hog->ends_within(5s));
  const std::vector<Peer*> bystanders{f1.get(), f2.get(), reader.get()};
  expect_healthy(server, bystanders, rss_before);
  server.stop_cleanly();
}

TEST_CASE("a connection beyond --max-clients gets server full and is closed, and the others are fine", "[hostile]") {
  ChatServer server({"--max-clients", "3"});
  const auto a = join(server.port(), "a");
  const auto b = join(server.port(), "b");
  auto c = join(server.port(), "c");
  const std::size_t rss_before = server.rss_kib();
  INFO("Step 1: ten more connections: each gets the refusal, then the end of the stream");
  for (int i = 0; i < 10; ++i) {
    Peer extra(server.port());
    CHECK(extra.line(5s) == "! server full (3 clients)");
    CHECK(extra.ends_within(5s));
  }
  INFO("Step 2: the three did not hear of them, and still chat");
  a->send("still here\n");
  CHECK(b->expect("<a> still here", 5s));
  CHECK(c->expect("<a> still here", 5s));
  const auto joins = [](const Peer& peer) {
    return std::count_if(peer.history().begin(), peer.history().end(),
                         [](const std::string& line) { return line.ends_with(" joined"); });
  };
  CHECK(joins(*b) == 1);  // c's
  CHECK(joins(*c) == 0);
  INFO("Step 3: when c leaves, there is room for one more");
  c->send("/quit\n");
  CHECK(c->ends_within(5s));
  CHECK(a->expect("* c left (quit)", 5s));
  const std::vector<Peer*> bystanders{a.get(), b.get()};
  expect_healthy(server, bystanders, rss_before);
  Peer extra(server.port());
  CHECK(extra.line(5s).value_or("").starts_with("* welcome"));
  server.stop_cleanly();
}

TEST_CASE("500 connections opened and closed in a row, some in the middle of a line, leave the server as it was",
          "[hostile]") {
  ChatServer server;
  auto alice = join(server.port(), "alice");
  const std::size_t rss_before = server.rss_kib();
  const std::size_t fds_before = server.open_fds();
  alice->on_line = [](std::string_view) {};
  const std::vector<Peer*> alice_only{alice.get()};
  for (int i = 0; i < 500; ++i) {
    Peer churn(server.port());
    switch (i % 5) {
      case 0:
        break;  // close at once
      case 1:
        churn.send("half a li");
        break;
      case 2:
        churn.send("half a line, then a reset");
        churn.reset();
        continue;
      case 3:
        (void)churn.line(5s);  // the welcome
        break;
      default:
        churn.send("/nick churn" + std::to_string(i) + "\nhello from churn\n/who\n");
        break;
    }
    churn.close();
    if (i % 50 == 49) {
      pump(alice_only, 10ms, [] { return false; });
    }
  }
  INFO("Afterwards: the server holds as many descriptors as before");
  pump(alice_only, 5s, [&] { return server.open_fds() == fds_before; });
  CHECK(server.open_fds() == fds_before);
  alice->on_line = nullptr;
  const std::vector<Peer*> bystanders{alice.get()};
  expect_healthy(server, bystanders, rss_before);
  server.stop_cleanly();
}

TEST_CASE("clients that vanish while the server writes to them do not kill it with SIGPIPE", "[hostile]") {
  ChatServer server;
  CHECK(server.ignores_sigpipe());
  auto alice = join(server.port(), "alice");
  auto flooder = join(server.port(), "flooder");
  const std::size_t rss_before = server.rss_kib();
  int left = 0;
  alice->on_line = [&](std::string_view line) { left += line.find(" left (") != std::string_view::npos ? 1 : 0; };
  flooder->on_line = [](std::string_view) {};
  const std::vector<Peer*> readers{alice.get(), flooder.get()};
  for (int round = 0; round < 3; ++round) {
    INFO("Round " << round << ": 20 clients with small receive buffers, a flood, and they all go at once");
    std::vector<std::unique_ptr<Peer>> victims;
    for (int i = 0; i < 20; ++i) {
      victims.push_back(std::make_unique<Peer>(server.port(), 4096));
      REQUIRE(victims.back()->line(5s).has_value());  // the welcome: it is in the room
    }
    for (int i = 0; i < 2000; ++i) {
      flooder->outbox += "flood " + std::to_string(i) + " " + std::string(200, 'v') + "\n";
    }
    pump(readers, 5s, [&] { return flooder->outbox.empty(); });
    for (auto& victim : victims) {
      if (victim.get() == victims.front().get()) {
        victim->close();  // a FIN with unread data: the kernel sends a reset
      } else {
        victim->reset();
      }
    }
    INFO("alice heard " << left << " leave notices");
    CHECK(pump(readers, 5s, [&] { return left == 20 * (round + 1); }));
    REQUIRE(server.alive());
  }
  const std::vector<Peer*> bystanders{alice.get(), flooder.get()};
  expect_healthy(server, bystanders, rss_before);
  server.stop_cleanly();
}
