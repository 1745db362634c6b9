// `chat connect` with others: with Debian's nc (netcat-openbsd), with a raw
// client, full duplex, and how it ends.  Real processes on loopback; every
// wait is bounded and every process is killed at the end of its test.

#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness.hpp"

using namespace chat_test;
namespace fs = std::filesystem;

namespace {

// `chat connect` to \p port as \p name, receiving files into root/downloads,
// run from root/work (so a file written "here" would show).
std::vector<std::string> connect_arguments(std::uint16_t port, const std::string& name, const fs::path& root) {
  fs::create_directories(root / "work");
  return {CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(port), "--name", name,
          "--downloads", (root / "downloads").string()};
}

SpawnOptions in_work(const fs::path& root) {
  return {.pipe_stdin = true, .directory = root / "work", .environment = {}};
}

void require_exit_0(Process& process, const std::string& what) {
  const auto status = process.wait(10s);
  INFO(what << "'s output:\n" << process.output() << "\nits errors:\n" << process.errors());
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK_FALSE(has_sanitizer_report(process.errors()));
}

}  // namespace

TEST_CASE("nc and chat connect chat with each other through chat serve, and nc's CRLF lines are accepted",
          "[interop]") {
  ChatServer server;
  TempDir root;
  INFO("Step 1: alice joins with chat connect, carol with nc -N, whose lines end in \\r\\n");
  Process alice(connect_arguments(server.port(), "alice", root.path()), in_work(root.path()));
  REQUIRE(alice.line_containing("* you are now alice", 5s));
  Process nc({"nc", "-N", "127.0.0.1", std::to_string(server.port())});
  INFO("nc's output so far: " << nc.output());
  REQUIRE(nc.line_containing("* welcome ", 5s));
  nc.write("/nick carol\r\n");
  REQUIRE(nc.line(5s) == "* you are now carol");
  REQUIRE(alice.line_containing(" is now carol", 5s));

  INFO("Step 2: each sees the other's lines, exactly, without a \\r");
  nc.write("hello from nc\r\n");
  CHECK(alice.line_containing("hello from nc", 5s) == "<carol> hello from nc");
  alice.write("hello from alice\n");
  CHECK(nc.line_containing("hello from alice", 5s) == "<alice> hello from alice");
  nc.write("/msg alice psst\r\n");
  CHECK(alice.line_containing("psst", 5s) == "[carol] psst");
  CHECK(nc.line_containing("psst", 5s) == "[to alice] psst");
  alice.write("/msg carol back at you\n");
  CHECK(nc.line_containing("back at you", 5s) == "[alice] back at you");

  INFO("Step 3: nc's input ends; nc -N shuts its side down, the server says goodbye, both exit 0");
  nc.close_input();
  CHECK(alice.line_containing("carol left", 5s) == "* carol left (closed)");
  nc.rest(5s);
  require_exit_0(nc, "nc");
  CHECK(nc.output().find('\r') == std::string::npos);
  alice.close_input();
  require_exit_0(alice, "chat connect");
  CHECK(list_tree(root.path() / "work").empty());
  server.stop_cleanly();
}

TEST_CASE("a plain client (nc) offered a file gets a notice and never a % line, while a chat client gets the file",
          "[interop]") {
  ChatServer server;
  TempDir root;
  const fs::path file = root.path() / "photo.jpg";
  const std::string bytes = random_bytes(20000, 9);
  std::ofstream(file, std::ios::binary) << bytes;

  Process nc({"nc", "-N", "127.0.0.1", std::to_string(server.port())});
  REQUIRE(nc.line_containing("* welcome ", 5s));
  nc.write("/nick plain\n");
  REQUIRE(nc.line_containing("* you are now plain", 5s));
  TempDir bob_root;
  Process bob(connect_arguments(server.port(), "bob", bob_root.path()), in_work(bob_root.path()));
  REQUIRE(bob.line_containing("* you are now bob", 5s));
  Process alice(connect_arguments(server.port(), "alice", root.path()), in_work(root.path()));
  REQUIRE(alice.line_containing("* you are now alice", 5s));

  INFO("Step 1: alice sends a file to everyone");
  alice.write("/send " + file.string() + "\n");
  CHECK(alice.line_containing("* sending", 5s) == "* sending \"photo.jpg\" to 1 receiver(s)");
  CHECK(alice.line_containing("* sent", 5s) == "* sent \"photo.jpg\"");
  INFO("Step 2: bob, a chat client, keeps it; nc gets one notice");
  const auto saved = bob.line_containing("* saved", 5s);
  INFO("bob's output: " << bob.output());
  REQUIRE(saved.has_value());
  const fs::path stored = bob_root.path() / "downloads" / "photo.jpg";
  CHECK(*saved == "* saved \"photo.jpg\" from alice (20000 bytes) as " + stored.string());
  std::ifstream in(stored, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == bytes);
  CHECK(nc.line_containing("offers file", 5s) ==
        "* alice offers file \"photo.jpg\" (20000 bytes): a socklab chat client can receive it");
  alice.write("after the file\n");
  CHECK(nc.line_containing("after the file", 5s) == "<alice> after the file");
  INFO("nc's whole output:\n" << nc.output());
  CHECK(nc.output().find("\n%") == std::string::npos);
  CHECK(bob.output().find("\n%") == std::string::npos);  // chat connect shows no protocol lines either
  nc.close_input();
  alice.close_input();
  bob.close_input();
  require_exit_0(nc, "nc");
  require_exit_0(alice, "alice");
  require_exit_0(bob, "bob");
  server.stop_cleanly();
}

TEST_CASE("chat connect with an open, idle input prints what others say as it arrives", "[interop]") {
  ChatServer server;
  TempDir root;
  Process alice(connect_arguments(server.port(), "alice", root.path()), in_work(root.path()));
  REQUIRE(alice.line_containing("* you are now alice", 5s));
  const auto bob = join(server.port(), "bob");
  INFO("alice's input stays open and she types nothing: the article's client would wait in input() forever");
  for (int i = 1; i <= 5; ++i) {
    const std::string text = "message " + std::to_string(i) + " for alice";
    const auto sent = Clock::now();
    bob->send(text + "\n");
    CHECK(alice.line_containing(text, 3s) == "<bob> " + text);
    CHECK(Clock::now() - sent < 2s);
  }
  bob->send("/msg alice a secret\n");
  CHECK(alice.line_containing("a secret", 3s) == "[bob] a secret");
  bob->send("/quit\n");
  CHECK(alice.line_containing("bob left", 3s) == "* bob left (quit)");
  alice.close_input();
  require_exit_0(alice, "alice");
  server.stop_cleanly();
}

TEST_CASE("chat connect exits 0 at the end of its input, after its lines were delivered", "[interop]") {
  ChatServer server;
  TempDir root;
  const auto bob = join(server.port(), "bob");
  Process alice(connect_arguments(server.port(), "alice", root.path()), in_work(root.path()));
  INFO("The input is written and closed at once: the last line has no \\n");
  alice.write("one\ntwo\n//three starts with a slash\nfour, the last");
  alice.close_input();
  INFO(bob->recent());
  CHECK(bob->expect("<alice> one", 5s));
  CHECK(bob->expect("<alice> two", 5s));
  CHECK(bob->expect("<alice> /three starts with a slash", 5s));
  CHECK(bob->expect("<alice> four, the last", 5s));
  CHECK(bob->expect("* alice left (closed)", 5s));
  require_exit_0(alice, "alice");
  server.stop_cleanly();
}

TEST_CASE("chat connect exits 0 on /quit while its input is still open", "[interop]") {
  ChatServer server;
  TempDir root;
  const auto bob = join(server.port(), "bob");
  Process alice(connect_arguments(server.port(), "alice", root.path()), in_work(root.path()));
  REQUIRE(alice.line_containing("* you are now alice", 5s));
  alice.write("bye all\n/quit\nthis is never sent\n");
  INFO(bob->recent());
  CHECK(bob->expect("<alice> bye all", 5s));
  CHECK(bob->expect("* alice left (quit)", 5s));
  require_exit_0(alice, "alice");
  bob->send("/who\n");
  CHECK(bob->line_starting("* here", 5s) == "* here (1): bob");
  CHECK(std::none_of(bob->history().begin(), bob->history().end(),
                     [](const std::string& line) { return line.find("never sent") != std::string::npos; }));
  server.stop_cleanly();
}
