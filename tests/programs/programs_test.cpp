// echo-server and echo-client, run as a user runs them: real processes,
// loopback only, everything bounded by time-outs.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
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
#include "socklab/testkit/process_facts.hpp"

extern char** environ;

using namespace std::chrono_literals;
using socklab::check;
using socklab::FileDescriptor;

namespace {

// A child process with pipes to its standard input and output; killed (with
// its whole process group) if still running when this object goes.
class Program {
 public:
  explicit Program(std::vector<std::string> argv) {
    int in[2];
    int out[2];
    check("pipe2", ::pipe2(in, O_CLOEXEC));
    check("pipe2", ::pipe2(out, O_CLOEXEC));
    FileDescriptor child_in(in[0]);
    FileDescriptor child_out(out[1]);
    stdin_ = FileDescriptor(in[1]);
    stdout_ = FileDescriptor(out[0]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    std::vector<char*> args;
    for (auto& arg : argv) {
      args.push_back(arg.data());
    }
    args.push_back(nullptr);
    const int error = ::posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
      throw std::system_error(error, std::system_category(), "posix_spawn " + argv[0]);
    }
  }
  ~Program() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  void write(const std::string& text) { check("write", ::write(stdin_.get(), text.data(), text.size())); }
  void close_input() { stdin_.close(); }
  void signal(int number) { ::kill(pid_, number); }

  // Output up to the next newline, or all of it up to end of output, within `limit`.
  std::string read(std::chrono::milliseconds limit, bool to_end) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (to_end || buffered_.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd waiting{stdout_.get(), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&waiting, 1, static_cast<int>(left.count())) <= 0) {
        break;
      }
      char chunk[4096];
      const ssize_t got = ::read(stdout_.get(), chunk, sizeof chunk);
      if (got <= 0) {
        break;
      }
      buffered_.append(chunk, static_cast<std::size_t>(got));
    }
    const auto end = to_end ? std::string::npos : buffered_.find('\n');
    std::string text = buffered_.substr(0, end == std::string::npos ? end : end + 1);
    buffered_.erase(0, text.size());
    return text;
  }

  // The exit status, if the program ends within `limit`.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  FileDescriptor stdin_;
  FileDescriptor stdout_;
  std::string buffered_;
};

// Starts echo-server on 127.0.0.1 and reads its port from its first line.
std::uint16_t start_server(Program& server) {
  const std::string first = server.read(5s, false);
  INFO("echo-server's first line: " << first);
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
  Program server({ECHO_SERVER, "--host", "127.0.0.1", "--port", "0"});
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
  Program server({ECHO_SERVER, "--port", "0"});
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
  Program server({ECHO_SERVER, "--port", "0"});
  (void)start_server(server);
  server.signal(SIGTERM);
  const auto status = server.wait(5s);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("echo-client sends its input, prints the echo and ends at end of input", "[programs]") {
  Program server({ECHO_SERVER, "--port", "0"});
  const std::uint16_t port = start_server(server);
  Program client({ECHO_CLIENT, "127.0.0.1", std::to_string(port), "--quiet"});
  client.write("hello\nworld\n");
  client.close_input();
  CHECK(client.read(5s, true) == "hello\nworld\n");
  const auto status = client.wait(5s);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("echo-client --probe finds the listening port", "[programs]") {
  Program server({ECHO_SERVER, "--port", "0"});
  const std::uint16_t port = start_server(server);
  const std::string range = std::to_string(port) + "-" + std::to_string(port);
  Program probe({ECHO_CLIENT, "--probe", "127.0.0.1", range});
  probe.close_input();
  const std::string output = probe.read(10s, true);
  INFO(output);
  CHECK(output.find(std::to_string(port)) != std::string::npos);
  const auto status = probe.wait(5s);
  REQUIRE(status.has_value());
  CHECK(WEXITSTATUS(*status) == 0);
}
