// echo-server and echo-client, run as a user runs them: real processes,
// loopback only, everything bounded by time-outs.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/process.hpp"
#include "socklab/testkit/process_facts.hpp"

using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;
using socklab::testkit::Process;

namespace {

// Starts echo-server on 127.0.0.1 and reads its port from its first line.
std::uint16_t start_server(Process& server) {
  const std::string first = server.line(5s).value_or("");
  INFO("echo-server's first line: " << first << "\nits errors: " << server.errors());
  const std::string prefix = "listening on 127.0.0.1 port ";
  REQUIRE(first.starts_with(prefix));
  return static_cast<std::uint16_t>(std::stoi(first.substr(prefix.size())));
}

FileDescriptor connect_to(std::uint16_t port) {
  FileDescriptor fd(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  socklab::testkit::set_io_timeout(fd.get(), 3s);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check("connect", ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
  return fd;
}

std::string echo(int fd, const std::string& text) {
  check("send", ::send(fd, text.data(), text.size(), MSG_NOSIGNAL));
  std::string back;
  char buffer[256];
  while (back.size() < text.size()) {
    const auto got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) {
      break;
    }
    back.append(buffer, static_cast<std::size_t>(got));
  }
  return back;
}

}  // namespace

TEST_CASE("echo-server says where it listens and echoes to several clients at once", "[programs]") {
  Process server({ECHO_SERVER, "--host", "127.0.0.1", "--port", "0"});
  const std::uint16_t port = start_server(server);
  std::vector<FileDescriptor> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connect_to(port));
  }
  for (int i = 2; i >= 0; --i) {  // answered in any order, not one client at a time
    const std::string text = "client " + std::to_string(i);
    CHECK(echo(clients[static_cast<std::size_t>(i)].get(), text) == text);
  }
}

TEST_CASE("echo-server keeps serving others while one client never reads", "[programs]") {
  Process server({ECHO_SERVER, "--port", "0"});
  const std::uint16_t port = start_server(server);
  INFO("Step 1: a client sends for one second and reads nothing");
  const FileDescriptor hog = connect_to(port);
  const std::string block(64 * 1024, 'x');
  std::size_t sent = 0;
  for (const auto until = std::chrono::steady_clock::now() + 1s; std::chrono::steady_clock::now() < until;) {
    const auto n = ::send(hog.get(), block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  INFO("Step 2: it managed " << sent << " bytes; now another client must still get its echo");
  const FileDescriptor other = connect_to(port);
  CHECK(echo(other.get(), "still served") == "still served");
}

TEST_CASE("echo-server ends cleanly on SIGTERM", "[programs]") {
  Process server({ECHO_SERVER, "--port", "0"});
  (void)start_server(server);
  server.signal(SIGTERM);
  const auto status = server.wait(5s);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("echo-client sends its input, prints the echo and ends at end of input", "[programs]") {
  Process server({ECHO_SERVER, "--port", "0"});
  const std::uint16_t port = start_server(server);
  Process client({ECHO_CLIENT, "127.0.0.1", std::to_string(port), "--quiet"});
  client.write("hello\nworld\n");
  client.close_input();
  CHECK(client.rest(5s) == "hello\nworld\n");
  const auto status = client.wait(5s);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("echo-client --probe finds the listening port", "[programs]") {
  Process server({ECHO_SERVER, "--port", "0"});
  const std::uint16_t port = start_server(server);
  const std::string range = std::to_string(port) + "-" + std::to_string(port);
  Process probe({ECHO_CLIENT, "--probe", "127.0.0.1", range});
  probe.close_input();
  const std::string output = probe.rest(10s);
  INFO(output);
  CHECK(output.find(std::to_string(port)) != std::string::npos);
  const auto status = probe.wait(5s);
  REQUIRE(status.has_value());
  CHECK(WEXITSTATUS(*status) == 0);
}
