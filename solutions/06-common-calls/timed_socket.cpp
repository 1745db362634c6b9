// Lab 06, part 4 — Python's time-outs: the reference solution.

#include "timed_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::calls {
namespace {

using Clock = std::chrono::steady_clock;

void set_non_blocking(int fd, bool on) {
  const int flags = check("fcntl", ::fcntl(fd, F_GETFL));
  const int wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  if (wanted != flags) {
    check("fcntl", ::fcntl(fd, F_SETFL, wanted));
  }
}

[[noreturn]] void throw_timed_out(const char* call) {
  throw std::system_error(ETIMEDOUT, std::system_category(), call);
}

// Waits until `fd` is ready for `events` or the deadline passes; false on time-out.
bool wait_ready(int fd, short events, Clock::time_point deadline) {
  pollfd waiting{fd, events, 0};
  for (;;) {
    int wait_ms = -1;  // no deadline: wait as long as it takes
    if (deadline != Clock::time_point::max()) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      wait_ms = static_cast<int>(std::clamp<long>(left.count(), 0, 1L << 30));
    }
    const int ready = ::poll(&waiting, 1, wait_ms);
    if (ready > 0) {
      return true;
    }
    if (ready == 0) {
      return false;
    }
    if (errno != EINTR) {
      throw_errno("poll");
    }
  }
}

// Runs `attempt` (a system call returning -1 and errno on failure) under the
// time-out: the one loop every operation shares.
template <typename Attempt>
auto under_timeout(int fd, const TimedSocket::Timeout& timeout, short events, const char* call, Attempt attempt,
                   Clock::time_point deadline) {
  for (;;) {
    const auto result = attempt();
    if (result != -1) {
      return result;
    }
    if (errno == EINTR) {
      continue;
    }
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !timeout || timeout->count() == 0) {
      throw_errno(call);
    }
    if (!wait_ready(fd, events, deadline)) {
      throw_timed_out(call);
    }
  }
}

Clock::time_point deadline_of(const TimedSocket::Timeout& timeout) {
  return timeout ? Clock::now() + *timeout : Clock::time_point::max();
}

}  // namespace

TimedSocket::TimedSocket(FileDescriptor fd) : fd_(std::move(fd)) { set_non_blocking(fd_.get(), false); }

int TimedSocket::fileno() const noexcept { return fd_.get(); }

void TimedSocket::settimeout(Timeout timeout) {
  if (timeout && timeout->count() < 0) {
    throw std::invalid_argument("settimeout: a time-out cannot be negative");
  }
  set_non_blocking(fd_.get(), timeout.has_value());
  timeout_ = timeout;
}

TimedSocket::Timeout TimedSocket::gettimeout() const noexcept { return timeout_; }

void TimedSocket::setblocking(bool blocking) {
  settimeout(blocking ? Timeout{} : Timeout{std::chrono::milliseconds(0)});
}

std::size_t TimedSocket::send(std::string_view data) {
  const int fd = fd_.get();
  const auto sent = under_timeout(fd, timeout_, POLLOUT, "send",
                                  [&] { return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL); },
                                  deadline_of(timeout_));
  return static_cast<std::size_t>(sent);
}

void TimedSocket::sendall(std::string_view data) {
  const int fd = fd_.get();
  const auto deadline = deadline_of(timeout_);
  while (!data.empty()) {
    const auto sent = under_timeout(fd, timeout_, POLLOUT, "send",
                                    [&] { return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL); }, deadline);
    data.remove_prefix(static_cast<std::size_t>(sent));
    if (!data.empty() && timeout_ && Clock::now() >= deadline) {
      throw_timed_out("send");
    }
  }
}

std::string TimedSocket::recv(std::size_t max_size) {
  const int fd = fd_.get();
  std::string buffer(max_size, '\0');
  const auto got = under_timeout(fd, timeout_, POLLIN, "recv",
                                 [&] { return ::recv(fd, buffer.data(), buffer.size(), 0); }, deadline_of(timeout_));
  buffer.resize(static_cast<std::size_t>(got));
  return buffer;
}

TimedSocket TimedSocket::accept() {
  const int fd = fd_.get();
  const int accepted = under_timeout(fd, timeout_, POLLIN, "accept",
                                     [&] { return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC); },
                                     deadline_of(timeout_));
  // accept4 without SOCK_NONBLOCK gives a blocking socket; the constructor makes sure.
  return TimedSocket(FileDescriptor(accepted));
}

void TimedSocket::connect(const SocketAddress& address) {
  const int fd = fd_.get();
  const auto deadline = deadline_of(timeout_);
  if (::connect(fd, address.get(), address.length) == 0) {
    return;
  }
  // EINPROGRESS (non-blocking) or EINTR (a signal): the attempt goes on in the
  // kernel; calling connect again would only say EALREADY.  Wait for its end.
  if ((errno != EINPROGRESS && errno != EINTR) || (timeout_ && timeout_->count() == 0)) {
    throw_errno("connect");
  }
  if (!wait_ready(fd, POLLOUT, deadline)) {
    throw_timed_out("connect");
  }
  int error = 0;
  socklen_t length = sizeof error;
  check("getsockopt", ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length));
  if (error != 0) {
    throw std::system_error(error, std::system_category(), "connect");
  }
}

void TimedSocket::close() { fd_.close(); }

}  // namespace socklab::calls
