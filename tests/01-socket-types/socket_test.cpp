// Lab 01, tasks 1–5: the Socket type.  Each test opens with the steps it takes
// (INFO), so a failure reads as a story of what was done to your code.

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "socket_types.hpp"
#include "socklab/testkit/process_facts.hpp"

using socklab::socket_types::Socket;
using socklab::testkit::int_option;
using socklab::testkit::is_close_on_exec;
using socklab::testkit::is_open_fd;

TEST_CASE("Socket opens a TCP socket", "[task_1][points:2]") {
  INFO("Step 1: Socket s(AF_INET, SOCK_STREAM)");
  const Socket s(AF_INET, SOCK_STREAM);
  INFO("Step 2: s.fileno() must be an open descriptor");
  REQUIRE(s.fileno() >= 0);
  REQUIRE(is_open_fd(s.fileno()));
  INFO("Step 3: the kernel must say it is an AF_INET stream socket");
  CHECK(int_option(s.fileno(), SOL_SOCKET, SO_DOMAIN) == AF_INET);
  CHECK(int_option(s.fileno(), SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
}

TEST_CASE("Socket passes family, type and protocol to socket(2)", "[task_1][points:1]") {
  struct Case {
    int family, type, protocol;
  };
  const Case cases[] = {{AF_INET, SOCK_DGRAM, IPPROTO_UDP},
                        {AF_INET6, SOCK_STREAM, IPPROTO_TCP},
                        {AF_UNIX, SOCK_DGRAM, 0},
                        {AF_UNIX, SOCK_SEQPACKET, 0}};
  for (const Case& c : cases) {
    INFO("Socket(" << c.family << ", " << c.type << ", " << c.protocol << ")");
    const Socket s(c.family, c.type, c.protocol);
    REQUIRE(s.fileno() >= 0);
    CHECK(int_option(s.fileno(), SOL_SOCKET, SO_DOMAIN) == c.family);
    CHECK(int_option(s.fileno(), SOL_SOCKET, SO_TYPE) == c.type);
    CHECK(int_option(s.fileno(), SOL_SOCKET, SO_PROTOCOL) == c.protocol);
  }
}

TEST_CASE("a new Socket is close-on-exec, like Python's", "[task_1][points:1]") {
  INFO("Python's sockets are not inherited by exec'd programs (PEP 446): pass SOCK_CLOEXEC");
  const Socket s(AF_INET, SOCK_DGRAM);
  REQUIRE(s.fileno() >= 0);
  REQUIRE(is_close_on_exec(s.fileno()));
}

TEST_CASE("the destructor closes the descriptor", "[task_2][points:2]") {
  int fd = -1;
  {
    INFO("Step 1: open a Socket in a block");
    const Socket s(AF_INET, SOCK_STREAM);
    fd = s.fileno();
    REQUIRE(is_open_fd(fd));
  }
  INFO("Step 2: after the block the Socket is destroyed, so descriptor " << fd
                                                                         << " must be closed");
  REQUIRE_FALSE(is_open_fd(fd));
}

TEST_CASE("close() closes at once and only once", "[task_2][points:2]") {
  Socket s(AF_INET, SOCK_STREAM);
  const int fd = s.fileno();
  REQUIRE(is_open_fd(fd));
  INFO("Step 1: s.close() must close descriptor " << fd << " and leave s empty");
  s.close();
  REQUIRE_FALSE(is_open_fd(fd));
  REQUIRE(s.fileno() == -1);
  INFO("Step 2: another file now gets number " << fd << "; a second close() must not touch it");
  const int other = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, fd);
  REQUIRE(other == fd);
  s.close();
  REQUIRE(is_open_fd(other));
  INFO("Step 3: nor may the destructor close it");
  { const Socket gone = std::move(s); }
  CHECK(is_open_fd(other));
  ::close(other);
}

TEST_CASE("detach() gives the descriptor away without closing it", "[task_2][points:1]") {
  int detached = -1;
  {
    Socket s(AF_UNIX, SOCK_STREAM);
    const int fd = s.fileno();
    REQUIRE(fd >= 0);
    INFO("Step 1: s.detach() must return " << fd << " and leave s empty");
    detached = s.detach();
    REQUIRE(detached == fd);
    REQUIRE(s.fileno() == -1);
  }
  INFO("Step 2: destroying the detached Socket must leave descriptor " << detached << " open");
  REQUIRE(is_open_fd(detached));
  ::close(detached);
}

TEST_CASE("a moved-to Socket owns the descriptor and the moved-from one is empty",
          "[task_3][points:2]") {
  Socket a(AF_INET, SOCK_STREAM);
  const int fd = a.fileno();
  REQUIRE(fd >= 0);
  INFO("Step 1: Socket b(std::move(a))");
  Socket b(std::move(a));
  REQUIRE(b.fileno() == fd);
  REQUIRE(a.fileno() == -1);  // NOLINT(bugprone-use-after-move): the point of the test
  INFO("Step 2: destroying the moved-from a must leave the descriptor open");
  { const Socket gone = std::move(a); }
  REQUIRE(is_open_fd(fd));
  INFO("Step 3: destroying the Socket that owns it must close it");
  { const Socket owner = std::move(b); }
  REQUIRE_FALSE(is_open_fd(fd));
}

TEST_CASE("move assignment closes the old descriptor and takes the new one", "[task_3][points:2]") {
  Socket a(AF_INET, SOCK_STREAM);
  Socket b(AF_INET, SOCK_DGRAM);
  const int old_fd = a.fileno();
  const int new_fd = b.fileno();
  REQUIRE(old_fd >= 0);
  REQUIRE(new_fd >= 0);
  INFO("Step 1: a = std::move(b), where a held " << old_fd << " and b held " << new_fd);
  a = std::move(b);
  CHECK_FALSE(is_open_fd(old_fd));
  CHECK(a.fileno() == new_fd);
  CHECK(b.fileno() == -1);  // NOLINT(bugprone-use-after-move)
  CHECK(is_open_fd(new_fd));
}

TEST_CASE("moving a Socket into itself keeps it open", "[task_3][points:1]") {
  Socket a(AF_INET, SOCK_STREAM);
  const int fd = a.fileno();
  REQUIRE(fd >= 0);
  INFO("Step 1: a = std::move(a)");
  Socket& same = a;
  a = std::move(same);
  REQUIRE(a.fileno() == fd);
  REQUIRE(is_open_fd(fd));
}

TEST_CASE("a failed socket(2) throws std::system_error with errno and the call's name",
          "[task_4][points:2]") {
  INFO("Step 1: Socket(12345, SOCK_STREAM): there is no address family 12345");
  bool threw = false;
  try {
    const Socket s(12345, SOCK_STREAM);
  } catch (const std::system_error& e) {
    threw = true;
    INFO("what(): " << e.what());
    CHECK(e.code() == std::error_code(EAFNOSUPPORT, std::system_category()));
    CHECK(std::string(e.what()).find("socket") != std::string::npos);
  }
  REQUIRE(threw);
}

TEST_CASE("close() reports a failed close(2) as std::system_error", "[task_4][points:1]") {
  Socket s(AF_INET, SOCK_STREAM);
  REQUIRE(s.fileno() >= 0);
  INFO("Step 1: the test closes the descriptor behind the Socket's back");
  ::close(s.fileno());
  INFO("Step 2: s.close() must throw std::system_error for EBADF, naming close");
  bool threw = false;
  try {
    s.close();
  } catch (const std::system_error& e) {
    threw = true;
    CHECK(e.code() == std::error_code(EBADF, std::system_category()));
    CHECK(std::string(e.what()).find("close") != std::string::npos);
  }
  REQUIRE(threw);
  INFO("Step 3: and the Socket is empty afterwards all the same");
  REQUIRE(s.fileno() == -1);
}

TEST_CASE("the destructor never throws, even when close(2) fails", "[task_4][points:1]") {
  INFO("A destructor that throws ends the program (std::terminate): report and carry on");
  {
    const Socket s(AF_INET, SOCK_STREAM);
    REQUIRE(s.fileno() >= 0);
    ::close(s.fileno());
  }
  SUCCEED("the destructor returned");
}

TEST_CASE("family(), type() and protocol() report what the kernel chose", "[task_5][points:2]") {
  struct Case {
    int family, type;
  };
  const Case cases[] = {{AF_INET, SOCK_STREAM}, {AF_INET, SOCK_DGRAM}, {AF_INET6, SOCK_DGRAM},
                        {AF_UNIX, SOCK_SEQPACKET}};
  for (const Case& c : cases) {
    INFO("Socket(" << c.family << ", " << c.type << ", 0): protocol 0 lets the kernel choose");
    const Socket s(c.family, c.type);
    REQUIRE(s.fileno() >= 0);
    CHECK(s.family() == int_option(s.fileno(), SOL_SOCKET, SO_DOMAIN));
    CHECK(s.type() == int_option(s.fileno(), SOL_SOCKET, SO_TYPE));
    CHECK(s.protocol() == int_option(s.fileno(), SOL_SOCKET, SO_PROTOCOL));
  }
  INFO("The chapter's claim: protocol 0 for an AF_INET stream means TCP, for a datagram UDP");
  CHECK(Socket(AF_INET, SOCK_STREAM).protocol() == IPPROTO_TCP);
  CHECK(Socket(AF_INET, SOCK_DGRAM).protocol() == IPPROTO_UDP);
}

TEST_CASE("the accessors throw on an empty Socket", "[task_5][points:1]") {
  const Socket empty;
  INFO("An empty Socket has no descriptor to ask: getsockopt fails with EBADF");
  REQUIRE_THROWS_AS(empty.family(), std::system_error);
  REQUIRE_THROWS_AS(empty.type(), std::system_error);
  REQUIRE_THROWS_AS(empty.protocol(), std::system_error);
}
