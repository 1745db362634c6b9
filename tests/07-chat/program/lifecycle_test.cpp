// How `chat` starts and ends: shutting down on SIGINT and SIGTERM, --help,
// and options it must refuse.

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "socklab/testkit/loopback.hpp"

using namespace chat_test;

namespace {

// Two raw clients and a `chat connect` are in the room when the server gets
// \p signal: it must exit 0, and each client must get the notice, then the end.
void shut_down_with(int signal) {
  ChatServer server;
  const auto alice = join(server.port(), "alice");
  const auto bob = join(server.port(), "bob");
  TempDir root;
  Process carol({CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(server.port()), "--name", "carol",
                 "--downloads", (root.path() / "downloads").string()});
  REQUIRE(carol.line_containing("* you are now carol", 5s));
  REQUIRE(alice->expect("* guest-3 is now carol", 5s));
  server.stop_cleanly(signal);
  for (Peer* peer : {alice.get(), bob.get()}) {
    INFO(peer->recent());
    CHECK(peer->expect("* server shutting down", 5s));
    CHECK(peer->ends_within(5s));
  }
  CHECK(carol.line_containing("* server shutting down", 5s));
  const auto status = carol.wait(5s);
  INFO("chat connect's errors: " << carol.errors());
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(carol.errors().find("the server closed the connection") != std::string::npos);
}

struct Run {
  int status = -1;
  std::string output;
  std::string errors;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), CHAT_PROGRAM);
  Process program(args, {.pipe_stdin = false, .directory = {}, .environment = {}});
  Run result;
  result.output = program.rest(5s);
  const auto status = program.wait(5s);
  result.errors = program.errors();
  INFO("output: " << result.output << "\nerrors: " << result.errors);
  REQUIRE(status.has_value());
  REQUIRE(WIFEXITED(*status));  // not killed by a signal
  result.status = WEXITSTATUS(*status);
  CHECK_FALSE(has_sanitizer_report(result.errors));
  return result;
}

std::string joined(const std::vector<std::string>& args) {
  std::string text = "chat";
  for (const auto& arg : args) {
    text += " " + arg;
  }
  return text;
}

}  // namespace

TEST_CASE("chat serve ends cleanly on SIGTERM: every client gets the notice, then the end of the stream",
          "[lifecycle]") {
  shut_down_with(SIGTERM);
}

TEST_CASE("chat serve ends cleanly on SIGINT: every client gets the notice, then the end of the stream",
          "[lifecycle]") {
  shut_down_with(SIGINT);
}

TEST_CASE("--help of chat, chat serve and chat connect exits 0 and lists the options", "[lifecycle]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--help"}, "connect"},
      {{"serve", "--help"}, "--stall-timeout"},
      {{"connect", "--help"}, "--downloads"},
  };
  for (const auto& [args, needle] : cases) {
    INFO(joined(args));
    const Run result = run(args);
    CHECK(result.status == 0);
    CHECK(result.output.find(needle) != std::string::npos);
  }
}

TEST_CASE("bad options make chat exit non-zero with a message, without a crash", "[lifecycle]") {
  const std::vector<std::vector<std::string>> cases{
      {},
      {"chatter"},
      {"serve", "--bogus"},
      {"serve", "--port", "notaport"},
      {"serve", "--port", "70000"},
      {"serve", "--port", "-1"},
      {"serve", "--max-clients", "0"},
      {"serve", "--max-line", "10"},
      {"serve", "--max-queue", "100"},
      {"serve", "--max-memory", "1"},
      {"serve", "--max-line", "65536", "--max-queue", "65536"},
      {"serve", "--stall-timeout", "0"},
      {"serve", "--stall-timeout", "soon"},
      {"connect"},
      {"connect", "127.0.0.1"},
      {"connect", "127.0.0.1", "notaport"},
      {"connect", "127.0.0.1", "1", "extra"},
      {"connect", "127.0.0.1", "1", "--name"},
  };
  for (const auto& args : cases) {
    INFO(joined(args));
    const Run result = run(args);
    CHECK(result.status != 0);
    CHECK(!result.errors.empty());
  }
}

TEST_CASE("chat serve on a port in use and chat connect to a closed port exit 1 with a message", "[lifecycle]") {
  const auto taken = socklab::testkit::listen_on_loopback();
  const Run serve = run({"serve", "--host", "127.0.0.1", "--port", std::to_string(taken.port)});
  CHECK(serve.status == 1);
  CHECK(serve.errors.find("Address already in use") != std::string::npos);
  const auto refused = socklab::testkit::refused_loopback_port();
  const Run connect = run({"connect", "127.0.0.1", std::to_string(refused.port)});
  CHECK(connect.status == 1);
  CHECK(connect.errors.find("Connection refused") != std::string::npos);
}

TEST_CASE("chat connect is not killed by SIGPIPE when the server dies in the middle of a file", "[lifecycle]") {
  ChatServer server({"--max-queue", "65536"});
  TempDir root;
  const auto big = root.path() / "big.bin";
  std::ofstream(big, std::ios::binary) << std::string(32 << 20, 'b');
  INFO("Step 1: a receiver that never reads holds the file back, so alice's socket fills up");
  const auto slow = join(server.port(), "slow");
  slow->send("/caps files\n");
  Process alice({CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(server.port()), "--name", "alice",
                 "--downloads", (root.path() / "downloads").string()});
  REQUIRE(alice.line_containing("* you are now alice", 5s));
  alice.write("/send " + big.string() + "\n");
  REQUIRE(alice.line_containing("* sending \"big.bin\" to 1 receiver(s)", 5s));
  std::this_thread::sleep_for(300ms);
  INFO("Step 2: the server is killed; alice's next send meets a reset connection");
  server.kill();
  const auto status = alice.wait(10s);
  INFO("alice's output: " << alice.output() << "\nher errors: " << alice.errors());
  REQUIRE(status.has_value());
  CHECK_FALSE(WIFSIGNALED(*status));
  CHECK(WIFEXITED(*status));
  CHECK_FALSE(has_sanitizer_report(alice.errors()));
}

TEST_CASE("chat connect whose output has gone exits 1 with a message, not by SIGPIPE", "[lifecycle]") {
  ChatServer server;
  TempDir root;
  Process alice({CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(server.port()), "--name", "alice",
                 "--downloads", (root.path() / "downloads").string()});
  REQUIRE(alice.line_containing("* you are now alice", 5s));
  alice.close_output();
  const auto bob = join(server.port(), "bob");
  bob->send("anyone there?\n");
  const auto status = alice.wait(5s);
  INFO("alice's errors: " << alice.errors());
  REQUIRE(status.has_value());
  CHECK_FALSE(WIFSIGNALED(*status));
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 1);
  CHECK(alice.errors().find("write") != std::string::npos);
  CHECK_FALSE(has_sanitizer_report(alice.errors()));
  INFO(bob->recent());
  const bool seen = std::any_of(bob->history().begin(), bob->history().end(),
                                [](const std::string& line) { return line.starts_with("* alice left"); });
  CHECK((seen || bob->line_starting("* alice left", 5s).has_value()));
  server.stop_cleanly();
}
