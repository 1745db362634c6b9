// Lab 07, part 4 — the reference full-duplex loop.

#include "duplex.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "line_framer.hpp"
#include "socklab/system_error.hpp"

namespace socklab::chat {

namespace {

constexpr std::size_t read_size = 64 * 1024;
constexpr std::size_t max_waiting = 256 * 1024;

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("write");
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// One read(2) or recv(2): the bytes, or an empty string at the end of the stream.
std::string read_some(int fd, bool socket) {
  std::string bytes(read_size, '\0');
  for (;;) {
    const ssize_t n = socket ? ::recv(fd, bytes.data(), bytes.size(), 0) : ::read(fd, bytes.data(), bytes.size());
    if (n >= 0) {
      bytes.resize(static_cast<std::size_t>(n));
      return bytes;
    }
    if (errno != EINTR) {
      throw_errno(socket ? "recv" : "read");
    }
  }
}

}  // namespace

std::string too_long_typed_message(std::size_t max_line) {
  return "! that line is longer than " + std::to_string(max_line) + " bytes: it was not sent\n";
}

DuplexEnd run_duplex(int input_fd, int output_fd, int socket_fd, const DuplexHooks& hooks, std::size_t max_line) {
  LineFramer typed_lines(max_line);
  LineFramer server_lines(max_line);
  std::string waiting;        // bytes to send
  std::size_t sent_from = 0;  // how much of `waiting` has gone
  bool input_open = true;
  bool can_send = true;  // false once the server has stopped taking bytes
  bool shut_down = false;

  auto take_typed_lines = [&] {
    for (Frame frame = typed_lines.next(); frame.kind != Frame::Kind::none; frame = typed_lines.next()) {
      if (!input_open) {
        break;  // after a quit, the rest of the input is not read
      }
      if (frame.kind == Frame::Kind::too_long) {
        write_all(output_fd, too_long_typed_message(max_line));
        continue;
      }
      std::string bytes = hooks.typed(frame.text);
      if (can_send) {
        waiting += bytes;  // once the server has stopped taking bytes, send no more
      }
      if (hooks.quitting && hooks.quitting()) {
        input_open = false;
      }
    }
  };
  auto show_server_lines = [&] {
    for (Frame frame = server_lines.next(); frame.kind != Frame::Kind::none; frame = server_lines.next()) {
      if (frame.kind == Frame::Kind::line) {
        write_all(output_fd, hooks.received(frame.text));
      }
    }
  };

  for (;;) {
    if (sent_from == waiting.size()) {
      waiting.clear();
      sent_from = 0;
      if (can_send && hooks.refill) {
        waiting = hooks.refill();
      }
    }
    const bool nothing_waiting = sent_from == waiting.size();
    if (!input_open && nothing_waiting && !shut_down) {
      if (can_send && ::shutdown(socket_fd, SHUT_WR) < 0 && errno != ENOTCONN) {
        throw_errno("shutdown");
      }
      shut_down = true;
    }

    std::array<pollfd, 2> fds{};
    fds[0] = {.fd = socket_fd, .events = static_cast<short>(POLLIN | (nothing_waiting ? 0 : POLLOUT)), .revents = 0};
    const bool poll_input = input_open && waiting.size() - sent_from <= max_waiting;
    fds[1] = {.fd = poll_input ? input_fd : -1, .events = POLLIN, .revents = 0};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("poll");
    }

    if ((fds[0].revents & POLLOUT) != 0 && !nothing_waiting) {
      const ssize_t n = ::send(socket_fd, waiting.data() + sent_from, waiting.size() - sent_from,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        sent_from += static_cast<std::size_t>(n);
      } else if (errno == EPIPE || errno == ECONNRESET) {
        can_send = false;  // the server has gone: read what it said before it went
        waiting.clear();
        sent_from = 0;
      } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        throw_errno("send");
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const std::string bytes = read_some(socket_fd, true);
      if (bytes.empty()) {
        if (server_lines.buffered() > 0) {
          server_lines.feed("\n");
        }
        show_server_lines();
        return input_open ? DuplexEnd::server_closed : DuplexEnd::input_ended;
      }
      server_lines.feed(bytes);
      show_server_lines();
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const std::string bytes = read_some(input_fd, false);
      if (bytes.empty()) {
        if (typed_lines.buffered() > 0) {
          typed_lines.feed("\n");
        }
        take_typed_lines();
        input_open = false;
      } else {
        typed_lines.feed(bytes);
        take_typed_lines();
      }
    }
  }
}

}  // namespace socklab::chat
