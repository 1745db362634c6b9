// Lab 02: what section 二.2 of the article (and the port range in its
// introduction) says, checked on this machine through your code.  The
// chapter's "Pitfalls" section cites these tests by name.
//
// Claims about the content of /etc/services differ between machines, so those
// tests never hard-code it: libc (getservbyname_r, getservbyport_r) is the
// judge, and your code must agree with it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "calls.hpp"
#include "libc_services.hpp"
#include "port_table.hpp"
#include "printing.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

using socklab::check;
using socklab::FileDescriptor;
using socklab::port_table::classify_port;
using socklab::port_table::default_ephemeral_range;
using socklab::port_table::ephemeral_range;
using socklab::port_table::find_by_name;
using socklab::port_table::find_by_port;
using socklab::port_table::ip_local_port_range_path;
using socklab::port_table::is_ephemeral;
using socklab::port_table::load_services;
using socklab::port_table::PortClass;
using socklab::port_table::PortRange;
using socklab::port_table::ServiceEntry;
using socklab::port_table::services_path;
using socklab::port_table::ServicesTable;
using socklab::port_table::testing::libc_by_name;
using socklab::port_table::testing::libc_by_port;
using socklab::port_table::testing::libc_table;
using socklab::port_table::testing::protocols_of;
using socklab::port_table::testing::TempFile;

namespace {

std::string service_text(const ServiceEntry* entry) {
  return entry == nullptr ? "not found"
                          : entry->name + " " + std::to_string(entry->port) + "/" + entry->protocol;
}

std::string service_text(const std::optional<ServiceEntry>& entry) {
  return entry ? service_text(&*entry) : "not found";
}

// Same service: both not found, or the same name, port and protocol.
bool same_service(const ServiceEntry* yours, const std::optional<ServiceEntry>& libc) {
  if (yours == nullptr || !libc) {
    return yours == nullptr && !libc;
  }
  return yours->name == libc->name && yours->port == libc->port && yours->protocol == libc->protocol;
}

// One row of the article's table, one port at a time: FTP's "21,20" is two rows.
struct ArticleRow {
  const char* application;
  int port;
  const char* protocol;  // as the article writes it, in capitals
  const char* lower;     // the same, as the database writes protocols
};

constexpr ArticleRow article_rows[] = {
    {"FTP", 21, "TCP", "tcp"},    {"FTP", 20, "TCP", "tcp"},    {"TFTP", 69, "UDP", "udp"},
    {"TELNET", 23, "TCP", "tcp"}, {"SMTP", 25, "TCP", "tcp"},   {"DNS", 53, "UDP", "udp"},
    {"HTTP", 80, "TCP", "tcp"},   {"SSH", 22, "TCP", "tcp"},    {"MYSQL", 3306, "TCP", "tcp"},
    {"POP3", 110, "TCP", "tcp"},  {"MONGO", 27017, "TCP", "tcp"},
};

}  // namespace

TEST_CASE("article: port numbers run from 0 to 65535", "[task_6][points:1][article]") {
  INFO("The article: 端口号的范围为0~65535. Step 1: 65535 is a port (a dynamic one)");
  REQUIRE(classify_port(65535) == PortClass::dynamic);
  INFO("Step 2: so is 0 (a system port)");
  CHECK(classify_port(0) == PortClass::system);
  INFO("Step 3: -1 and 65536 are not: std::out_of_range (16 bits hold 0 to 65535)");
  CHECK_THROWS_AS(classify_port(-1), std::out_of_range);
  CHECK_THROWS_AS(classify_port(65536), std::out_of_range);
}

// [errata-user-ports]
TEST_CASE("article: user ports start at 1024, not above 1024, and end at 49151",
          "[task_6][points:1][article]") {
  INFO("The article: 用户端口号一般大于1024 (user ports are usually above 1024). IANA's user "
       "(registered) range is 1024-49151. Step 1: 1024 itself is a user port");
  REQUIRE(classify_port(1024) == PortClass::user);
  INFO("Step 2: 1023 is the last system port, 49151 the last user port, 49152 the first dynamic");
  CHECK(classify_port(1023) == PortClass::system);
  CHECK(classify_port(49151) == PortClass::user);
  CHECK(classify_port(49152) == PortClass::dynamic);
}
// [errata-user-ports]

// [errata-dns]
TEST_CASE("article: DNS, port 53, is listed for TCP as well as UDP where libc says so",
          "[task_3][points:1][article]") {
  INFO("The article's table says DNS is 53 over UDP only. Step 1: you load " << services_path
       << "; you must read as many entries as libc's getservent_r enumerates");
  const ServicesTable libc = libc_table();
  REQUIRE_FALSE(libc.entries.empty());
  const ServicesTable yours = load_services(services_path);
  REQUIRE(yours.entries.size() == libc.entries.size());
  INFO("Step 2: for each protocol in the database, your entries named 'domain' (DNS's service "
       "name) must be exactly what getservbyname_r(\"domain\", protocol) finds");
  for (const std::string& protocol : protocols_of(libc.entries)) {
    const ServiceEntry* first = socklab::port_table::testing::first_named(yours.entries, "domain",
                                                                         protocol);
    const auto answer = libc_by_name("domain", protocol);
    INFO("domain/" << protocol << ": yours '" << service_text(first) << "', getservbyname_r '"
                   << service_text(answer) << "'");
    CHECK(same_service(first, answer));
  }
}
// [errata-dns]

// [errata-ftp]
TEST_CASE("article: FTP is two services, ftp on port 21 and ftp-data on port 20",
          "[task_4][points:1][article]") {
  INFO("The article writes FTP 21,20 as one application. Step 1: in a table of "
       "'ftp-data 20/tcp' and 'ftp 21/tcp', \"ftp\" is the second entry");
  const ServicesTable two{{{"ftp-data", 20, "tcp", {}, 1}, {"ftp", 21, "tcp", {}, 2}}, {}};
  REQUIRE(find_by_name(two, "ftp", "tcp") == &two.entries[1]);
  CHECK(find_by_name(two, "ftp-data", "tcp") == &two.entries[0]);
  INFO("Step 2: the system's database (as getservent_r lists it): your find_by_name must "
       "answer as getservbyname_r");
  const ServicesTable table = libc_table();
  for (const char* name : {"ftp", "ftp-data", "FTP"}) {
    const ServiceEntry* yours = find_by_name(table, name, "tcp");
    const auto answer = libc_by_name(name, "tcp");
    INFO(name << "/tcp: yours '" << service_text(yours) << "', getservbyname_r '" << service_text(answer) << "'");
    CHECK(same_service(yours, answer));
  }
}
// [errata-ftp]

// [errata-case]
TEST_CASE("article: service and protocol names are case-sensitive, so SSH/TCP finds nothing",
          "[task_4][points:1][article]") {
  INFO("The article writes names in capitals (SSH, TCP). Step 1: in a table of 'ssh 22/tcp', "
       "ssh/tcp is found");
  const ServicesTable one{{{"ssh", 22, "tcp", {}, 1}}, {}};
  REQUIRE(find_by_name(one, "ssh", "tcp") == &one.entries[0]);
  INFO("Step 2: SSH/tcp, ssh/TCP and Ssh/Tcp are not");
  CHECK(find_by_name(one, "SSH", "tcp") == nullptr);
  CHECK(find_by_name(one, "ssh", "TCP") == nullptr);
  CHECK(find_by_name(one, "Ssh", "Tcp") == nullptr);
  INFO("Step 3: glibc agrees: getservbyname_r(\"SSH\", \"tcp\") and (\"ssh\", \"TCP\") fail");
  CHECK_FALSE(libc_by_name("SSH", "tcp"));
  CHECK_FALSE(libc_by_name("ssh", "TCP"));
  INFO("Step 4: each application name of the article's table, as written, with its protocol "
       "as written and in lower case: your answers over the system's database are libc's");
  const ServicesTable table = libc_table();
  for (const ArticleRow& row : article_rows) {
    for (const char* protocol : {row.protocol, row.lower}) {
      const ServiceEntry* yours = find_by_name(table, row.application, protocol);
      const auto answer = libc_by_name(row.application, protocol);
      INFO(row.application << "/" << protocol << ": yours '" << service_text(yours)
                           << "', getservbyname_r '" << service_text(answer) << "'");
      CHECK(same_service(yours, answer));
    }
  }
}
// [errata-case]

// [errata-mongo]
TEST_CASE("article: MongoDB's port 27017 is in the services database only where libc says so",
          "[task_5][points:1][article]") {
  INFO("The article lists MONGO 27017/TCP. Step 1: in a table holding 'mongodb 27017/tcp', "
       "find_by_port finds it");
  const ServicesTable one{{{"mongodb", 27017, "tcp", {}, 1}}, {}};
  REQUIRE(find_by_port(one, 27017, "tcp") == &one.entries[0]);
  INFO("Step 2: over the system's database, your find_by_port(27017) must answer as "
       "getservbyport_r(htons(27017)): on Debian 12's netbase, nothing");
  const ServicesTable table = libc_table();
  for (const std::string& protocol : {std::string(), std::string("tcp"), std::string("udp")}) {
    const ServiceEntry* yours = find_by_port(table, 27017, protocol);
    const auto answer = libc_by_port(27017, protocol);
    INFO("27017/'" << protocol << "': yours '" << service_text(yours) << "', getservbyport_r '"
                   << service_text(answer) << "'");
    CHECK(same_service(yours, answer));
  }
}
// [errata-mongo]

// [errata-port-rows]
TEST_CASE("article: each row of the port table agrees with the services database as libc reads it",
          "[task_5][points:1][article]") {
  INFO("Step 1: in a table holding 'ssh 22/tcp', find_by_port(22, \"tcp\") finds it");
  const ServicesTable one{{{"ssh", 22, "tcp", {}, 1}}, {}};
  REQUIRE(find_by_port(one, 22, "tcp") == &one.entries[0]);
  INFO("Step 2: for each row (FTP's 21 and 20 apart), with each protocol in the database: your "
       "find_by_port over the system's database must answer as getservbyport_r");
  const ServicesTable table = libc_table();
  REQUIRE_FALSE(table.entries.empty());
  for (const ArticleRow& row : article_rows) {
    for (const std::string& protocol : protocols_of(table.entries)) {
      const ServiceEntry* yours = find_by_port(table, row.port, protocol);
      const auto answer = libc_by_port(row.port, protocol);
      INFO(row.application << " " << row.port << "/" << protocol << ": yours '" << service_text(yours)
                           << "', getservbyport_r '" << service_text(answer) << "'");
      CHECK(same_service(yours, answer));
    }
  }
}
// [errata-port-rows]

// [errata-ephemeral]
TEST_CASE("article: Linux hands out ephemeral ports from its own range, not IANA's dynamic range",
          "[task_7][points:1][article]") {
  PortRange expected = default_ephemeral_range;
  if (std::ifstream in(ip_local_port_range_path); in >> expected.low >> expected.high) {
    INFO("This machine's range, read by the test: " << expected.low << "-" << expected.high);
  }
  INFO("Step 1: ephemeral_range() must read " << ip_local_port_range_path << " as the test did: "
       << expected.low << "-" << expected.high);
  const PortRange range = ephemeral_range();
  REQUIRE(range == expected);
  INFO("and that although stat(2) says the file's size is 0: read until read(2) returns 0");
  struct stat status {};
  if (::stat(ip_local_port_range_path, &status) == 0) {
    CHECK(status.st_size == 0);
  }

  INFO("Step 2: Linux's default, a file holding \"32768\\t60999\\n\": 32768 is ephemeral though "
       "IANA calls it a user port; 61000 is not, though IANA calls it dynamic");
  const TempFile file("32768\t60999\n");
  const PortRange linux_default = ephemeral_range(file.path());
  CHECK(linux_default == PortRange{32768, 60999});
  CHECK(is_ephemeral(32768, linux_default));
  CHECK_FALSE(is_ephemeral(61000, linux_default));

  INFO("Step 3: sockets bound to 127.0.0.1 port 0 get ports in this machine's range, which "
       "is_ephemeral must confirm (nothing is sent)");
  for (int i = 0; i < 5; ++i) {
    const FileDescriptor socket(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check("bind", ::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
    socklen_t size = sizeof address;
    check("getsockname",
          ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &size));
    const int port = ntohs(address.sin_port);
    INFO("the kernel gave port " << port);
    CHECK(is_ephemeral(port, range));
  }
}
// [errata-ephemeral]
