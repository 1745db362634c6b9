// Lab 02, tasks 6 and 7: port ranges.  IANA's three classes, and Linux's
// ephemeral range read from files the tests write themselves.

#include <catch2/catch.hpp>
#include <climits>
#include <stdexcept>
#include <string>

#include "calls.hpp"
#include "generators.hpp"
#include "port_table.hpp"
#include "printing.hpp"
#include "socklab/testkit/process_facts.hpp"
#include "socklab/testkit/temp_dir.hpp"

using socklab::port_table::class_name;
using socklab::port_table::classify_port;
using socklab::port_table::default_ephemeral_range;
using socklab::port_table::ephemeral_range;
using socklab::port_table::is_ephemeral;
using socklab::port_table::parse_port_range;
using socklab::port_table::PortClass;
using socklab::port_table::PortRange;
using socklab::port_table::testing::calls;
using socklab::port_table::testing::range_inputs;
using socklab::testkit::TempDir;
using socklab::port_table::testing::TempFile;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using socklab::testkit::json;

TEST_CASE("classify_port puts each port in its IANA range", "[task_6][points:2]") {
  INFO("Step 1: 1024 is the first user (registered) port");
  REQUIRE(classify_port(1024) == PortClass::user);
  INFO("Step 2: system 0-1023, user 1024-49151, dynamic 49152-65535, at both ends of each");
  for (const int port : {0, 1, 22, 1023}) {
    INFO("port " << port);
    CHECK(classify_port(port) == PortClass::system);
  }
  for (const int port : {1024, 3306, 27017, 32768, 49151}) {
    INFO("port " << port);
    CHECK(classify_port(port) == PortClass::user);
  }
  for (const int port : {49152, 60999, 61000, 65535}) {
    INFO("port " << port);
    CHECK(classify_port(port) == PortClass::dynamic);
  }
}

TEST_CASE("classify_port rejects numbers outside 0 to 65535 with std::out_of_range",
          "[task_6][points:1]") {
  INFO("Step 1: 65535 is a port, the last dynamic one");
  REQUIRE(classify_port(65535) == PortClass::dynamic);
  for (const int number : {-1, 65536, 100000, INT_MIN, INT_MAX}) {
    INFO("Step 2: classify_port(" << number << ") must throw std::out_of_range");
    CHECK_THROWS_AS(classify_port(number), std::out_of_range);
  }
}

TEST_CASE("classify_port agrees with the reference from -1000 to 70000", "[task_6][points:1]") {
  json numbers = json::array({INT_MIN, INT_MAX});
  for (int number = -1000; number <= 70000; ++number) {
    numbers.push_back(number);
  }
  const auto difference = first_difference(calls(), "classify_port", numbers);
  INFO(describe("classify_port (0 system, 1 user, 2 dynamic)", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("class_name names each class", "[task_6][points:1]") {
  INFO("Step 1: class_name(PortClass::user) is \"user\"");
  REQUIRE(class_name(PortClass::user) == "user");
  CHECK(class_name(PortClass::system) == "system");
  CHECK(class_name(PortClass::dynamic) == "dynamic");
  INFO("Step 2: a value that is none of the three is \"unknown\"");
  CHECK(class_name(static_cast<PortClass>(3)) == "unknown");
  CHECK(class_name(static_cast<PortClass>(-1)) == "unknown");
}

TEST_CASE("parse_port_range reads the kernel's format and refuses anything else",
          "[task_7][points:2]") {
  INFO("Step 1: \"32768\\t60999\\n\", as the kernel writes it");
  REQUIRE(parse_port_range("32768\t60999\n") == PortRange{32768, 60999});
  INFO("Step 2: spaces or tabs between; leading and trailing spaces, tabs, CRs, LFs ignored");
  CHECK(parse_port_range("1024 65535") == PortRange{1024, 65535});
  CHECK(parse_port_range(" \r\n1 \t 1 \r\n") == PortRange{1, 1});
  CHECK(parse_port_range("000032768\t060999") == PortRange{32768, 60999});
  for (const char* bad : {"", "\n", "32768", "60999\t32768", "0\t60999", "1 65536", "1 2 3",
                          "+1 2", "32768\n60999", "32768,60999", "0x10 20", "32768 4294967296",
                          "32768\v60999"}) {
    INFO("Step 3: " << json(bad).dump() << " is not a range");
    CHECK(parse_port_range(bad) == std::nullopt);
  }
}

TEST_CASE("parse_port_range agrees with the reference on generated text", "[task_7][points:2]") {
  const auto difference = first_difference(calls(), "parse_port_range", range_inputs(701, 3000));
  INFO(describe("parse_port_range (input: the text's bytes as hex)", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("ephemeral_range reads a file, and falls back to 32768-60999 when it cannot",
          "[task_7][points:2]") {
  const int open_before = socklab::testkit::open_fd_count();
  {
    INFO("Step 1: a file holding \"40000\\t50000\\n\" gives 40000-50000");
    const TempFile file("40000\t50000\n");
    REQUIRE(ephemeral_range(file.path()) == PortRange{40000, 50000});
  }
  INFO("Step 2: a missing file, a directory, an empty file and garbage give the fallback, "
       "default_ephemeral_range, and no exception");
  const TempDir dir;
  CHECK(ephemeral_range((dir.path() / "missing").string()) == default_ephemeral_range);
  CHECK(ephemeral_range(dir.path().string()) == default_ephemeral_range);
  for (const char* garbage : {"", "60999 32768\n", "lots of garbage", "1 2 3\n"}) {
    INFO("a file holding " << json(garbage).dump());
    const TempFile file(garbage);
    CHECK(ephemeral_range(file.path()) == default_ephemeral_range);
  }
  INFO("Step 3: every file ephemeral_range opened is closed again");
  CHECK(socklab::testkit::open_fd_count() == open_before);
}

TEST_CASE("ephemeral_range agrees with the reference on generated files", "[task_7][points:1]") {
  json inputs = json::array({{{"missing", true}}, {{"missing", false}}});
  for (const json& text : range_inputs(702, 300)) {
    inputs.push_back({{"text", text}});
  }
  const auto difference = first_difference(calls(), "ephemeral_range", inputs);
  INFO(describe("ephemeral_range (input: the file's bytes as hex)", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("is_ephemeral checks a port against a range, both ends included", "[task_7][points:1]") {
  const PortRange range{32768, 60999};
  INFO("Step 1: 32768 is in 32768-60999");
  REQUIRE(is_ephemeral(32768, range));
  INFO("Step 2: 60999 is in; 32767 and 61000 are not");
  CHECK(is_ephemeral(60999, range));
  CHECK_FALSE(is_ephemeral(32767, range));
  CHECK_FALSE(is_ephemeral(61000, range));
  INFO("Step 3: numbers that are no port throw std::out_of_range");
  CHECK_THROWS_AS(is_ephemeral(-1, range), std::out_of_range);
  CHECK_THROWS_AS(is_ephemeral(65536, range), std::out_of_range);
}
