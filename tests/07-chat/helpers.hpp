#pragma once
// Test-side helpers for lab 07: pipes and connected sockets made with raw
// system calls (never with the student's code), time-outs on every socket, a
// reader that collects what arrives on a descriptor within a deadline, and a
// runner that puts run_duplex on a thread of its own.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "duplex.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/deadline.hpp"
#include "socklab/testkit/loopback.hpp"
#include "socklab/testkit/process_facts.hpp"

namespace socklab::chat::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---- Descriptors ---------------------------------------------------------------

/// Both ends of a pipe, close-on-exec.
struct Pipe {
  FileDescriptor read_end;
  FileDescriptor write_end;
};

inline Pipe make_pipe() {
  int fds[2];
  check("pipe2", ::pipe2(fds, O_CLOEXEC));
  return {FileDescriptor(fds[0]), FileDescriptor(fds[1])};
}

using Connected = testkit::ConnectedPair;
using testkit::tcp_pair;
using testkit::unix_pair;

inline void set_int_option(int fd, int level, int name, int value) {
  check("setsockopt", ::setsockopt(fd, level, name, &value, sizeof value));
}

inline void set_non_blocking(int fd) {
  check("fcntl", ::fcntl(fd, F_SETFL, check("fcntl", ::fcntl(fd, F_GETFL)) | O_NONBLOCK));
}

/// Makes close(\p fd) abort the connection: the peer gets a reset (RST), not an end of stream.
inline void set_abort_on_close(int fd) {
  const linger abort{1, 0};
  check("setsockopt", ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort));
}

/// Test-side write of all of \p text to a socket or a pipe (within its
/// time-out; sockets with MSG_NOSIGNAL).  \throws std::system_error.
inline void write_all(int fd, std::string_view text, bool socket = true) {
  while (!text.empty()) {
    const ssize_t n = socket ? ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) : ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    text.remove_prefix(static_cast<std::size_t>(check(socket ? "send" : "write", n)));
  }
}

/// \p size bytes of a pattern that shows where a byte went missing or came twice.
inline std::string pattern(std::size_t size, unsigned seed = 0) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>('a' + (i * 7 + i / 251 + seed * 13) % 26);
  }
  return text;
}

/// Sets SIGPIPE to its default action (death) for the life of this object,
/// so that a write to a closed peer without MSG_NOSIGNAL kills the test
/// process, as it would kill a server.  (The oracle, started by other tests
/// in the same process, ignores SIGPIPE.)
class DefaultSigpipe {
 public:
  DefaultSigpipe() {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    check("sigaction", ::sigaction(SIGPIPE, &action, &previous_));
  }
  ~DefaultSigpipe() { ::sigaction(SIGPIPE, &previous_, nullptr); }
  DefaultSigpipe(const DefaultSigpipe&) = delete;
  DefaultSigpipe& operator=(const DefaultSigpipe&) = delete;

 private:
  struct sigaction previous_ {};
};

// ---- Reading within a deadline ---------------------------------------------------

/// Collects what arrives on a pipe or socket, on the test's own thread: every
/// wait has a time limit, so a test never blocks on code under test.
class Collector {
 public:
  explicit Collector(int fd) : fd_(fd) {}

  /// Reads until the text holds \p needle; false when \p limit runs out first.
  bool wait_for(std::string_view needle, std::chrono::milliseconds limit = 5s) {
    return read_until([&] { return text_.find(needle) != std::string::npos; }, limit);
  }
  /// Reads until at least \p size bytes have come; false when \p limit runs out first.
  bool wait_for_size(std::size_t size, std::chrono::milliseconds limit = 5s) {
    return read_until([&] { return text_.size() >= size; }, limit);
  }
  /// Reads until the end of the stream; false when \p limit runs out first.
  bool wait_for_end(std::chrono::milliseconds limit = 5s) {
    return read_until([] { return false; }, limit) || ended_;
  }
  /// Reads what arrives within \p limit (at most one read), without waiting for more.
  void read_for(std::chrono::milliseconds limit) { (void)read_once(Clock::now() + limit); }
  /// Reads whatever is ready now, without waiting.
  void read_ready() {
    for (int i = 0; i < 1000 && !ended_ && error_ == 0; ++i) {
      const std::size_t before = text_.size();
      if (!read_once(Clock::now()) || text_.size() == before) {
        return;
      }
    }
  }

  /// Everything read so far.
  [[nodiscard]] const std::string& text() const { return text_; }
  /// Whether the stream has ended (read returned 0).
  [[nodiscard]] bool ended() const { return ended_; }
  /// The errno of a failed read, 0 when none failed.
  [[nodiscard]] int error() const { return error_; }
  /// How many times \p needle occurs in the text.
  [[nodiscard]] std::size_t count(std::string_view needle) const {
    std::size_t found = 0;
    for (auto at = text_.find(needle); at != std::string::npos; at = text_.find(needle, at + needle.size())) {
      ++found;
    }
    return found;
  }

 private:
  template <typename Done>
  bool read_until(Done done, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
      if (ended_ || error_ != 0 || !read_once(deadline)) {
        return done();
      }
    }
    return true;
  }

  // One poll and read before the deadline: false when time ran out.
  bool read_once(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd ready{fd_, POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(std::max<long>(left.count(), 0)));
    if (polled < 0 && errno == EINTR) {
      return true;
    }
    if (polled <= 0) {
      return false;
    }
    char buffer[65536];
    const ssize_t got = ::read(fd_, buffer, sizeof buffer);
    if (got > 0) {
      text_.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0) {
      ended_ = true;
    } else if (errno != EINTR && errno != EAGAIN) {
      error_ = errno;
    }
    return true;
  }

  int fd_;
  std::string text_;
  bool ended_ = false;
  int error_ = 0;
};

// ---- run_duplex on a thread of its own -------------------------------------------

/// What the hooks were called with (they run on the loop's thread).
class Seen {
 public:
  void typed(std::string_view line) {
    const std::lock_guard lock(mutex_);
    typed_.emplace_back(line);
  }
  void received(std::string_view line) {
    const std::lock_guard lock(mutex_);
    received_.emplace_back(line);
  }
  [[nodiscard]] std::vector<std::string> typed() const {
    const std::lock_guard lock(mutex_);
    return typed_;
  }
  [[nodiscard]] std::vector<std::string> received() const {
    const std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> typed_;
  std::vector<std::string> received_;
};

/// Hooks that send each typed line as it is, with "\n", and show each received
/// line as "> line\n"; both are recorded in \p seen.
inline DuplexHooks plain_hooks(const std::shared_ptr<Seen>& seen) {
  DuplexHooks hooks;
  hooks.typed = [seen](std::string_view line) {
    seen->typed(line);
    return std::string(line) + "\n";
  };
  hooks.received = [seen](std::string_view line) {
    seen->received(line);
    return "> " + std::string(line) + "\n";
  };
  return hooks;
}

/// How run_duplex ended: what it returned, or what it threw.
struct DuplexOutcome {
  std::optional<DuplexEnd> end;  ///< set when it returned
  std::string error;             ///< what() of what it threw
  int error_number = 0;          ///< the errno of a std::system_error it threw
};

/// How \p outcome reads in a message: "returned input_ended", "threw: recv: …".
inline std::string ended_as(const std::optional<DuplexOutcome>& outcome) {
  if (!outcome) {
    return "still running";
  }
  if (outcome->end) {
    return *outcome->end == DuplexEnd::input_ended ? "returned input_ended" : "returned server_closed";
  }
  return "threw: " + outcome->error;
}

/// Waits (at most \p limit, checking every 5 ms) until \p done() is true.
template <typename Done>
bool wait_until(Done done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

/// One run of run_duplex, and the test's sides of it: the input pipe's write
/// end (the keyboard) and a reader of the output pipe (the screen); the test
/// keeps the server's socket itself.  The loop's descriptors, and the
/// output's read end, belong to a state shared with the loop's thread: they
/// stay open while either lives, so a loop left running by a failed test
/// never uses a closed (or reused) descriptor, nor dies of SIGPIPE writing
/// its output after the test has ended.
class DuplexRun {
 public:
  /// Starts run_duplex(input, output, \p client, \p hooks, \p max_line) on a
  /// thread of its own, with new pipes for the input and the output.
  DuplexRun(FileDescriptor client, DuplexHooks hooks, std::size_t max_line = 64 * 1024) {
    Pipe input = make_pipe();
    Pipe output = make_pipe();
    keyboard = std::move(input.write_end);
    set_non_blocking(keyboard.get());  // type() waits for room with a deadline
    screen = Collector(output.read_end.get());
    state_ = std::make_shared<State>(State{std::move(input.read_end), std::move(output.write_end),
                                           std::move(output.read_end), std::move(client), std::move(hooks), max_line});
    std::packaged_task<DuplexOutcome()> task([state = state_] {
      DuplexOutcome outcome;
      try {
        outcome.end = run_duplex(state->input.get(), state->output.get(), state->socket.get(), state->hooks,
                                 state->max_line);
      } catch (const std::system_error& error) {
        outcome.error = error.what();
        outcome.error_number = error.code().value();
      } catch (const std::exception& error) {
        outcome.error = std::string("(not a std::system_error) ") + error.what();
      }
      return outcome;
    });
    result_ = task.get_future().share();
    std::thread(std::move(task)).detach();
  }

  /// Waits at most \p limit for run_duplex to end (under testkit's
  /// finish_within): its outcome, or nothing while it is still running.
  std::optional<DuplexOutcome> finish(std::chrono::milliseconds limit = 5s) {
    return testkit::finish_within(limit, [result = result_] { return result.get(); });
  }

  /// Whether run_duplex has ended (without waiting).
  [[nodiscard]] bool ended() const { return result_.wait_for(0s) == std::future_status::ready; }
  /// How run_duplex stands now, for a failure message: "still running", "returned …", "threw: …".
  [[nodiscard]] std::string status() const {
    return ended() ? ended_as(result_.get()) : std::string("still running");
  }

  /// Types \p text on the input.  \throws std::runtime_error when the input
  /// pipe stays full for 5 s (run_duplex is not reading it).
  void type(std::string_view text) {
    if (!testkit::write_within(keyboard.get(), text, 5s)) {
      throw std::runtime_error("the input pipe stayed full for 5 s: run_duplex is not reading its input");
    }
  }
  /// Ends the input, as Ctrl-D on a terminal.
  void end_input() { keyboard = FileDescriptor(); }

  FileDescriptor keyboard;  ///< the write end of the input pipe
  Collector screen{-1};     ///< reads what run_duplex wrote to the output

 private:
  struct State {
    FileDescriptor input;
    FileDescriptor output;
    FileDescriptor screen;  // the output's read end: while a loop runs, its writes never meet SIGPIPE
    FileDescriptor socket;
    DuplexHooks hooks;
    std::size_t max_line;
  };
  std::shared_ptr<State> state_;
  std::shared_future<DuplexOutcome> result_;
};

}  // namespace socklab::chat::testing
