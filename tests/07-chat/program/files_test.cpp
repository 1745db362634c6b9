// Unit tests of receiving files (programs/07-chat/files.hpp): safe names, and
// a downloads folder fed by senders that lie.  Each test has a fresh folder,
// and checks that nothing but the expected files is in it afterwards, hidden
// or partial files included, and that nothing appeared next to it.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "files.hpp"
#include "harness.hpp"
#include "protocol.hpp"

using namespace socklab::chat;
using namespace std::string_literals;
namespace fs = std::filesystem;
using chat_test::list_tree;
using chat_test::read_file;

namespace {

// A fresh temporary folder with the downloads folder inside it; the test
// checks the temporary folder as a whole, so a file written next to the
// downloads folder (../x) is seen.
struct Folder {
  chat_test::TempDir root;
  fs::path downloads = root.path() / "downloads";
  Downloads receiver{downloads};

  // Everything under the root: the downloads folder and what is in it.
  [[nodiscard]] std::vector<std::string> everything() const { return list_tree(root.path()); }
  [[nodiscard]] std::vector<std::string> only(const std::vector<std::string>& files) const {
    std::vector<std::string> expected{"downloads"};
    for (const auto& file : files) {
      expected.push_back("downloads/" + file);
    }
    std::sort(expected.begin(), expected.end());
    return expected;
  }
};

FileHeader header_for(const std::string& bytes, const std::string& name, std::uint64_t id = 1) {
  return {.peer = "alice", .id = id, .size = bytes.size(), .sha256 = chat_test::sha256_hex(bytes), .name = name};
}

// start, data in parts of 3000 bytes, done: the last event.
Downloads::Event send_whole(Downloads& receiver, const FileHeader& header, const std::string& bytes) {
  REQUIRE(receiver.start(header).ok);
  for (std::size_t i = 0; i < bytes.size(); i += data_chunk_bytes) {
    const auto event = receiver.data(header.id, chat_test::base64(bytes.substr(i, data_chunk_bytes)));
    REQUIRE(event.ok);
  }
  return receiver.done(header.id);
}

void require_safe_name(const std::string& announced, const std::string& name) {
  INFO("announced: '" << announced << "', safe: '" << name << "'");
  REQUIRE(!name.empty());
  REQUIRE(name.size() <= 100);
  REQUIRE(name != ".");
  REQUIRE(name != "..");
  REQUIRE(name.front() != '.');
  REQUIRE(name.front() != ' ');
  REQUIRE(name.back() != ' ');
  REQUIRE(name.find_first_of("/\\"s + '\0') == std::string::npos);
  const auto points = chat_test::decode_utf8(name);
  REQUIRE(points.has_value());
  for (const char32_t point : *points) {
    REQUIRE((point >= 0x20 && point != 0x7F));
  }
}

}  // namespace

TEST_CASE("safe_file_name keeps only the last part of a path", "[files]") {
  CHECK(safe_file_name("../x") == "x");
  CHECK(safe_file_name("../../../../etc/passwd") == "passwd");
  CHECK(safe_file_name("/etc/passwd") == "passwd");
  CHECK(safe_file_name("a\\b") == "b");
  CHECK(safe_file_name("..\\..\\windows\\system.ini") == "system.ini");
  CHECK(safe_file_name("dir/sub/") == "file");
  CHECK(safe_file_name("notes.txt") == "notes.txt");
  CHECK(safe_file_name("my notes (final).tar.gz") == "my notes (final).tar.gz");
}

TEST_CASE("safe_file_name never gives an empty, dot, dot-dot or hidden name", "[files]") {
  CHECK(safe_file_name("") == "file");
  CHECK(safe_file_name(".") == "file");
  CHECK(safe_file_name("..") == "file");
  CHECK(safe_file_name("...") == "file");
  CHECK(safe_file_name("   ") == "file");
  CHECK(safe_file_name(".hidden") == "hidden");
  CHECK(safe_file_name("..hidden") == "hidden");
  CHECK(safe_file_name(" . .bashrc") == "bashrc");
  CHECK(safe_file_name("x/.ssh") == "ssh");
  CHECK(safe_file_name("name   ") == "name");
}

TEST_CASE("safe_file_name replaces control characters, NUL and invalid UTF-8", "[files]") {
  CHECK(safe_file_name("a\nb") == "a_b");
  CHECK(safe_file_name("a\x01" "b") == "a_b");
  CHECK(safe_file_name("a\0b"s) == "a_b");
  CHECK(safe_file_name("\x1B[31mred") == "_[31mred");
  CHECK(safe_file_name("\xFFname") == "_name");
  CHECK(safe_file_name("tab\there") == "tab_here");
  CHECK(safe_file_name("caf\xC3\xA9.txt") == "caf\xC3\xA9.txt");
}

TEST_CASE("safe_file_name cuts long names to 100 bytes at a character boundary", "[files]") {
  std::string ascii(300, 'a');
  CHECK(safe_file_name(ascii) == std::string(100, 'a'));
  std::string chinese;  // 3 bytes a character: 100 bytes would cut one in two
  for (int i = 0; i < 100; ++i) {
    chinese += "\xE4\xB8\xAD";
  }
  const std::string cut = safe_file_name(chinese);
  CHECK(cut.size() == 99);
  CHECK(chinese.starts_with(cut));
  require_safe_name(chinese, cut);
  std::string emoji = "ab";  // 4-byte characters from byte 2: the 100th byte is inside one
  for (int i = 0; i < 75; ++i) {
    emoji += "\xF0\x9F\x98\x80";
  }
  const std::string cut_emoji = safe_file_name(emoji);
  CHECK(cut_emoji.size() == 98);
  require_safe_name(emoji, cut_emoji);
  // A space just before the cut does not end the name (found by fuzz/file_name_fuzz).
  CHECK(safe_file_name(std::string(99, 'a') + " b.txt") == std::string(99, 'a'));
}

TEST_CASE("safe_file_name gives a safe name for any announced name", "[files]") {
  const std::vector<std::string> pieces{"a", "Z", ".", "..", "/", "\\", " ", "\t", "\n", "\0"s, "\x7F", "\xFF",
                                        "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xE4\xB8", "\xC0\xAF", "-",
                                        "(1)", "\xED\xA0\x80", "\xEF\xBF\xBD"};
  std::mt19937 generator(11);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> count(0, 80);
  for (int round = 0; round < 5000; ++round) {
    std::string announced;
    for (int i = count(generator); i > 0; --i) {
      announced += pieces[pick(generator)];
    }
    require_safe_name(announced, safe_file_name(announced));
  }
}

TEST_CASE("Downloads saves a good file under its name, and nothing else", "[files]") {
  Folder folder;
  const std::string bytes = chat_test::random_bytes(10000, 1);
  const auto header = header_for(bytes, "notes.txt");
  REQUIRE(folder.receiver.start(header).ok);
  REQUIRE(folder.receiver.data(1, chat_test::base64(bytes.substr(0, 3000))).ok);
  INFO("Step 1: while it arrives, no file with a name is in the folder");
  CHECK(folder.everything() == folder.only({}));
  REQUIRE(folder.receiver.data(1, chat_test::base64(bytes.substr(3000))).ok);
  const auto saved = folder.receiver.done(1);
  INFO("Step 2: done: " << saved.message);
  CHECK(saved.ok);
  CHECK(saved.message.find("saved") != std::string::npos);
  CHECK(folder.everything() == folder.only({"notes.txt"}));
  CHECK(read_file(folder.downloads / "notes.txt") == bytes);
}

TEST_CASE("Downloads saves an empty file", "[files]") {
  Folder folder;
  CHECK(send_whole(folder.receiver, header_for("", "empty"), "").ok);
  CHECK(folder.everything() == folder.only({"empty"}));
  CHECK(fs::file_size(folder.downloads / "empty") == 0);
}

TEST_CASE("Downloads adds (1), (2) to a name that is taken, and never replaces a file", "[files]") {
  Folder folder;
  {
    std::ofstream mine(folder.downloads / "report.pdf");
    mine << "mine";
  }
  fs::create_directory(folder.root.path() / "outside");
  fs::create_symlink(folder.root.path() / "outside" / "target", folder.downloads / "link");
  const std::string first = "first", second = "second", third = "third";
  CHECK(send_whole(folder.receiver, header_for(first, "report.pdf", 1), first).ok);
  CHECK(send_whole(folder.receiver, header_for(second, "report.pdf", 2), second).ok);
  CHECK(send_whole(folder.receiver, header_for(third, "../report.pdf", 3), third).ok);
  INFO("A symbolic link in the folder is a name that is taken, not a way out");
  CHECK(send_whole(folder.receiver, header_for(first, "link", 4), first).ok);
  CHECK(send_whole(folder.receiver, header_for(second, "noext", 5), second).ok);
  CHECK(send_whole(folder.receiver, header_for(third, "noext", 6), third).ok);
  CHECK(read_file(folder.downloads / "report.pdf") == "mine");
  CHECK(read_file(folder.downloads / "report (1).pdf") == first);
  CHECK(read_file(folder.downloads / "report (2).pdf") == second);
  CHECK(read_file(folder.downloads / "report (3).pdf") == third);
  CHECK(read_file(folder.downloads / "link (1)") == first);
  CHECK(read_file(folder.downloads / "noext (1)") == third);
  CHECK_FALSE(fs::exists(folder.root.path() / "outside" / "target"));
  CHECK(folder.everything() == std::vector<std::string>{"downloads", "downloads/link", "downloads/link (1)",
                                                        "downloads/noext", "downloads/noext (1)",
                                                        "downloads/report (1).pdf", "downloads/report (2).pdf",
                                                        "downloads/report (3).pdf", "downloads/report.pdf",
                                                        "outside"});
}

TEST_CASE("Downloads keeps names that try to leave the folder inside it", "[files]") {
  Folder folder;
  const std::vector<std::pair<std::string, std::string>> names{
      {"../x", "x"},   {"/etc/passwd", "passwd"}, {"a\\b", "b"},      {"..", "file"},
      {".", "file (1)"}, {".hidden", "hidden"},   {"sub/dir/y", "y"}, {"\x1B[2Jz", "_[2Jz"},
  };
  std::uint64_t id = 1;
  for (const auto& [announced, stored] : names) {
    const std::string bytes = "from " + announced;
    const auto event = send_whole(folder.receiver, header_for(bytes, announced, id++), bytes);
    INFO(announced << ": " << event.message);
    CHECK(event.ok);
    CHECK(read_file(folder.downloads / stored) == bytes);
  }
  CHECK(folder.everything() == folder.only({"x", "passwd", "b", "file", "file (1)", "hidden", "y", "_[2Jz"}));
}

TEST_CASE("Downloads throws away a file shorter than announced", "[files]") {
  Folder folder;
  const std::string bytes = chat_test::random_bytes(5000, 2);
  auto header = header_for(bytes, "short.bin");
  header.size = 6000;
  REQUIRE(folder.receiver.start(header).ok);
  REQUIRE(folder.receiver.data(1, chat_test::base64(bytes)).ok);
  const auto event = folder.receiver.done(1);
  INFO(event.message);
  CHECK_FALSE(event.ok);
  CHECK(event.message.starts_with("! "));
  CHECK(folder.everything() == folder.only({}));
}

TEST_CASE("Downloads refuses a file longer than announced as soon as the extra bytes arrive", "[files]") {
  Folder folder;
  const std::string bytes = chat_test::random_bytes(5000, 3);
  auto header = header_for(bytes.substr(0, 4000), "long.bin");
  REQUIRE(folder.receiver.start(header).ok);
  REQUIRE(folder.receiver.data(1, chat_test::base64(bytes.substr(0, 3000))).ok);
  const auto refused = folder.receiver.data(1, chat_test::base64(bytes.substr(3000, 2000)));
  INFO(refused.message);
  CHECK_FALSE(refused.ok);
  CHECK(refused.message.starts_with("! "));
  CHECK(folder.everything() == folder.only({}));
  INFO("What comes after is ignored: the transfer is over");
  CHECK(folder.receiver.data(1, chat_test::base64("more")).message.empty());
  CHECK(folder.receiver.done(1).message.empty());
  CHECK(folder.everything() == folder.only({}));
}

TEST_CASE("Downloads throws away a file whose SHA-256 does not match", "[files]") {
  Folder folder;
  std::string bytes = chat_test::random_bytes(4000, 4);
  const auto header = header_for(bytes, "corrupt.bin");
  bytes[1234] = static_cast<char>(bytes[1234] ^ 1);
  const auto event = send_whole(folder.receiver, header, bytes);
  INFO(event.message);
  CHECK_FALSE(event.ok);
  CHECK(event.message.find("SHA-256") != std::string::npos);
  CHECK(folder.everything() == folder.only({}));
}

TEST_CASE("Downloads throws away a file whose data is not valid base64", "[files]") {
  for (const std::string bad : {"AB-C", "A===", "AB=C", "ABC", "====", "AB\xC3\xA9"}) {
    Folder folder;
    REQUIRE(folder.receiver.start(header_for("abc", "bad.txt")).ok);
    const auto event = folder.receiver.data(1, bad);
    INFO("'" << bad << "': " << event.message);
    CHECK_FALSE(event.ok);
    CHECK(folder.receiver.done(1).message.empty());
    CHECK(folder.everything() == folder.only({}));
  }
}

TEST_CASE("Downloads forgets an aborted file and leaves nothing behind", "[files]") {
  Folder folder;
  const std::string bytes = chat_test::random_bytes(9000, 5);
  REQUIRE(folder.receiver.start(header_for(bytes, "aborted.bin")).ok);
  REQUIRE(folder.receiver.data(1, chat_test::base64(bytes.substr(0, 3000))).ok);
  const auto event = folder.receiver.abort(1);
  CHECK_FALSE(event.ok);
  CHECK(event.message.starts_with("! "));
  CHECK(folder.everything() == folder.only({}));
  CHECK(folder.receiver.done(1).message.empty());
  CHECK(folder.everything() == folder.only({}));
}

TEST_CASE("Downloads leaves nothing behind for transfers under way when it goes", "[files]") {
  chat_test::TempDir root;
  {
    Downloads receiver(root.path() / "downloads");
    for (std::uint64_t id = 1; id <= 3; ++id) {
      REQUIRE(receiver.start(header_for("0123456789", "partial", id)).ok);
      REQUIRE(receiver.data(id, chat_test::base64("01234")).ok);
    }
  }
  CHECK(list_tree(root.path()) == std::vector<std::string>{"downloads"});
}

TEST_CASE("Downloads restarts a transfer whose ID is announced again", "[files]") {
  Folder folder;
  const std::string old_bytes = "old bytes", new_bytes = "new";
  REQUIRE(folder.receiver.start(header_for(old_bytes, "old.txt")).ok);
  REQUIRE(folder.receiver.data(1, chat_test::base64("old")).ok);
  CHECK(send_whole(folder.receiver, header_for(new_bytes, "new.txt"), new_bytes).ok);
  CHECK(folder.everything() == folder.only({"new.txt"}));
  CHECK(read_file(folder.downloads / "new.txt") == "new");
}

TEST_CASE("Downloads ignores data and done for a transfer it never started", "[files]") {
  Folder folder;
  CHECK(folder.receiver.data(42, chat_test::base64("x")).message.empty());
  CHECK(folder.receiver.done(42).message.empty());
  CHECK(folder.receiver.abort(42).message.empty());
  CHECK(folder.everything() == folder.only({}));
}

TEST_CASE("Downloads makes its folder, nested, when it is missing", "[files]") {
  chat_test::TempDir root;
  Downloads receiver(root.path() / "a" / "b" / "downloads");
  CHECK(fs::is_directory(root.path() / "a" / "b" / "downloads"));
  CHECK(receiver.folder() == root.path() / "a" / "b" / "downloads");
}
