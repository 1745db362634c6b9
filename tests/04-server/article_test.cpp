// Lab 04: what section 二.4.1 of the article says about bind, listen and
// accept, and what its Server.py leaves out, checked on this machine through
// your code.  The chapter's "Pitfalls" section cites these tests.

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <system_error>
#include <vector>

#include "helpers.hpp"
#include "listener.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::server;
using namespace socklab::server::testing;
using namespace std::chrono_literals;
using socklab::FileDescriptor;
using socklab::testkit::finish_within;
using socklab::testkit::local_port;

namespace {

// Makes a connection to `listener` and ends it with the server's side closing
// first, so the server's end, on the listener's port, waits in TIME_WAIT.
void leave_time_wait(int listener) {
  FileDescriptor client = connect_to("127.0.0.1", local_port(listener));
  FileDescriptor served = raw_accept(listener);
  served.close();  // the active close: this end will wait in TIME_WAIT
  char byte;
  socklab::check("recv", ::recv(client.get(), &byte, 1, 0));  // 0: the server's FIN arrived
  client.close();  // the client's FIN moves the server's end from FIN_WAIT2 to TIME_WAIT
}

// The error code of listen_on("127.0.0.1", port, options), or none if it listened.
std::error_code listen_error(std::uint16_t port, const ListenOptions& options) {
  try {
    const FileDescriptor listener = listen_on("127.0.0.1", port, options);
    return listener ? std::error_code{} : std::make_error_code(std::errc::bad_file_descriptor);
  } catch (const std::system_error& e) {
    return e.code();
  }
}

const std::error_code address_in_use(EADDRINUSE, std::system_category());

}  // namespace

// [errata-backlog-count]
TEST_CASE("article: listen's backlog does not bound how many connections a server has",
          "[task_3][points:1][article]") {
  INFO("Step 1: listen_on(\"127.0.0.1\", 0, {.backlog = 1}); the article says listen(num) allows at most num connections");
  const FileDescriptor listener = listen_on("127.0.0.1", 0, {.backlog = 1});
  REQUIRE(listener.get() >= 0);
  const std::uint16_t port = local_port(listener.get());
  INFO("Step 2: ten clients connect, one after another, and accept_one takes each");
  std::vector<FileDescriptor> clients;
  std::vector<Accepted> served;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(connect_to("127.0.0.1", port));
    auto accepted = finish_within(5s, [&] { return accept_one(listener.get()); });
    REQUIRE(accepted.has_value());
    REQUIRE(accepted->socket.get() >= 0);
    served.push_back(std::move(*accepted));
  }
  INFO("Step 3: all ten connections are open at once, and each one works");
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const std::string text = "client " + std::to_string(i);
    CHECK(pass(clients[i].get(), served[i].socket.get(), text) == text);
  }
}
// [errata-backlog-count]

// [errata-backlog-queue]
TEST_CASE("article: the backlog bounds only the queue of connections not yet accepted",
          "[task_2][points:1][article]") {
  for (const int backlog : {0, 1}) {
    INFO("Step 1: listen_on(\"127.0.0.1\", 0, {.backlog = " << backlog << "}); nobody calls accept");
    const FileDescriptor listener = listen_on("127.0.0.1", 0, {.backlog = backlog});
    REQUIRE(listener.get() >= 0);
    const std::uint16_t port = local_port(listener.get());
    INFO("Step 2: Linux queues backlog + 1 = " << backlog + 1 << " connections: their connects finish");
    std::vector<FileDescriptor> queued;
    for (int i = 0; i <= backlog; ++i) {
      queued.push_back(start_connect(port));
      REQUIRE(connected_within(queued.back().get(), 1s));
    }
    CHECK(listen_queue(listener.get()).waiting == static_cast<unsigned>(backlog + 1));
    INFO("Step 3: the queue is full: the kernel drops the next SYN, and that connect hangs");
    const FileDescriptor late = start_connect(port);
    CHECK_FALSE(connected_within(late.get(), 300ms));
    INFO("Step 4: once one is accepted, the client's next SYN (sent again after 1 s) gets in");
    const FileDescriptor taken = raw_accept(listener.get());
    CHECK(connected_within(late.get(), 4s));
  }
}
// [errata-backlog-queue]

// [errata-reuseaddr-without]
TEST_CASE("article: without SO_REUSEADDR, a port with a connection in TIME_WAIT cannot be bound again",
          "[task_2][points:1][article]") {
  INFO("Step 1: a server like the article's Server.py: no SO_REUSEADDR");
  FileDescriptor first = listen_on("127.0.0.1", 0, {.reuse_address = false});
  REQUIRE(first.get() >= 0);
  const std::uint16_t port = local_port(first.get());
  INFO("Step 2: it served a client and closed the connection first; then it stopped");
  leave_time_wait(first.get());
  first.close();
  REQUIRE(time_wait_count(port) >= 1);
  INFO("Step 3: restarting on port " << port << " fails with EADDRINUSE");
  CHECK(listen_error(port, {.reuse_address = false}) == address_in_use);
  INFO("Step 4: on Linux, even with SO_REUSEADDR now: the socket in TIME_WAIT must have had it too");
  CHECK(listen_error(port, {.reuse_address = true}) == address_in_use);
}
// [errata-reuseaddr-without]

// [errata-reuseaddr-both]
TEST_CASE("article: with SO_REUSEADDR on both runs, a server restarts at once on its port",
          "[task_2][points:1][article]") {
  INFO("Step 1: a server with SO_REUSEADDR served a client, closed the connection first, and stopped");
  FileDescriptor first = listen_on("127.0.0.1", 0, {.reuse_address = true});
  REQUIRE(first.get() >= 0);
  const std::uint16_t port = local_port(first.get());
  leave_time_wait(first.get());
  first.close();
  REQUIRE(time_wait_count(port) >= 1);
  INFO("Step 2: a new server without SO_REUSEADDR still cannot bind port " << port);
  CHECK(listen_error(port, {.reuse_address = false}) == address_in_use);
  INFO("Step 3: a new server with SO_REUSEADDR can, while the old connection is in TIME_WAIT");
  const FileDescriptor second = listen_on("127.0.0.1", port, {.reuse_address = true});
  REQUIRE(second.get() >= 0);
  CHECK(time_wait_count(port) >= 1);
  const FileDescriptor client = connect_to("127.0.0.1", port);
  const FileDescriptor served = raw_accept(second.get());
  CHECK(pass(client.get(), served.get(), "back") == "back");
}
// [errata-reuseaddr-both]

// [errata-reuseport]
TEST_CASE("article: SO_REUSEPORT lets two listeners share a port, and SO_REUSEADDR does not",
          "[task_2][points:1][article]") {
  INFO("Step 1: two listeners with SO_REUSEPORT on one port");
  const FileDescriptor one = listen_on("127.0.0.1", 0, {.reuse_port = true});
  REQUIRE(one.get() >= 0);
  const std::uint16_t port = local_port(one.get());
  const FileDescriptor two = listen_on("127.0.0.1", port, {.reuse_port = true});
  REQUIRE(two.get() >= 0);
  INFO("Step 2: a third with SO_REUSEADDR only: EADDRINUSE (on Linux, SO_REUSEADDR never shares a listening port)");
  CHECK(listen_error(port, {.reuse_address = true, .reuse_port = false}) == address_in_use);
  INFO("Step 3: sixteen clients connect; the kernel spreads them over both listeners");
  std::vector<FileDescriptor> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(connect_to("127.0.0.1", port));
  }
  pollfd both[2] = {{one.get(), POLLIN, 0}, {two.get(), POLLIN, 0}};
  for (int i = 0; i < 100 && (listen_queue(one.get()).waiting + listen_queue(two.get()).waiting) < 16; ++i) {
    ::poll(nullptr, 0, 10);
  }
  CHECK(listen_queue(one.get()).waiting + listen_queue(two.get()).waiting == 16);
  CHECK(::poll(both, 2, 1000) == 2);
  CHECK(listen_queue(one.get()).waiting >= 1);
  CHECK(listen_queue(two.get()).waiting >= 1);
}
// [errata-reuseport]

// [errata-port-process]
TEST_CASE("article: an address and a port name a socket, not a process: one process listens on two ports, and a "
          "forked child accepts on its parent's",
          "[task_3][points:1][article]") {
  INFO("Step 1: one process opens two listeners, on two ports, and accepts a client on each");
  const FileDescriptor first = listen_on("127.0.0.1", 0);
  const FileDescriptor second = listen_on("127.0.0.1", 0);
  REQUIRE(first.get() >= 0);
  REQUIRE(second.get() >= 0);
  CHECK(local_port(first.get()) != local_port(second.get()));
  for (const int listener : {first.get(), second.get()}) {
    const FileDescriptor client = connect_to("127.0.0.1", local_port(listener));
    socklab::testkit::set_io_timeout(listener, 3s);
    const Accepted accepted = accept_one(listener);
    CHECK(accepted.socket.get() >= 0);
    CHECK(accepted.peer.port == local_port(client.get()));
  }

  INFO("Step 2: a child forked now shares the first listener; it accepts the next client and sends its pid");
  socklab::testkit::set_io_timeout(first.get(), 3s);  // the child's accept gives up after 3 s
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 1;  // only _exit here: the child must not run the test framework's code
    try {
      const Accepted accepted = accept_one(first.get());
      const std::string pid = std::to_string(::getpid());
      if (::send(accepted.socket.get(), pid.data(), pid.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(pid.size())) {
        status = 0;
      }
    } catch (...) {
    }
    ::_exit(status);
  }
  const FileDescriptor client = connect_to("127.0.0.1", local_port(first.get()));
  char buffer[32];
  const ssize_t got = ::recv(client.get(), buffer, sizeof buffer, 0);  // 2 s time-out
  int status = -1;
  for (int i = 0; i < 500 && ::waitpid(child, &status, WNOHANG) == 0; ++i) {
    ::poll(nullptr, 0, 10);
  }
  if (status == -1) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
  }
  INFO("Step 3: the connection to the parent's port was served by the child, another process");
  REQUIRE(got > 0);
  const std::string server_pid(buffer, static_cast<std::size_t>(got));
  CHECK(server_pid == std::to_string(child));
  CHECK(server_pid != std::to_string(::getpid()));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
// [errata-port-process]
