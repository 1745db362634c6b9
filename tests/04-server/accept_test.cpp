// Lab 04, task 3: accept_one, Python's `conn, addr = s.accept()`.  The
// listeners here are the test's own (loopback, port 0, 5 s accept time-out),
// and accept_one runs under finish_within, so a hang fails instead of stalling.

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "helpers.hpp"
#include "listener.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace socklab::server;
using namespace socklab::server::testing;
using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::finish_within;
using socklab::testkit::is_close_on_exec;
using socklab::testkit::listen_on_loopback;
using socklab::testkit::local_port;

namespace {

// accept_one(listener) within 5 s, or nothing.
std::optional<Accepted> accept_within(int listener) {
  return finish_within(5s, [listener] { return accept_one(listener); });
}

std::atomic<int> signals_seen{0};
extern "C" void count_signal(int) { signals_seen.fetch_add(1); }

}  // namespace

TEST_CASE("accept_one returns the connected socket and the client's address", "[task_3][points:2]") {
  const auto listener = listen_on_loopback(AF_INET);
  INFO("Step 1: a client connects to 127.0.0.1 port " << listener.port << "; accept_one(listener)");
  const FileDescriptor client = connect_to("127.0.0.1", listener.port);
  auto accepted = accept_within(listener.socket.get());
  REQUIRE(accepted.has_value());
  REQUIRE(accepted->socket.get() >= 0);
  INFO("Step 2: the peer is the client: 127.0.0.1 and the client's own port");
  CHECK(accepted->peer == Endpoint{"127.0.0.1", local_port(client.get())});
  CHECK(is_close_on_exec(accepted->socket.get()));
  INFO("Step 3: the new socket is connected to the client, both ways");
  CHECK(pass(client.get(), accepted->socket.get(), "ping") == "ping");
  CHECK(pass(accepted->socket.get(), client.get(), "pong") == "pong");
  INFO("Step 4: the listener is still listening: a second client, a second accept");
  const FileDescriptor second = connect_to("127.0.0.1", listener.port);
  auto again = accept_within(listener.socket.get());
  REQUIRE(again.has_value());
  CHECK(again->peer.port == local_port(second.get()));
  CHECK(again->socket.get() != accepted->socket.get());
}

TEST_CASE("accept_one on an IPv6 listener shows the peer as ::1", "[task_3][points:1]") {
  const auto listener = listen_on_loopback(AF_INET6);
  const FileDescriptor client = connect_to("::1", listener.port);
  auto accepted = accept_within(listener.socket.get());
  REQUIRE(accepted.has_value());
  REQUIRE(accepted->socket.get() >= 0);
  CHECK(accepted->peer == Endpoint{"::1", local_port(client.get())});
}

// [errata-accept-mapped]
TEST_CASE("accept_one shows an IPv4 client of a dual-stack listener by its IPv4-mapped address", "[task_3][points:1]") {
  INFO("Step 1: the test makes an AF_INET6 listener, IPV6_V6ONLY off, on ::ffff:127.0.0.1 port 0");
  FileDescriptor listener(check("socket", ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  const int off = 0;
  check("setsockopt", ::setsockopt(listener.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
  socklen_t length = 0;
  const sockaddr_storage mapped = socket_address("::ffff:127.0.0.1", 0, length);
  check("bind", ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&mapped), length));
  check("listen", ::listen(listener.get(), 4));
  socklab::testkit::set_io_timeout(listener.get(), 5s);
  INFO("Step 2: an IPv4 client connects to 127.0.0.1; accept_one(listener)");
  const FileDescriptor client = connect_to("127.0.0.1", local_port(listener.get()));
  auto accepted = accept_within(listener.get());
  REQUIRE(accepted.has_value());
  REQUIRE(accepted->socket.get() >= 0);
  CHECK(accepted->peer == Endpoint{"::ffff:127.0.0.1", local_port(client.get())});
}
// [errata-accept-mapped]

TEST_CASE("accept_one throws std::system_error naming accept", "[task_3][points:1]") {
  const auto listener = listen_on_loopback(AF_INET);
  const FileDescriptor client = connect_to("127.0.0.1", listener.port);
  auto first = accept_within(listener.socket.get());
  REQUIRE(first.has_value());
  REQUIRE(first->socket.get() >= 0);
  INFO("Step 1: nobody else connects, and the listener's time-out (SO_RCVTIMEO) ends the wait: EAGAIN");
  socklab::testkit::set_io_timeout(listener.socket.get(), 200ms);
  auto outcome = finish_within(5s, [&]() -> std::pair<std::error_code, std::string> {
    try {
      (void)accept_one(listener.socket.get());
    } catch (const std::system_error& e) {
      return {e.code(), e.what()};
    }
    return {};
  });
  REQUIRE(outcome.has_value());
  CHECK(outcome->first == std::error_code(EAGAIN, std::system_category()));
  CHECK(outcome->second.find("accept") != std::string::npos);
  INFO("Step 2: a socket that is not listening: EINVAL");
  const auto bound = socklab::testkit::refused_loopback_port();
  try {
    (void)accept_one(bound.socket.get());
    FAIL("accept_one on a socket that does not listen returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EINVAL, std::system_category()));
  }
}

TEST_CASE("accept_one keeps waiting when a signal interrupts it", "[task_3][points:1]") {
  INFO("Step 1: a SIGUSR1 handler without SA_RESTART; only accept_one's thread may take the signal");
  struct sigaction action {};
  action.sa_handler = count_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the interrupted accept4 fails with EINTR
  check("sigaction", ::sigaction(SIGUSR1, &action, nullptr));
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  // Blocked here, and so in every thread started from here on, except where
  // unblocked.  It stays blocked (and the handler stays) to the end of the
  // process: a signal still pending then can do no harm.
  ::pthread_sigmask(SIG_BLOCK, &usr1, nullptr);

  const auto listener = listen_on_loopback(AF_INET);
  std::atomic<bool> waiting{false};
  FileDescriptor client;
  bool connected = false;
  INFO("Step 2: accept_one waits; 200 ms later the process gets SIGUSR1; 200 ms after that a client connects");
  std::thread signaller([&] {
    for (int i = 0; i < 400 && !waiting.load(); ++i) {
      std::this_thread::sleep_for(5ms);
    }
    std::this_thread::sleep_for(200ms);  // let accept4 block
    ::kill(::getpid(), SIGUSR1);         // only the unblocked thread can take it
    std::this_thread::sleep_for(200ms);
    try {
      client = connect_to("127.0.0.1", listener.port);
      connected = true;
    } catch (const std::exception&) {
      connected = false;
    }
  });
  std::optional<Accepted> accepted;
  std::exception_ptr failure;  // rethrown after the join: a joinable std::thread must not be destroyed
  try {
    accepted = finish_within(5s, [&] {
      ::pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);
      waiting = true;
      return accept_one(listener.socket.get());
    });
  } catch (...) {
    failure = std::current_exception();
  }
  signaller.join();
  if (failure) {
    std::rethrow_exception(failure);
  }
  REQUIRE(accepted.has_value());
  REQUIRE(accepted->socket.get() >= 0);
  REQUIRE(connected);
  INFO("Step 3: the signal arrived during the wait, and accept_one went on to accept the client");
  CHECK(signals_seen.load() == 1);
  CHECK(accepted->peer.port == local_port(client.get()));
}
