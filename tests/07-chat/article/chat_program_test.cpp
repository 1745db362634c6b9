// Companions of the article tests: socklab's `chat` (the reference build, a
// child process on loopback) doing right what the article's chat gets wrong.
// Clients here are raw line-by-line sockets, as `nc 127.0.0.1 PORT` would be,
// except for the file transfer, which takes two `chat connect`s.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harness.hpp"
#include "socklab/testkit/temp_dir.hpp"

using namespace socklab::chat::article::testing;
using namespace std::chrono_literals;

namespace {

// Reads lines until the welcome, which every client gets first.
void joined(LineClient& client) { REQUIRE(client.line_starting("* welcome").has_value()); }

// The next chat line (starting with '<'), skipping notices.
std::optional<std::string> next_said(LineClient& client, std::chrono::milliseconds limit = 3s) {
  return client.line_starting("<", limit);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("socklab chat: clients are served at once, and a line reaches the others while they are not typing",
          "[companion]") {
  ChatServer server = start_chat_server();
  INFO("chat serve said: " << server.first_line);
  REQUIRE(server.port != 0);
  INFO("Step 1: three clients join; none has to wait for another to leave");
  LineClient a(server.port);
  joined(a);
  LineClient b(server.port);
  joined(b);
  LineClient c(server.port);
  joined(c);
  INFO("Step 2: the first says hello; the other two, which have sent nothing, get it at once");
  a.send("hello\n");
  CHECK(next_said(b) == "<guest-1> hello");
  CHECK(next_said(c) == "<guest-1> hello");
  INFO("Step 3: and it works the other way round, without the first having to send again");
  c.send("hi\n");
  CHECK(next_said(a) == "<guest-3> hi");
  CHECK(next_said(b) == "<guest-3> hi");
}

TEST_CASE("socklab chat: an empty line is ignored, and the conversation goes on", "[companion]") {
  ChatServer server = start_chat_server();
  REQUIRE(server.port != 0);
  LineClient a(server.port);
  joined(a);
  LineClient b(server.port);
  joined(b);
  INFO("Step 1: an empty line and a line of spaces are sent, then a real line");
  a.send("\n   \n");
  a.send("after\n");
  INFO("Step 2: the next line the other client gets is the real one; nobody waits");
  CHECK(next_said(b) == "<guest-1> after");
  b.send("\n");
  b.send("still here\n");
  CHECK(next_said(a) == "<guest-2> still here");
}

TEST_CASE("socklab chat: a line is a message, however recv cuts it or joins it", "[companion]") {
  ChatServer server = start_chat_server();
  REQUIRE(server.port != 0);
  LineClient a(server.port);
  joined(a);
  LineClient b(server.port);
  joined(b);
  INFO("Step 1: a 3000-byte line whose character 中 straddles byte 1024, sent in two pieces cut inside 中");
  const std::string line = std::string(1023, 'a') + "中" + std::string(1974, 'b');
  a.send(line.substr(0, 1024));
  std::this_thread::sleep_for(50ms);
  a.send(line.substr(1024) + "\n");
  CHECK(next_said(b) == "<guest-1> " + line);
  INFO("Step 2: two lines in one send arrive as two messages");
  a.send("one\ntwo\n");
  CHECK(next_said(b) == "<guest-1> one");
  CHECK(next_said(b) == "<guest-1> two");
}

TEST_CASE("socklab chat: invalid UTF-8 does not kill the server: it relays U+FFFD instead", "[companion]") {
  ChatServer server = start_chat_server();
  REQUIRE(server.port != 0);
  LineClient a(server.port);
  joined(a);
  LineClient b(server.port);
  joined(b);
  INFO("Step 1: the first bytes of a PNG file, as a line");
  a.send(std::string("\x89PNG\x1a\n", 6));
  CHECK(next_said(b) == "<guest-1> \xef\xbf\xbdPNG\xef\xbf\xbd");
  INFO("Step 2: the server is still there");
  a.send("still here\n");
  CHECK(next_said(b) == "<guest-1> still here");
}

TEST_CASE("socklab chat: the server notices when a client leaves, and tells the others", "[companion]") {
  ChatServer server = start_chat_server();
  REQUIRE(server.port != 0);
  LineClient a(server.port);
  joined(a);
  LineClient b(server.port);
  joined(b);
  INFO("Step 1: the first client reads what it was sent, then closes its connection without a word");
  REQUIRE(a.line_starting("* guest-2 joined").has_value());  // (unread bytes would make close send a reset)
  a.close();
  INFO("Step 2: the server reads the end of the stream once, and says so");
  CHECK(b.line_starting("* guest-1 left") == "* guest-1 left (closed)");
}

TEST_CASE("socklab chat: chat serve restarts at once on its port while its last connection is in TIME_WAIT",
          "[companion]") {
  std::uint16_t port = 0;
  {
    ChatServer server = start_chat_server();
    REQUIRE(server.port != 0);
    port = server.port;
    LineClient a(server.port);
    joined(a);
    INFO("Step 1: the server stops (SIGTERM) and closes the connection first; then the client closes");
    server.program->signal(SIGTERM);
    CHECK(a.line_starting("* server shutting down").has_value());
    REQUIRE(server.program->wait(5s).has_value());
    a.close();
  }
  REQUIRE(time_wait_count(port) >= 1);
  INFO("Step 2: chat serve --port " << port << " listens again at once: it sets SO_REUSEADDR");
  ChatServer again = start_chat_server(port);
  INFO("chat serve said: " << again.first_line);
  CHECK(again.port == port);
  LineClient b(port);
  joined(b);
}

TEST_CASE("socklab chat: chat connect sends a file, and another chat connect receives it byte for byte",
          "[companion]") {
  ChatServer server = start_chat_server();
  REQUIRE(server.port != 0);
  const socklab::testkit::TempDir folder;
  const auto outbox = folder.path() / "outbox";
  const auto downloads = folder.path() / "downloads";
  std::filesystem::create_directories(outbox);
  std::filesystem::create_directories(downloads);
  INFO("Step 1: a binary file of 100000 bytes, every byte value");
  std::string bytes;
  for (int i = 0; i < 100000; ++i) {
    bytes += static_cast<char>((i * 7 + i / 256) & 0xFF);
  }
  const auto sent = outbox / "picture.bin";
  std::ofstream(sent, std::ios::binary) << bytes;
  INFO("Step 2: bob joins, then alice, who types /send");
  Program bob({CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(server.port), "--name", "bob", "--downloads",
               downloads.string()});
  REQUIRE(bob.line(5s).value_or("").starts_with("* welcome"));
  Program alice({CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(server.port), "--name", "alice",
                 "--downloads", (folder.path() / "alice").string()});
  REQUIRE(alice.line(5s).value_or("").starts_with("* welcome"));
  alice.write("/send " + sent.string() + "\n");
  INFO("Step 3: bob's downloads folder gets picture.bin, the same bytes");
  const auto received = downloads / "picture.bin";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::error_code error;
  while (std::filesystem::file_size(received, error) != bytes.size() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(std::filesystem::exists(received));
  CHECK(read_file(received) == bytes);
}
