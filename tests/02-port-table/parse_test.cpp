// Lab 02, tasks 1–3: reading the services database.  Every input here is a
// string or a file the test makes itself.  Each test opens with the steps it
// takes (INFO), so a failure reads as a story of what was done to your code.

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "calls.hpp"
#include "generators.hpp"
#include "port_table.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/process_facts.hpp"
#include "socklab/testkit/temp_dir.hpp"

using socklab::check;
using socklab::port_table::load_services;
using socklab::port_table::max_line_length;
using socklab::port_table::parse_services;
using socklab::port_table::ServicesTable;
using socklab::port_table::testing::calls;
using socklab::port_table::testing::clean_inputs;
using socklab::port_table::testing::garbage_inputs;
using socklab::port_table::testing::table_json;
using socklab::testkit::TempDir;
using socklab::port_table::testing::TempFile;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using socklab::testkit::open_fd_count;

using namespace std::string_literals;

namespace {

using Lines = std::vector<std::size_t>;
using Names = std::vector<std::string>;

// What the code under test returned, readable (non-printing bytes as \xNN).
std::string shown(const ServicesTable& table) { return "you returned " + table_json(table).dump(); }

// Runs a function at the end of the scope, however it ends.
class Cleanup {
 public:
  explicit Cleanup(std::function<void()> action) : action_(std::move(action)) {}
  ~Cleanup() { action_(); }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;

 private:
  std::function<void()> action_;
};

void on_signal(int /*signal*/) {}

// Whether thread \p tid of this process is blocked in read(2) right now.
bool blocked_in_read(pid_t tid) {
  std::ifstream syscall("/proc/self/task/" + std::to_string(tid) + "/syscall");
  long number = -1;
  return syscall >> number && number == SYS_read;
}

// The writer side of the EINTR test, on its own thread (no assertions here).
// Opens the FIFO once a reader has it open, waits until the reader blocks in
// read(2), interrupts it with SIGUSR1, then writes one line and closes.  Gives
// up on either wait after 3 s, or as soon as the reader has returned.
void feed_after_signal(const std::string& fifo, pthread_t reader, pid_t reader_tid,
                       const std::atomic<bool>& reader_done) {
  using namespace std::chrono_literals;
  auto deadline = std::chrono::steady_clock::now() + 3s;
  int fd = -1;
  while ((fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1 && errno == ENXIO &&
         !reader_done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);  // ENXIO: nobody has opened it for reading yet
  }
  if (fd == -1) {
    return;
  }
  deadline = std::chrono::steady_clock::now() + 3s;
  while (!blocked_in_read(reader_tid) && !reader_done &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(20ms);
  ::pthread_kill(reader, SIGUSR1);
  std::this_thread::sleep_for(100ms);
  const std::string_view line = "ssh 22/tcp\n";
  (void)!::write(fd, line.data(), line.size());  // EPIPE if the reader gave up: no matter
  ::close(fd);
}

}  // namespace

TEST_CASE("parse_services reads name, port, protocol and aliases", "[task_1][points:2]") {
  INFO("Step 1: three lines in the style of /etc/services, tabs and spaces between fields");
  const ServicesTable table = parse_services(
      "ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n"
      "smtp\t\t25/tcp\t\tmail\n"
      "http 80/tcp www www-http\n");
  INFO(shown(table));
  REQUIRE(table.entries.size() == 3);
  INFO("Step 2: each entry holds the fields of its line");
  CHECK(table.entries[0].name == "ssh");
  CHECK(table.entries[0].port == 22);
  CHECK(table.entries[0].protocol == "tcp");
  CHECK(table.entries[0].aliases.empty());
  CHECK(table.entries[1].name == "smtp");
  CHECK(table.entries[1].port == 25);
  CHECK(table.entries[1].aliases == Names{"mail"});
  CHECK(table.entries[2].name == "http");
  CHECK(table.entries[2].port == 80);
  CHECK(table.entries[2].protocol == "tcp");
  CHECK(table.entries[2].aliases == Names{"www", "www-http"});
  CHECK(table.malformed_lines.empty());
}

TEST_CASE("parse_services skips blank lines and comments, and numbers lines from 1",
          "[task_1][points:1]") {
  INFO("Step 1: a comment, an empty line, a line of spaces, an indented comment, three entries");
  const ServicesTable table = parse_services(
      "# Network services, Internet style\n"
      "\n"
      "   \n"
      "\t# an indented comment\n"
      "ftp-data\t20/tcp\n"
      "ftp\t\t21/tcp   # File Transfer [Control]\n"
      "  telnet\t23/tcp  \n");
  INFO(shown(table));
  REQUIRE(table.entries.size() == 3);
  INFO("Step 2: the entries are lines 5, 6 and 7, in file order; nothing is malformed");
  CHECK(table.entries[0].name == "ftp-data");
  CHECK(table.entries[0].line == 5);
  CHECK(table.entries[1].name == "ftp");
  CHECK(table.entries[1].line == 6);
  CHECK(table.entries[2].name == "telnet");
  CHECK(table.entries[2].line == 7);
  CHECK(table.entries[2].aliases.empty());
  CHECK(table.malformed_lines.empty());
}

TEST_CASE("a # starts a comment even in the middle of a field", "[task_1][points:1]") {
  INFO("Step 1: 'ssh 22/tcp#comment' and 'domain 53/udp dns#dns-alt', no final LF");
  const ServicesTable table = parse_services("ssh 22/tcp#comment\ndomain 53/udp dns#dns-alt");
  INFO(shown(table));
  REQUIRE(table.entries.size() == 2);
  INFO("Step 2: the protocol is 'tcp', and the alias is 'dns'");
  CHECK(table.entries[0].protocol == "tcp");
  CHECK(table.entries[1].line == 2);
  CHECK(table.entries[1].aliases == Names{"dns"});
}

TEST_CASE("parse_services agrees with the reference on generated well-formed databases",
          "[task_1][points:2]") {
  const auto difference = first_difference(calls(), "parse_services", clean_inputs(201, 400));
  INFO(describe("parse_services (input: the text's bytes as hex)", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("parse_services skips malformed lines and records their numbers", "[task_2][points:2]") {
  INFO("Step 1: two good entries around six kinds of malformed line and a comment");
  const ServicesTable table = parse_services(
      "ssh 22/tcp\n"      // 1
      "lonely\n"          // 2: one field
      "ftp 21\n"          // 3: no '/'
      "ftp 21/\n"         // 4: no protocol
      "ftp /tcp\n"        // 5: no port
      "ftp 21/tcp/udp\n"  // 6: a second '/'
      "ftp x21/tcp\n"     // 7: not digits
      "# a comment\n"     // 8: blank
      "domain 53/udp\n"); // 9
  INFO(shown(table));
  REQUIRE(table.entries.size() == 2);
  INFO("Step 2: the good lines are lines 1 and 9; lines 2 to 7 are malformed");
  CHECK(table.entries[0].name == "ssh");
  CHECK(table.entries[1].name == "domain");
  CHECK(table.entries[1].line == 9);
  CHECK(table.malformed_lines == Lines{2, 3, 4, 5, 6, 7});
}

TEST_CASE("parse_services takes ports of decimal digits from 0 to 65535 only", "[task_2][points:1]") {
  struct Good {
    const char* port;
    int value;
  };
  for (const Good good : {Good{"0", 0}, Good{"65535", 65535}, Good{"0022", 22},
                          Good{"00000000000000000000000000080", 80}}) {
    INFO("Step 1: 'svc " << good.port << "/tcp' is port " << good.value);
    const ServicesTable table = parse_services(std::string("svc ") + good.port + "/tcp\n");
    INFO(shown(table));
    REQUIRE(table.entries.size() == 1);
    CHECK(table.entries[0].port == good.value);
  }
  for (const char* bad : {"65536", "70000", "-1", "+22", "0x16", "22a", "1e3", "4294967318",
                          "18446744073709551638", "\xd9\xa2\xd9\xa2"}) {
    INFO("Step 2: 'svc " << bad << "/tcp' is malformed (4294967318 is 2^32 + 22, "
                                   "\\xd9\\xa2 is an Arabic-Indic digit 2)");
    const ServicesTable table = parse_services(std::string("svc ") + bad + "/tcp\n");
    INFO(shown(table));
    CHECK(table.entries.empty());
    CHECK(table.malformed_lines == Lines{1});
  }
}

TEST_CASE("parse_services drops one CR before LF, and refuses NUL bytes and over-long lines",
          "[task_2][points:1]") {
  {
    INFO("Step 1: CRLF line ends: 'ssh 22/tcp\\r\\n' and 'www 80/tcp\\r' are protocol 'tcp'");
    const ServicesTable table = parse_services("ssh 22/tcp\r\nwww 80/tcp\r");
    INFO(shown(table));
    REQUIRE(table.entries.size() == 2);
    CHECK(table.entries[0].protocol == "tcp");
    CHECK(table.entries[1].protocol == "tcp");
  }
  {
    INFO("Step 2: only one CR goes: 'ssh 22/tcp\\r\\r' is protocol 'tcp\\r'; a lone CR is blank");
    const ServicesTable table = parse_services("ssh 22/tcp\r\r\n\r\n");
    INFO(shown(table));
    REQUIRE(table.entries.size() == 1);
    CHECK(table.entries[0].protocol == "tcp\r");
    CHECK(table.malformed_lines.empty());
  }
  {
    INFO("Step 3: a NUL byte makes its line malformed, even inside a comment");
    const std::string text = "ssh 22/tcp # \0\nss\0h 22/tcp\nwww 80/tcp\n"s;
    const ServicesTable table = parse_services(text);
    INFO(shown(table));
    CHECK(table.entries.size() == 1);
    CHECK(table.malformed_lines == Lines{1, 2});
  }
  {
    INFO("Step 4: lines of " << max_line_length << " bytes are read, longer ones are malformed, "
                             "comments too; a CR counts, an LF does not");
    const std::string entry = "svc 80/tcp ";
    const std::string fits = entry + std::string(max_line_length - entry.size(), 'a');
    const std::string text = fits + "\n" +                                  // 1: fits
                             fits + "a\n" +                                 // 2: one too many
                             "#" + std::string(max_line_length, 'x') + "\n" +  // 3: long comment
                             fits.substr(1) + "\r\n" +                      // 4: fits with its CR
                             fits + "\r\n";                                 // 5: the CR is one too many
    const ServicesTable table = parse_services(text);
    INFO(shown(table));
    REQUIRE(table.entries.size() == 2);
    CHECK(table.entries[0].line == 1);
    CHECK(table.entries[1].line == 4);
    CHECK(table.malformed_lines == Lines{2, 3, 5});
  }
}

TEST_CASE("parse_services agrees with the reference on generated garbage", "[task_2][points:3]") {
  INFO("Thousands of lines: malformed ports and slashes, stray CRs and NULs, bytes 0x80-0xFF, "
       "lines around the length limit, and plain random bytes");
  const auto difference = first_difference(calls(), "parse_services", garbage_inputs(202, 1500));
  INFO(describe("parse_services (input: the text's bytes as hex)", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("load_services reads a file the test wrote", "[task_3][points:2]") {
  const int open_before = open_fd_count();
  {
    INFO("Step 1: a file of three lines, the last without an LF");
    const TempFile file("# services\nssh 22/tcp\ndomain 53/udp nameserver");
    const ServicesTable table = load_services(file.path());
    INFO(shown(table));
    REQUIRE(table.entries.size() == 2);
    CHECK(table.entries[0].name == "ssh");
    CHECK(table.entries[1].aliases == Names{"nameserver"});
    CHECK(table.entries[1].line == 3);
  }
  {
    INFO("Step 2: a file of 20000 lines (more than 300 KB: more than one read(2))");
    std::string text;
    for (int i = 0; i < 20000; ++i) {
      text += "service-" + std::to_string(i) + "\t" + std::to_string(i) + "/udp\t# number " +
              std::to_string(i) + "\n";
    }
    const TempFile file(text);
    const ServicesTable table = load_services(file.path());
    REQUIRE(table.entries.size() == 20000);
    CHECK(table.entries.back().name == "service-19999");
    CHECK(table.entries.back().port == 19999);
  }
  INFO("Step 3: load_services must close the file it opened");
  CHECK(open_fd_count() == open_before);
}

TEST_CASE("load_services throws std::system_error naming open for a missing file",
          "[task_3][points:1]") {
  const TempDir dir;
  const std::string path = (dir.path() / "no-such-file").string();
  INFO("Step 1: load_services(\"" << path << "\"): there is no such file");
  bool threw = false;
  try {
    (void)load_services(path);
  } catch (const std::system_error& e) {
    threw = true;
    INFO("what(): " << e.what());
    CHECK(e.code() == std::error_code(ENOENT, std::system_category()));
    CHECK(std::string(e.what()).find("open") != std::string::npos);
  }
  REQUIRE(threw);
}

TEST_CASE("load_services throws std::system_error naming read for a directory, and closes it",
          "[task_3][points:1]") {
  const TempDir dir;
  const int open_before = open_fd_count();
  INFO("Step 1: load_services(\"" << dir.path().string() << "\"): open(2) works on a directory, "
                                                  "read(2) fails with EISDIR");
  bool threw = false;
  try {
    (void)load_services(dir.path().string());
  } catch (const std::system_error& e) {
    threw = true;
    INFO("what(): " << e.what());
    CHECK(e.code() == std::error_code(EISDIR, std::system_category()));
    CHECK(std::string(e.what()).find("read") != std::string::npos);
  }
  REQUIRE(threw);
  INFO("Step 2: the descriptor must be closed on the way out of the exception too");
  CHECK(open_fd_count() == open_before);
}

TEST_CASE("load_services retries a read(2) that a signal interrupts", "[task_3][points:1]") {
  const TempDir dir;
  const std::string fifo = (dir.path() / "fifo").string();
  check("mkfifo", ::mkfifo(fifo.c_str(), 0600));
  const Cleanup remove_fifo([&] { ::unlink(fifo.c_str()); });

  INFO("Step 1: a handler for SIGUSR1 without SA_RESTART, so a blocked read(2) fails with EINTR");
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_action {};
  check("sigaction", ::sigaction(SIGUSR1, &action, &old_action));
  const Cleanup restore([&] { ::sigaction(SIGUSR1, &old_action, nullptr); });

  INFO("Step 2: load_services reads a FIFO; the test's writer thread opens it, waits until your "
       "read(2) blocks, interrupts it with SIGUSR1, then writes 'ssh 22/tcp' and closes");
  const pthread_t reader = ::pthread_self();
  const pid_t reader_tid = ::gettid();
  std::atomic<bool> reader_done{false};
  std::thread writer([&fifo, reader, reader_tid, &reader_done] {
    feed_after_signal(fifo, reader, reader_tid, reader_done);
  });
  const Cleanup join([&] {
    reader_done = true;
    writer.join();
  });
  ServicesTable table;
  std::string error = "none";
  try {
    table = load_services(fifo);
  } catch (const std::exception& e) {
    error = e.what();
  }
  reader_done = true;
  INFO("Step 3: the interrupted read(2) must be retried: one entry, no exception (yours: "
       << error << ")");
  REQUIRE(table.entries.size() == 1);
  CHECK(table.entries[0].name == "ssh");
}

TEST_CASE("load_services agrees with the reference on generated files", "[task_3][points:1]") {
  const auto difference = first_difference(calls(), "load_services", clean_inputs(203, 100));
  INFO(describe("load_services (input: the file's bytes as hex)", difference));
  REQUIRE_FALSE(difference);
}
