// Lab 05, tasks 2 to 4: connect, connect_ex, and connect with a time-out.
// Every server is a loopback socket the test makes itself on a port the
// kernel picks; student code that might block runs under finish_within.

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "calls.hpp"
#include "client.hpp"
#include "loopback_pair.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/oracle.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::client;
using namespace socklab::client::testing;
using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::accept_one;
using socklab::testkit::finish_within;
using socklab::testkit::json;
using socklab::testkit::listen_on_loopback;
using socklab::testkit::refused_loopback_port;
using socklab::testkit::set_io_timeout;

namespace {

// Sends `text` one way and reads it the other, with time-outs on both ends.
std::string echo_through(int from, int to, const std::string& text) {
  set_io_timeout(from, 2s);
  set_io_timeout(to, 2s);
  check("send", ::send(from, text.data(), text.size(), MSG_NOSIGNAL));
  char buffer[256];
  const auto got = check("recv", ::recv(to, buffer, sizeof buffer, 0));
  return std::string(buffer, static_cast<std::size_t>(got));
}

// What connect() threw: its code, and what() (empty when it returned).
struct Thrown {
  std::error_code code;
  std::string what;
};

template <typename Work>
std::optional<Thrown> thrown_by(Work work) {
  return finish_within(5s, [work]() -> Thrown {
    try {
      work();
    } catch (const std::system_error& e) {
      return {e.code(), e.what()};
    }
    return {};
  });
}

std::error_code system_code(int error) { return {error, std::system_category()}; }

}  // namespace

// ---- Task 2 -------------------------------------------------------------------

TEST_CASE("connect reaches a loopback listener", "[task_2][points:2]") {
  const auto listener = listen_on_loopback();
  const FileDescriptor fd = raw_stream(AF_INET);
  set_io_timeout(fd.get(), 5s);
  INFO("Step 1: connect(fd, {\"127.0.0.1\", " << listener.port << "})");
  REQUIRE(finish_within(5s, [&] {
            connect(fd.get(), {"127.0.0.1", listener.port});
            return true;
          }).has_value());
  REQUIRE(connected_port(fd.get()) == listener.port);
  INFO("Step 2: the server accepts it, and bytes go through");
  const FileDescriptor accepted = accept_one(listener);
  CHECK(echo_through(fd.get(), accepted.get(), "hello") == "hello");
}

TEST_CASE("connect throws ECONNREFUSED where nothing listens", "[task_2][points:1]") {
  const auto refused = refused_loopback_port();
  const FileDescriptor fd = raw_stream(AF_INET);
  INFO("Step 1: connect(fd, {\"127.0.0.1\", " << refused.port << "}): bound there, not listening");
  const auto outcome = thrown_by([&] { connect(fd.get(), {"127.0.0.1", refused.port}); });
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->code == system_code(ECONNREFUSED));
  INFO("what(): " << outcome->what);
  CHECK(outcome->what.find("connect") != std::string::npos);
  INFO("Step 2: text that is not a numeric address: std::invalid_argument");
  const FileDescriptor other = raw_stream(AF_INET);
  CHECK_THROWS_AS(connect(other.get(), {"localhost", refused.port}), std::invalid_argument);
}

TEST_CASE("connect over IPv6 where the machine has it, and never across families", "[task_2][points:1]") {
  const auto listener = listen_on_loopback();
  INFO("Step 1: an IPv6 address on an AF_INET socket: the kernel says EAFNOSUPPORT");
  const FileDescriptor ipv4 = raw_stream(AF_INET);
  const auto mismatch = thrown_by([&] { connect(ipv4.get(), {"::1", listener.port}); });
  REQUIRE(mismatch.has_value());
  REQUIRE(mismatch->code == system_code(EAFNOSUPPORT));

  const int ipv6_error = ipv6_loopback_error();
  if (ipv6_error != 0) {
    WARN("No IPv6 loopback on this machine (" << std::system_category().message(ipv6_error)
                                              << "): only the IPv4 path is checked");
    return;
  }
  INFO("Step 2: connect(AF_INET6 socket, {\"::1\", port of an IPv6 listener})");
  const auto listener6 = listen_on_loopback(AF_INET6);
  const FileDescriptor fd = raw_stream(AF_INET6);
  set_io_timeout(fd.get(), 5s);
  const auto connected = thrown_by([&] { connect(fd.get(), {"::1", listener6.port}); });
  REQUIRE(connected.has_value());
  REQUIRE(connected->code == std::error_code());
  CHECK(connected_port(fd.get()) == listener6.port);
  INFO("Step 3: a closed port on ::1 is refused too");
  const auto refused6 = refused_ipv6_port();
  const FileDescriptor other = raw_stream(AF_INET6);
  const auto refused = thrown_by([&] { connect(other.get(), {"::1", refused6.port}); });
  REQUIRE(refused.has_value());
  CHECK(refused->code == system_code(ECONNREFUSED));
}

// ---- Task 3 -------------------------------------------------------------------

TEST_CASE("connect_ex returns 0 and connects", "[task_3][points:1]") {
  const auto listener = listen_on_loopback();
  const FileDescriptor fd = raw_stream(AF_INET);
  set_io_timeout(fd.get(), 5s);
  INFO("Step 1: connect_ex(fd, {\"127.0.0.1\", " << listener.port << "})");
  const auto result = finish_within(5s, [&] { return connect_ex(fd.get(), {"127.0.0.1", listener.port}); });
  REQUIRE(result.has_value());
  REQUIRE(connected_port(fd.get()) == listener.port);
  CHECK(*result == 0);
}

TEST_CASE("connect_ex returns ECONNREFUSED instead of throwing", "[task_3][points:1]") {
  const auto refused = refused_loopback_port();
  const FileDescriptor fd = raw_stream(AF_INET);
  INFO("Step 1: connect_ex(fd, {\"127.0.0.1\", " << refused.port << "})");
  const auto result = finish_within(5s, [&] { return connect_ex(fd.get(), {"127.0.0.1", refused.port}); });
  REQUIRE(result.has_value());
  REQUIRE(*result == ECONNREFUSED);
  INFO("Step 2: an IPv6 address on an AF_INET socket: returned too, EAFNOSUPPORT");
  const FileDescriptor other = raw_stream(AF_INET);
  CHECK(connect_ex(other.get(), {"::1", refused.port}) == EAFNOSUPPORT);
  INFO("Step 3: text that is not an address is a mistake in the call: it throws");
  CHECK_THROWS_AS(connect_ex(other.get(), {"not an address", refused.port}), std::invalid_argument);
}

namespace {
std::atomic<int> signals_handled{0};
extern "C" void count_signal(int) { signals_handled.fetch_add(1); }
}  // namespace

TEST_CASE("connect_ex waits out EINTR, as Python does", "[task_3][points:2]") {
  INFO("Step 1: a listener whose queue is full: a blocking connect there waits for a free place");
  FullQueue full = full_queue();
  const FileDescriptor fd = raw_stream(AF_INET);

  INFO("Step 2: a SIGUSR1 handler without SA_RESTART, so a blocked connect() fails with EINTR");
  struct sigaction action {};
  action.sa_handler = count_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  check("sigaction", ::sigaction(SIGUSR1, &action, &previous));
  signals_handled = 0;

  INFO("Step 3: connect_ex(blocking fd, the full queue) on a thread; SIGUSR1 to it after 300 ms");
  auto outcome = std::make_shared<std::promise<int>>();
  std::future<int> result = outcome->get_future();
  const std::uint16_t port = full.listener.port;
  std::thread worker([outcome, descriptor = fd.get(), port] {
    try {
      outcome->set_value(connect_ex(descriptor, {"127.0.0.1", port}));
    } catch (...) {
      outcome->set_exception(std::current_exception());
    }
  });
  std::this_thread::sleep_for(300ms);
  ::pthread_kill(worker.native_handle(), SIGUSR1);

  INFO("Step 4: make room in the queue: the kernel's next SYN (about 1 s in) gets through");
  std::this_thread::sleep_for(100ms);
  const FileDescriptor first = accept_one(full.listener);
  const bool finished = result.wait_for(8s) == std::future_status::ready;
  if (finished) {
    worker.join();
  } else {
    worker.detach();
  }
  ::sigaction(SIGUSR1, &previous, nullptr);
  REQUIRE(finished);
  const int returned = result.get();
  INFO("connect_ex returned " << returned << " (" << std::system_category().message(returned) << ")");
  REQUIRE(signals_handled == 1);
  INFO("Step 5: the signal is not a failure: connect_ex waited, and the socket is connected");
  REQUIRE(connected_port(fd.get()) == port);
  CHECK(returned == 0);
}

TEST_CASE("connect_ex agrees with the reference over addresses, ports and families", "[task_3][points:2]") {
  INFO("Step 1: ports on loopback: listening (never accepted: the queue holds the connections) or closed");
  const auto listener = listen_on_loopback(AF_INET, 128);
  const auto refused = refused_loopback_port();
  std::vector<std::pair<std::string, std::uint16_t>> targets = {
      {"127.0.0.1", listener.port}, {"127.0.0.1", refused.port},   {"::ffff:127.0.0.1", listener.port},
      {"::1", listener.port},       {"127.1", listener.port},      {"localhost", listener.port},
      {"", refused.port},           {"0.0.0.0", refused.port}};
  std::optional<socklab::testkit::LoopbackPort> listener6;
  std::optional<socklab::testkit::LoopbackPort> refused6;
  if (ipv6_loopback_error() == 0) {
    listener6 = listen_on_loopback(AF_INET6, 128);
    refused6 = refused_ipv6_port();
    targets.insert(targets.end(), {{"::1", listener6->port}, {"::1", refused6->port}});
  } else {
    WARN("No IPv6 loopback on this machine: ::1 is checked only where it fails");
  }
  json inputs = json::array();
  for (const int family : {AF_INET, AF_INET6}) {
    for (const bool nonblocking : {false, true}) {
      for (const auto& [address, port] : targets) {
        inputs.push_back({{"family", family}, {"nonblocking", nonblocking}, {"address", address}, {"port", port}});
      }
    }
  }
  INFO("Step 2: each input: a new socket made by the test, then your connect_ex, and the reference's");
  const FileDescriptor fd = raw_stream(AF_INET);
  REQUIRE(connect_ex(fd.get(), {"127.0.0.1", refused.port}) == ECONNREFUSED);
  const auto difference = socklab::testkit::first_difference(calls(), "connect_ex", inputs);
  INFO(socklab::testkit::describe("connect_ex", difference));
  CHECK_FALSE(difference.has_value());
}

// ---- Task 4 -------------------------------------------------------------------

TEST_CASE("connect_with_timeout connects and hands back a blocking socket", "[task_4][points:2]") {
  const auto listener = listen_on_loopback();
  INFO("Step 1: connect_with_timeout({\"127.0.0.1\", " << listener.port << "}, 2 s)");
  auto connected = finish_within(5s, [&] { return connect_with_timeout({"127.0.0.1", listener.port}, 2s); });
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  REQUIRE(connected_port(connected->get()) == listener.port);
  INFO("Step 2: blocking again, and close-on-exec");
  CHECK(is_blocking(connected->get()));
  CHECK(socklab::testkit::is_close_on_exec(connected->get()));
  const FileDescriptor accepted = accept_one(listener);
  CHECK(echo_through(connected->get(), accepted.get(), "hello") == "hello");
}

TEST_CASE("connect_with_timeout reports a refused connection at once", "[task_4][points:1]") {
  const auto refused = refused_loopback_port();
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = thrown_by([&] { (void)connect_with_timeout({"127.0.0.1", refused.port}, 3s); });
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->code == system_code(ECONNREFUSED));
  INFO("A refusal is an answer: there is nothing to wait for");
  CHECK(took < 1s);
  CHECK_THROWS_AS(connect_with_timeout({"127.1", refused.port}, 1s), std::invalid_argument);
}

TEST_CASE("connect_with_timeout gives ETIMEDOUT when nobody answers", "[task_4][points:2]") {
  INFO("Step 1: a listener with a full queue: the kernel drops new SYNs, so connecting there hangs");
  FullQueue full = full_queue();
  INFO("Step 2: connect_with_timeout(that port, 300 ms)");
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = thrown_by([&] { (void)connect_with_timeout({"127.0.0.1", full.listener.port}, 300ms); });
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->code == system_code(ETIMEDOUT));
  INFO("Step 3: it waited the time-out, and not much longer");
  CHECK(took >= 290ms);
  CHECK(took < 3s);
}

TEST_CASE("connect_with_timeout over IPv6, where the machine has it", "[task_4][points:1]") {
  const int ipv6_error = ipv6_loopback_error();
  if (ipv6_error != 0) {
    INFO("No IPv6 loopback here (" << std::system_category().message(ipv6_error) << "): connecting to ::1 fails");
    const auto outcome = thrown_by([&] { (void)connect_with_timeout({"::1", 9}, 300ms); });
    REQUIRE(outcome.has_value());
    CHECK(outcome->code != std::error_code());
    return;
  }
  INFO("Step 1: an IPv6 listener on ::1");
  const auto listener = listen_on_loopback(AF_INET6);
  auto connected = finish_within(5s, [&] { return connect_with_timeout({"::1", listener.port}, 2s); });
  REQUIRE(connected.has_value());
  REQUIRE(connected->get() >= 0);
  REQUIRE(connected_port(connected->get()) == listener.port);
  CHECK(is_blocking(connected->get()));
  INFO("Step 2: a full queue on ::1 times out the same way");
  FullQueue full = full_queue(AF_INET6);
  const auto outcome = thrown_by([&] { (void)connect_with_timeout({"::1", full.listener.port}, 300ms); });
  REQUIRE(outcome.has_value());
  CHECK(outcome->code == system_code(ETIMEDOUT));
}
