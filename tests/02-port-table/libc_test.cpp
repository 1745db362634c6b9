// Lab 02, tasks 3–5, against the C library: your parser and your look-ups
// over this machine's /etc/services must answer as glibc's getservent_r,
// getservbyname_r and getservbyport_r do, for every entry.  Nothing about the
// file's content is written into these tests: libc is the judge.

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libc_services.hpp"
#include "port_table.hpp"

using socklab::port_table::find_by_name;
using socklab::port_table::find_by_port;
using socklab::port_table::load_services;
using socklab::port_table::ServiceEntry;
using socklab::port_table::services_path;
using socklab::port_table::ServicesTable;
using socklab::port_table::testing::first_named;
using socklab::port_table::testing::first_with_port;
using socklab::port_table::testing::libc_by_name;
using socklab::port_table::testing::libc_by_port;
using socklab::port_table::testing::libc_table;
using socklab::port_table::testing::protocols_of;

namespace {

std::string entry_text(const ServiceEntry* entry) {
  if (entry == nullptr) {
    return "not found";
  }
  std::string text = entry->name + " " + std::to_string(entry->port) + "/" + entry->protocol;
  for (const std::string& alias : entry->aliases) {
    text += " " + alias;
  }
  return entry->line == 0 ? text : text + " (line " + std::to_string(entry->line) + ")";
}

bool same_entry(const ServiceEntry* yours, const std::optional<ServiceEntry>& libc) {
  if (yours == nullptr || !libc) {
    return yours == nullptr && !libc;
  }
  return yours->name == libc->name && yours->port == libc->port &&
         yours->protocol == libc->protocol && yours->aliases == libc->aliases;
}

// Every (name or alias, protocol) to ask about: each name of each entry, with
// each protocol in the file and with none (""), in file order, each once.
std::vector<std::pair<std::string, std::string>> name_questions(const ServicesTable& table) {
  std::vector<std::string> protocols = protocols_of(table.entries);
  protocols.emplace_back("");
  std::vector<std::pair<std::string, std::string>> questions;
  for (const ServiceEntry& entry : table.entries) {
    std::vector<std::string> names = entry.aliases;
    names.insert(names.begin(), entry.name);
    for (const std::string& name : names) {
      for (const std::string& protocol : protocols) {
        questions.emplace_back(name, protocol);
      }
    }
  }
  return questions;
}

// Every port in the file and every 89th port of the whole range, with each
// protocol in the file and with none.
std::vector<std::pair<int, std::string>> port_questions(const ServicesTable& table) {
  std::vector<std::string> protocols = protocols_of(table.entries);
  protocols.emplace_back("");
  std::vector<int> ports;
  for (const ServiceEntry& entry : table.entries) {
    ports.push_back(entry.port);
  }
  for (int port = 0; port <= 65535; port += 89) {
    ports.push_back(port);
  }
  ports.push_back(65535);
  std::vector<std::pair<int, std::string>> questions;
  for (const int port : ports) {
    for (const std::string& protocol : protocols) {
      questions.emplace_back(port, protocol);
    }
  }
  return questions;
}

}  // namespace

TEST_CASE("load_services reads /etc/services as libc does: the same entries in the same order",
          "[task_3][points:2]") {
  INFO("Step 1: libc enumerates the database with getservent_r; you load " << services_path);
  const ServicesTable libc = libc_table();
  REQUIRE_FALSE(libc.entries.empty());
  const ServicesTable yours = load_services(services_path);
  INFO("libc has " << libc.entries.size() << " entries, you have " << yours.entries.size()
                   << " (and " << yours.malformed_lines.size() << " malformed lines)");
  REQUIRE(yours.entries.size() == libc.entries.size());
  INFO("Step 2: entry by entry, name, port, protocol and aliases must be libc's");
  for (std::size_t i = 0; i < libc.entries.size(); ++i) {
    const ServiceEntry& mine = yours.entries[i];
    INFO("entry " << i + 1 << ": yours '" << entry_text(&mine) << "', libc's '"
                  << entry_text(&libc.entries[i]) << "'");
    REQUIRE(same_entry(&mine, libc.entries[i]));
  }
  CHECK(yours.malformed_lines.empty());
}

TEST_CASE("your parse of /etc/services answers every name and alias as getservbyname_r does",
          "[task_3][points:1]") {
  const ServicesTable libc = libc_table();
  REQUIRE_FALSE(libc.entries.empty());
  INFO("Step 1: you load " << services_path);
  const ServicesTable yours = load_services(services_path);
  REQUIRE_FALSE(yours.entries.empty());
  INFO("Step 2: for each name and alias, with each protocol and with none, the first of your "
       "entries that matches (found by the test) must be what getservbyname_r returns");
  const auto questions = name_questions(libc);
  for (const auto& [name, protocol] : questions) {
    const ServiceEntry* first = first_named(yours.entries, name, protocol);
    const auto answer = libc_by_name(name, protocol);
    INFO("name '" << name << "', protocol '" << protocol << "': your first match is '"
                  << entry_text(first) << "', getservbyname_r says '"
                  << (answer ? entry_text(&*answer) : "not found") << "'");
    REQUIRE(same_entry(first, answer));
  }
  SUCCEED(questions.size() << " questions, all answered as libc does");
}

TEST_CASE("your parse of /etc/services answers every port as getservbyport_r does",
          "[task_3][points:1]") {
  const ServicesTable libc = libc_table();
  REQUIRE_FALSE(libc.entries.empty());
  INFO("Step 1: you load " << services_path);
  const ServicesTable yours = load_services(services_path);
  REQUIRE_FALSE(yours.entries.empty());
  INFO("Step 2: for each port, with each protocol and with none, the first of your entries "
       "with that port (found by the test) must be what getservbyport_r(htons(port)) returns");
  const auto questions = port_questions(libc);
  for (const auto& [port, protocol] : questions) {
    const ServiceEntry* first = first_with_port(yours.entries, port, protocol);
    const auto answer = libc_by_port(port, protocol);
    INFO("port " << port << ", protocol '" << protocol << "': your first match is '"
                 << entry_text(first) << "', getservbyport_r says '"
                 << (answer ? entry_text(&*answer) : "not found") << "'");
    REQUIRE(same_entry(first, answer));
  }
  SUCCEED(questions.size() << " questions, all answered as libc does");
}

TEST_CASE("find_by_name answers as getservbyname_r for every name and alias in /etc/services",
          "[task_4][points:2]") {
  INFO("Step 1: the test builds the table from libc's own getservent_r, not from your parser");
  const ServicesTable table = libc_table();
  REQUIRE_FALSE(table.entries.empty());
  const ServiceEntry& first = table.entries.front();
  INFO("Step 2: find_by_name(table, \"" << first.name << "\", \"" << first.protocol
                                       << "\") must find the first entry");
  REQUIRE(find_by_name(table, first.name, first.protocol) == &table.entries.front());
  INFO("Step 3: every name and alias, with every protocol and with none, as the names are and "
       "in capitals ('SSH', 'TCP'): your answer must be getservbyname_r's");
  auto questions = name_questions(table);
  std::vector<std::pair<std::string, std::string>> capitals;
  for (std::size_t i = 0; i < questions.size(); i += 7) {
    const auto& [name, protocol] = questions[i];
    std::string upper = name;
    for (char& c : upper) {
      c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    capitals.emplace_back(upper, protocol);
    capitals.emplace_back(name, protocol == "tcp" ? "TCP" : "Udp");
  }
  questions.insert(questions.end(), capitals.begin(), capitals.end());
  for (const auto& [name, protocol] : questions) {
    const ServiceEntry* yours = find_by_name(table, name, protocol);
    const auto answer = libc_by_name(name, protocol);
    INFO("find_by_name(table, \"" << name << "\", \"" << protocol << "\") gives '" << entry_text(yours)
                                  << "', getservbyname_r says '"
                                  << (answer ? entry_text(&*answer) : "not found") << "'");
    REQUIRE(same_entry(yours, answer));
  }
  SUCCEED(questions.size() << " questions, all answered as libc does");
}

TEST_CASE("find_by_port answers as getservbyport_r for every port in /etc/services",
          "[task_5][points:2]") {
  INFO("Step 1: the test builds the table from libc's own getservent_r, not from your parser");
  const ServicesTable table = libc_table();
  REQUIRE_FALSE(table.entries.empty());
  const ServiceEntry& first = table.entries.front();
  INFO("Step 2: find_by_port(table, " << first.port << ", \"" << first.protocol
                                      << "\") must find the first entry");
  REQUIRE(find_by_port(table, first.port, first.protocol) == &table.entries.front());
  INFO("Step 3: every port in the file, and every 89th of the range, with every protocol and "
       "with none: your answer must be getservbyport_r's (which takes htons(port))");
  const auto questions = port_questions(table);
  for (const auto& [port, protocol] : questions) {
    const ServiceEntry* yours = find_by_port(table, port, protocol);
    const auto answer = libc_by_port(port, protocol);
    INFO("find_by_port(table, " << port << ", \"" << protocol << "\") gives '" << entry_text(yours)
                                << "', getservbyport_r says '"
                                << (answer ? entry_text(&*answer) : "not found") << "'");
    REQUIRE(same_entry(yours, answer));
  }
  SUCCEED(questions.size() << " questions, all answered as libc does");
}
