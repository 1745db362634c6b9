// `chat serve --console`: the server's operator takes part from the terminal
// like any client, as the article's Server.py has its operator type replies,
// and sends and receives files.

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness.hpp"

using namespace chat_test;
namespace fs = std::filesystem;

TEST_CASE("chat serve --console chats, sends and receives files, and stops on /quit", "[console][programs]") {
  TempDir root;
  fs::create_directories(root.path() / "console-downloads");
  fs::create_directories(root.path() / "ana-downloads");
  INFO("Step 1: chat serve --console, its standard input a pipe, named op");
  Process console({CHAT_PROGRAM, "serve", "--host", "127.0.0.1", "--port", "0", "--console", "--name", "op",
                   "--downloads", (root.path() / "console-downloads").string()});
  const auto first = console.line(5s);
  REQUIRE(first.has_value());
  REQUIRE(first->starts_with("listening on 127.0.0.1:"));
  const std::string port = first->substr(first->rfind(':') + 1);
  REQUIRE(console.line_containing("* you are op", 5s));

  INFO("Step 2: ana joins with chat connect");
  Process ana({CHAT_PROGRAM, "connect", "127.0.0.1", port, "--name", "ana", "--downloads",
               (root.path() / "ana-downloads").string()});
  REQUIRE(ana.line_containing("* you are now ana", 5s));
  REQUIRE(console.line_containing(" is now ana", 5s));

  INFO("Step 3: the console and ana chat both ways, and privately");
  console.write("hello from the console\n");
  CHECK(ana.line_containing("hello from the console", 5s) == "<op> hello from the console");
  ana.write("hi op\n");
  CHECK(console.line_containing("hi op", 5s) == "<ana> hi op");
  ana.write("/msg op just for you\n");
  CHECK(console.line_containing("just for you", 5s) == "[ana] just for you");
  console.write("/who\n");
  CHECK(console.line_containing("* here", 5s) == "* here (2): ana, op");

  INFO("Step 4: the console sends ana a file, and ana sends the console one");
  const std::string to_ana = random_bytes(200'000, 7);
  const std::string to_op = random_bytes(150'000, 8);
  write_file(root.path() / "for-ana.bin", to_ana);
  write_file(root.path() / "for-op.bin", to_op);
  console.write("/send ana " + (root.path() / "for-ana.bin").string() + "\n");
  REQUIRE(ana.line_containing("* saved \"for-ana.bin\"", 10s));
  CHECK(read_file(root.path() / "ana-downloads" / "for-ana.bin") == to_ana);
  ana.write("/send op " + (root.path() / "for-op.bin").string() + "\n");
  REQUIRE(console.line_containing("* saved \"for-op.bin\"", 10s));
  CHECK(read_file(root.path() / "console-downloads" / "for-op.bin") == to_op);
  CHECK(list_tree(root.path() / "console-downloads") == std::vector<std::string>{"for-op.bin"});

  INFO("Step 5: /quit on the console stops the server: exit 0, and ana is told and ends");
  console.write("/quit\n");
  const auto status = console.wait(10s);
  INFO("the console's errors: " << console.errors());
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK_FALSE(has_sanitizer_report(console.errors()));
  CHECK(ana.line_containing("* server shutting down", 5s));
  const auto ana_status = ana.wait(10s);
  REQUIRE(ana_status.has_value());
  CHECK(WIFEXITED(*ana_status));
  CHECK(WEXITSTATUS(*ana_status) == 0);
}
