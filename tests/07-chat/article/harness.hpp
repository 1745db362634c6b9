#pragma once
// Test-side helpers for the article tests: a transcribed program on a thread
// of its own, raw loopback sockets, and socklab's `chat` as a child process.
// Everything is bounded: sockets have time-outs, waits have limits.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "socklab/testkit/loopback.hpp"

#include "article_chat.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/process.hpp"
#include "socklab/testkit/process_facts.hpp"


namespace socklab::chat::article::testing {

using namespace std::chrono_literals;

/// A transcribed program running on a thread of its own.  The thread is
/// detached, like testkit::finish_within's: a program that never ends (the
/// bugs these tests show) cannot hang the test, which waits with a limit
/// (ended_within) and then stops it with Ctrl-C.
class Running {
 public:
  /// Starts \p body.  What \p body owns (the program object, and with it its
  /// sockets) is destroyed on that thread as soon as \p body ends, as the end
  /// of a Python process closes its sockets; only then does it count as ended.
  explicit Running(std::function<void()> body) : state_(std::make_shared<State>()) {
    state_->body = std::move(body);
    std::thread([state = state_] {
      {
        const std::lock_guard lock(state->mutex);
        state->thread = ::pthread_self();
        state->started = true;
      }
      state->changed.notify_all();
      try {
        state->body();
      } catch (...) {
        state->error = std::current_exception();
      }
      state->body = nullptr;  // the program object goes here, closing its sockets
      const std::lock_guard lock(state->mutex);
      state->ended = true;
      state->changed.notify_all();
    }).detach();
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [&] { return state_->started; });
  }

  /// Whether the program has ended (returned or raised) within \p limit.
  [[nodiscard]] bool ended_within(std::chrono::milliseconds limit) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, limit, [&] { return state_->ended; });
  }

  /// What the program died of: "ExceptionType: message", or "" while it runs.
  [[nodiscard]] std::string death() const {
    const std::exception_ptr error = this->error();
    if (!error) {
      return "";
    }
    try {
      std::rethrow_exception(error);
    } catch (const BaseException& e) {
      return e.python_type() + ": " + e.what();
    } catch (const std::exception& e) {
      return std::string("(C++) ") + e.what();
    }
  }

  /// The exception the program raised, if it ended by one of type \p E.
  template <typename E>
  [[nodiscard]] std::optional<E> raised() const {
    const std::exception_ptr error = this->error();
    if (!error) {
      return std::nullopt;
    }
    try {
      std::rethrow_exception(error);
    } catch (const E& e) {
      return e;
    } catch (...) {
      return std::nullopt;
    }
  }

  /// The thread, for pthread_kill.
  [[nodiscard]] pthread_t thread() const {
    const std::lock_guard lock(state_->mutex);
    return state_->thread;
  }

 private:
  [[nodiscard]] std::exception_ptr error() const {
    const std::lock_guard lock(state_->mutex);
    return state_->ended ? state_->error : nullptr;
  }

  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::function<void()> body;
    std::exception_ptr error;
    pthread_t thread{};
    bool started = false;
    bool ended = false;
  };
  std::shared_ptr<State> state_;
};

// ---------------------------------------------------------------------------
// Raw loopback sockets, the test's own.

/// A TCP socket connected to 127.0.0.1:\p port, with 3 s time-outs.
inline FileDescriptor connect_raw(std::uint16_t port, const char* host = "127.0.0.1") {
  FileDescriptor fd(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  testkit::set_io_timeout(fd.get(), 3s);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, host, &address.sin_addr);
  check("connect", ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
  return fd;
}

/// Sends all of \p bytes (the test's side: a loop, MSG_NOSIGNAL).
inline void send_raw(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    check("send", n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// Everything that arrives on \p fd until nothing more comes for \p quiet (or
/// the end of the stream), at most \p most bytes.
inline std::string drain(int fd, std::chrono::milliseconds quiet, std::size_t most = std::size_t{1} << 30) {
  std::string bytes;
  std::vector<char> chunk(1 << 16);
  while (bytes.size() < most) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(quiet.count())) <= 0) {
      break;
    }
    const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (n <= 0) {
      break;
    }
    bytes.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return bytes;
}

/// Whether a non-blocking connect on \p fd finishes (successfully) within \p limit.
inline bool connected_within(int fd, std::chrono::milliseconds limit) {
  pollfd waiting{fd, POLLOUT, 0};
  if (::poll(&waiting, 1, static_cast<int>(limit.count())) != 1) {
    return false;
  }
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  return error == 0;
}

using testkit::time_wait_count;

// ---------------------------------------------------------------------------
// socklab's chat, the reference build, as a child process.

/// A real program run by a test (socklab::testkit::Process; named Program
/// here, as Process is the article's Python process in article_chat.hpp).
using Program = socklab::testkit::Process;

/// `chat serve --port PORT` (the reference build) on 127.0.0.1, and the port
/// its first line says it listens on (0 when it did not say so in 5 s).
struct ChatServer {
  std::unique_ptr<Program> program;
  std::uint16_t port = 0;
  std::string first_line;
};

inline ChatServer start_chat_server(std::uint16_t port = 0) {
  ChatServer server;
  server.program = std::make_unique<Program>(
      std::vector<std::string>{CHAT_PROGRAM, "serve", "--host", "127.0.0.1", "--port", std::to_string(port)});
  server.first_line = server.program->line(5s).value_or("");
  const std::string prefix = "listening on 127.0.0.1:";
  if (server.first_line.starts_with(prefix)) {
    server.port = static_cast<std::uint16_t>(std::stoi(server.first_line.substr(prefix.size())));
  }
  return server;
}

/// A line-by-line client of the chat, as `nc 127.0.0.1 PORT` would be.
class LineClient {
 public:
  explicit LineClient(std::uint16_t port) : fd_(connect_raw(port)) {}
  /// Sends \p bytes as they are.
  void send(std::string_view bytes) { send_raw(fd_.get(), bytes); }
  /// The next line (without '\n'), or none within \p limit.
  std::optional<std::string> line(std::chrono::milliseconds limit = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (buffered_.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd waiting{fd_.get(), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&waiting, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      char chunk[65536];
      const ssize_t got = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
      if (got <= 0) {
        return std::nullopt;
      }
      buffered_.append(chunk, static_cast<std::size_t>(got));
    }
    const auto end = buffered_.find('\n');
    std::string text = buffered_.substr(0, end);
    buffered_.erase(0, end + 1);
    return text;
  }
  /// Reads lines until one starts with \p prefix (returned), or none within \p limit.
  std::optional<std::string> line_starting(std::string_view prefix, std::chrono::milliseconds limit = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return std::nullopt;
      }
      auto next = line(left);
      if (!next || next->starts_with(prefix)) {
        return next;
      }
    }
  }
  /// Closes the connection.
  void close() { fd_.close(); }

 private:
  FileDescriptor fd_;
  std::string buffered_;
};

}  // namespace socklab::chat::article::testing
