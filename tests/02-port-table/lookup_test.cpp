// Lab 02, tasks 4 and 5: the look-ups, over tables the tests build by hand,
// so they do not depend on your parser.  Each test opens with the steps it
// takes (INFO).

#include <catch2/catch.hpp>
#include <climits>
#include <stdexcept>
#include <string>

#include "calls.hpp"
#include "generators.hpp"
#include "port_table.hpp"

using socklab::port_table::find_by_name;
using socklab::port_table::find_by_port;
using socklab::port_table::ServiceEntry;
using socklab::port_table::ServicesTable;
using socklab::port_table::testing::calls;
using socklab::port_table::testing::name_queries;
using socklab::port_table::testing::port_queries;
using socklab::testkit::describe;
using socklab::testkit::first_difference;

namespace {

// Which entry a look-up returned, for messages: "entry 2 (line 3)" or "nullptr".
std::string which(const ServicesTable& table, const ServiceEntry* found) {
  if (found == nullptr) {
    return "nullptr";
  }
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    if (&table.entries[i] == found) {
      return "entries[" + std::to_string(i) + "], '" + found->name + " " +
             std::to_string(found->port) + "/" + found->protocol + "'";
    }
  }
  return "a pointer that is not into table.entries";
}

}  // namespace

TEST_CASE("find_by_name finds a service by its official name or an alias", "[task_4][points:2]") {
  const ServicesTable table{{
      {"ssh", 22, "tcp", {}, 1},
      {"smtp", 25, "tcp", {"mail"}, 2},
      {"http", 80, "tcp", {"www", "www-http"}, 3},
  }, {}};
  INFO("The table: ssh 22/tcp; smtp 25/tcp mail; http 80/tcp www www-http");
  INFO("Step 1: find_by_name(table, \"ssh\", \"tcp\") gives you "
       << which(table, find_by_name(table, "ssh", "tcp")));
  REQUIRE(find_by_name(table, "ssh", "tcp") == &table.entries[0]);
  INFO("Step 2: aliases count as names: \"mail\" and \"www-http\"");
  CHECK(find_by_name(table, "mail", "tcp") == &table.entries[1]);
  CHECK(find_by_name(table, "www-http", "tcp") == &table.entries[2]);
  INFO("Step 3: whole names only, and the protocol must match: \"ww\", \"nothing\", ssh/udp");
  CHECK(find_by_name(table, "ww", "tcp") == nullptr);
  CHECK(find_by_name(table, "nothing", "tcp") == nullptr);
  CHECK(find_by_name(table, "ssh", "udp") == nullptr);
}

TEST_CASE("find_by_name returns the first match in file order", "[task_4][points:1]") {
  const ServicesTable table{{
      {"domain", 53, "tcp", {}, 1},
      {"domain", 53, "udp", {}, 2},
      {"nameserver", 42, "tcp", {"name"}, 3},
      {"name", 1234, "tcp", {}, 4},
      {"ssh", 22, "tcp", {}, 5},
      {"ssh", 2222, "tcp", {}, 6},
  }, {}};
  INFO("The table: domain 53/tcp; domain 53/udp; nameserver 42/tcp name; name 1234/tcp; "
       "ssh 22/tcp; ssh 2222/tcp");
  INFO("Step 1: domain/udp is the second entry, found as "
       << which(table, find_by_name(table, "domain", "udp")));
  REQUIRE(find_by_name(table, "domain", "udp") == &table.entries[1]);
  CHECK(find_by_name(table, "domain", "tcp") == &table.entries[0]);
  INFO("Step 2: an alias in an earlier entry beats an official name in a later one: \"name\" is "
       "entries[2], found as " << which(table, find_by_name(table, "name", "tcp")));
  CHECK(find_by_name(table, "name", "tcp") == &table.entries[2]);
  INFO("Step 3: of two ssh/tcp entries, the first");
  CHECK(find_by_name(table, "ssh", "tcp") == &table.entries[4]);
}

TEST_CASE("find_by_name with an empty protocol takes the first entry of any protocol",
          "[task_4][points:1]") {
  const ServicesTable table{{
      {"tftp", 69, "udp", {}, 1},
      {"ssh", 22, "tcp", {}, 2},
      {"ssh", 22, "udp", {}, 3},
  }, {}};
  INFO("The table: tftp 69/udp; ssh 22/tcp; ssh 22/udp");
  INFO("Step 1: find_by_name(table, \"tftp\") gives you " << which(table, find_by_name(table, "tftp")));
  REQUIRE(find_by_name(table, "tftp") == &table.entries[0]);
  INFO("Step 2: ssh with no protocol, or \"\", is the first ssh, the tcp one");
  CHECK(find_by_name(table, "ssh") == &table.entries[1]);
  CHECK(find_by_name(table, "ssh", "") == &table.entries[1]);
  INFO("Step 3: a protocol that is given must match: tftp/tcp is not there");
  CHECK(find_by_name(table, "tftp", "tcp") == nullptr);
}

TEST_CASE("find_by_name agrees with the reference over generated tables", "[task_4][points:2]") {
  INFO("Small tables whose names, aliases and ports collide; the answer is the entry's index");
  const auto difference = first_difference(calls(), "find_by_name", name_queries(401, 3000));
  INFO(describe("find_by_name", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("find_by_port returns the first entry with that port and protocol", "[task_5][points:2]") {
  const ServicesTable table{{
      {"domain", 53, "tcp", {}, 1},
      {"domain", 53, "udp", {}, 2},
      {"ftp-data", 20, "tcp", {}, 3},
      {"ftp", 21, "tcp", {}, 4},
      {"fsp", 21, "udp", {"fspd"}, 5},
      {"zero", 0, "tcp", {}, 6},
      {"top", 65535, "udp", {}, 7},
  }, {}};
  INFO("The table: domain 53/tcp; domain 53/udp; ftp-data 20/tcp; ftp 21/tcp; fsp 21/udp fspd; "
       "zero 0/tcp; top 65535/udp");
  INFO("Step 1: find_by_port(table, 53, \"udp\") gives you "
       << which(table, find_by_port(table, 53, "udp")));
  REQUIRE(find_by_port(table, 53, "udp") == &table.entries[1]);
  INFO("Step 2: 53/tcp, and 53 with any protocol: the first, the tcp one");
  CHECK(find_by_port(table, 53, "tcp") == &table.entries[0]);
  CHECK(find_by_port(table, 53) == &table.entries[0]);
  INFO("Step 3: 21/udp is fsp; 20/udp is not there; 22 is not there at all");
  CHECK(find_by_port(table, 21, "udp") == &table.entries[4]);
  CHECK(find_by_port(table, 20, "udp") == nullptr);
  CHECK(find_by_port(table, 22) == nullptr);
  INFO("Step 4: the ends of the range, 0 and 65535, are ports like any other");
  CHECK(find_by_port(table, 0, "tcp") == &table.entries[5]);
  CHECK(find_by_port(table, 65535, "") == &table.entries[6]);
}

TEST_CASE("find_by_port rejects port numbers outside 0 to 65535 with std::out_of_range",
          "[task_5][points:1]") {
  const ServicesTable table{{{"top", 65535, "udp", {}, 1}}, {}};
  INFO("Step 1: find_by_port(table, 65535, \"udp\") finds 'top 65535/udp'");
  REQUIRE(find_by_port(table, 65535, "udp") == &table.entries[0]);
  for (const int port : {-1, 65536, 70000, 65535 + 65536, INT_MIN, INT_MAX}) {
    INFO("Step 2: find_by_port(table, " << port << ") must throw std::out_of_range, as Python's "
                                                "getservbyport raises OverflowError");
    CHECK_THROWS_AS(find_by_port(table, port), std::out_of_range);
  }
}

TEST_CASE("find_by_port agrees with the reference over generated tables", "[task_5][points:2]") {
  INFO("Small tables whose ports collide, and ports out of range; the answer is the entry's index");
  const auto difference = first_difference(calls(), "find_by_port", port_queries(402, 3000));
  INFO(describe("find_by_port", difference));
  REQUIRE_FALSE(difference);
}
