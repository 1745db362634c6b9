// Files through the real programs: a hand-written sender speaks the protocol's
// `/file`, `/data`, `/done` lines (so it can lie), `chat serve` relays them,
// and `chat connect --downloads DIR` receives them.  The receiver runs in an
// empty working folder next to its downloads folder: the test lists both, so
// a file written anywhere but the downloads folder shows.

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace chat_test;
namespace fs = std::filesystem;

namespace {

// `chat connect --name rx` receiving into root/downloads, run from root/work.
class Receiver {
 public:
  explicit Receiver(std::uint16_t port, const std::vector<std::string>& downloads_before = {})
      : downloads(root.path() / "downloads"), process_(start(port, downloads_before)) {
    INFO("the receiver's output: " << process_.output());
    REQUIRE(process_.line_containing("* you are now rx", 5s));
  }

  // The receiver's next line about a file: "* saved ..." or "! ...".
  std::string outcome() {
    const auto deadline = Clock::now() + 5s;
    while (auto line = process_.line(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()))) {
      if (line->starts_with("* saved") || line->starts_with("!")) {
        return *line;
      }
    }
    INFO("the receiver's output: " << process_.output() << "\nits errors: " << process_.errors());
    FAIL("the receiver said nothing about the file within 5 s");
    return {};
  }

  // Everything under the temporary folder, as sorted relative paths.
  [[nodiscard]] std::vector<std::string> everything() const { return list_tree(root.path()); }
  // What everything() should be when the downloads folder holds \p files.
  [[nodiscard]] static std::vector<std::string> only(std::vector<std::string> files,
                                                     std::vector<std::string> others = {}) {
    std::vector<std::string> expected{"downloads", "work"};
    for (const auto& file : files) {
      expected.push_back("downloads/" + file);
    }
    expected.insert(expected.end(), others.begin(), others.end());
    std::sort(expected.begin(), expected.end());
    return expected;
  }

  void finish() {
    process_.close_input();
    const auto status = process_.wait(5s);
    INFO("the receiver's errors: " << process_.errors());
    REQUIRE(status.has_value());
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK_FALSE(has_sanitizer_report(process_.errors()));
  }

  [[nodiscard]] const std::string& output() const { return process_.output(); }

  TempDir root;
  fs::path downloads;

 private:
  Process start(std::uint16_t port, const std::vector<std::string>& downloads_before) {
    fs::create_directories(root.path() / "work");
    fs::create_directories(downloads);
    for (const auto& name : downloads_before) {
      std::ofstream(downloads / name) << "mine";
    }
    return Process({CHAT_PROGRAM, "connect", "127.0.0.1", std::to_string(port), "--name", "rx", "--downloads",
                    downloads.string()},
                   {.pipe_stdin = true, .directory = root.path() / "work", .environment = {}});
  }

  Process process_;
};

// The /data lines for \p bytes of transfer \p id, 3000 bytes each.
std::string data_lines(int id, const std::string& bytes) {
  std::string lines;
  for (std::size_t i = 0; i < bytes.size(); i += 3000) {
    lines += "/data " + std::to_string(id) + " " + base64(bytes.substr(i, 3000)) + "\n";
  }
  return lines;
}

// Sends \p bytes as transfer \p id named \p name, truthfully.
void send_file(Peer& sender, int id, const std::string& name, const std::string& bytes) {
  sender.send("/file * " + std::to_string(id) + " " + std::to_string(bytes.size()) + " " + sha256_hex(bytes) + " " +
              name + "\n" + data_lines(id, bytes) + "/done " + std::to_string(id) + "\n");
}

}  // namespace

TEST_CASE("file names that try to leave the downloads folder are saved inside it, through the real programs",
          "[files][programs]") {
  ChatServer server;
  Receiver rx(server.port());
  const auto tx = join(server.port(), "tx");
  fs::create_directory(rx.root.path() / "outside");
  const fs::path absolute = rx.root.path() / "outside" / "evil";
  const std::string unique = rx.root.path().filename().string() + "-z";  // for ../../tmp/NAME
  const std::vector<std::pair<std::string, std::string>> names{
      {"../x", "x"},
      {absolute.string(), "evil"},
      {"sub/dir/y", "y"},
      {"a\\b", "b"},
      {".hidden", "hidden"},
      {"..", "file"},
      {"\x1B[2Jclear", "_[2Jclear"},
      {"../../../../../../../../" + fs::temp_directory_path().relative_path().string() + "/" + unique, unique},
  };
  int id = 0;
  for (const auto& [announced, stored] : names) {
    const std::string bytes = random_bytes(7000, static_cast<unsigned>(++id));
    send_file(*tx, id, announced, bytes);
    const std::string outcome = rx.outcome();
    INFO("announced " << announced << ": " << outcome);
    CHECK(outcome.starts_with("* saved"));
    CHECK(outcome.ends_with(" as " + (rx.downloads / stored).string()));
    CHECK(read_file(rx.downloads / stored) == bytes);
  }
  INFO("Names the server refuses: empty, and only spaces");
  tx->send("/file * 20 3 " + sha256_hex("abc") + "\n");
  CHECK(tx->line_starting("!", 5s).value_or("").starts_with("! usage: /file"));
  tx->send("/file * 21 3 " + sha256_hex("abc") + "    \n");
  CHECK(tx->line_starting("!", 5s).value_or("").starts_with("! usage: /file"));

  std::vector<std::string> stored_names;
  for (const auto& [announced, stored] : names) {
    stored_names.push_back(stored);
  }
  CHECK(rx.everything() == Receiver::only(stored_names, {"outside"}));
  CHECK_FALSE(fs::exists(fs::temp_directory_path() / unique));
  INFO("the receiver's output:\n" << rx.output());
  CHECK(rx.output().find('\x1B') == std::string::npos);  // a name never reaches the terminal raw
  rx.finish();
  server.stop_cleanly();
}

TEST_CASE("a file whose size or checksum is a lie is never kept, through the real programs", "[files][programs]") {
  ChatServer server;
  Receiver rx(server.port(), {"keep.txt"});
  const auto tx = join(server.port(), "tx");
  const std::string bytes = random_bytes(9000, 42);
  const auto nothing_new = [&] { return Receiver::only({"keep.txt"}); };

  INFO("Step 1: short: 5000 bytes announced, 3000 sent, then /done");
  tx->send("/file * 1 5000 " + sha256_hex(bytes.substr(0, 5000)) + " short.bin\n" +
           data_lines(1, bytes.substr(0, 3000)) + "/done 1\n");
  CHECK(tx->line_starting("!", 5s) == "! transfer 1 stopped: 3000 bytes sent, 5000 announced");
  CHECK(rx.outcome().starts_with("! \"short.bin\" from tx"));
  CHECK(rx.everything() == nothing_new());

  INFO("Step 2: long: 3000 bytes announced, 6000 sent");
  tx->send("/file * 2 3000 " + sha256_hex(bytes.substr(0, 3000)) + " long.bin\n" +
           data_lines(2, bytes.substr(0, 6000)) + "/done 2\n");
  CHECK(tx->line_starting("!", 5s) == "! transfer 2 stopped: more data than its announced size");
  CHECK(tx->line_starting("!", 5s) == "! no transfer 2 is under way");
  CHECK(rx.outcome().starts_with("! \"long.bin\" from tx"));
  CHECK(rx.everything() == nothing_new());

  INFO("Step 3: corrupt: the right size, the wrong SHA-256");
  std::string corrupt = bytes;
  corrupt[4321] = static_cast<char>(corrupt[4321] ^ 0x40);
  tx->send("/file * 3 9000 " + sha256_hex(bytes) + " corrupt.bin\n" + data_lines(3, corrupt) + "/done 3\n");
  CHECK(rx.outcome() == "! \"corrupt.bin\" from tx was thrown away: its SHA-256 does not match");
  CHECK(rx.everything() == nothing_new());

  INFO("Step 4: base64 the server passes on (its shape is right) but the receiver cannot decode");
  tx->send("/file * 4 1 " + sha256_hex("x") + " bad64.bin\n/data 4 A===\n/done 4\n");
  CHECK(rx.outcome() == "! \"bad64.bin\" from tx was thrown away: its data is not valid base64");
  CHECK(rx.everything() == nothing_new());

  INFO("Step 5: data that is not base64 at all: the server stops it");
  tx->send("/file * 5 3 " + sha256_hex("abc") + " notb64.bin\n/data 5 n*t-base64!\n");
  CHECK(tx->line_starting("!", 5s).value_or("").starts_with("! transfer 5 stopped: its data is not base64"));
  CHECK(rx.outcome().starts_with("! \"notb64.bin\" from tx"));
  CHECK(rx.everything() == nothing_new());

  INFO("Step 6: a sender that vanishes in the middle (a reset)");
  {
    const auto vanishing = join(server.port(), "tx2");
    vanishing->send("/file * 1 9000 " + sha256_hex(bytes) + " vanish.bin\n" + data_lines(1, bytes.substr(0, 3000)));
    CHECK(vanishing->line_starting("* sending", 5s).has_value());
    vanishing->reset();
  }
  CHECK(rx.outcome() == "! \"vanish.bin\" from tx2 was stopped before its end (the sender left, or sent a bad part)");
  CHECK(rx.everything() == nothing_new());

  INFO("Step 7: honest files are kept; a name that is taken gets (1); the existing file is untouched");
  send_file(*tx, 6, "keep.txt", "theirs");
  CHECK(rx.outcome().ends_with(" as " + (rx.downloads / "keep (1).txt").string()));
  send_file(*tx, 7, "good.bin", bytes);
  CHECK(rx.outcome().ends_with(" as " + (rx.downloads / "good.bin").string()));
  send_file(*tx, 8, "good.bin", bytes.substr(1));
  CHECK(rx.outcome().ends_with(" as " + (rx.downloads / "good (1).bin").string()));
  CHECK(read_file(rx.downloads / "keep.txt") == "mine");
  CHECK(read_file(rx.downloads / "keep (1).txt") == "theirs");
  CHECK(read_file(rx.downloads / "good.bin") == bytes);
  CHECK(read_file(rx.downloads / "good (1).bin") == bytes.substr(1));
  CHECK(rx.everything() == Receiver::only({"keep.txt", "keep (1).txt", "good.bin", "good (1).bin"}));
  rx.finish();
  server.stop_cleanly();
}
