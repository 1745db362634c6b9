#include "socklab/testkit/process_facts.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "socklab/system_error.hpp"

namespace socklab::testkit {

bool is_open_fd(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

bool is_close_on_exec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  return flags != -1 && (flags & FD_CLOEXEC) != 0;
}

int open_fd_count() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count - 1;  // the directory iterator's own descriptor
}

bool has_capability(int cap) {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "CapEff:") {
      std::string hex;
      status >> hex;
      return ((std::stoull(hex, nullptr, 16) >> cap) & 1U) != 0;
    }
    status.ignore(4096, '\n');
  }
  return false;
}

int int_option(int fd, int level, int name) {
  int value = 0;
  socklen_t size = sizeof value;
  check("getsockopt", ::getsockopt(fd, level, name, &value, &size));
  return value;
}

void set_io_timeout(int fd, std::chrono::milliseconds limit) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limit);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(limit - seconds);
  const timeval tv{seconds.count(), micros.count()};
  check("setsockopt", ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  check("setsockopt", ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
}

bool write_within(int fd, std::string_view bytes, std::chrono::milliseconds limit) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + limit;
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      throw_errno("write");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd room{fd, POLLOUT, 0};
    if (left <= 0 || ::poll(&room, 1, static_cast<int>(left)) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace socklab::testkit
