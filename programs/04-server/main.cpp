// echo-server: sends every byte back to whoever sent it, through lab 04's
// listen_on and accept_one.
//
//   echo-server [--host H] [--port P] [--backlog N] [--dual-stack]
//
// Its first line says where it listens ("listening on 127.0.0.1 port 40123"),
// so a script can read the port.  Unlike the article's Server.py it serves
// many clients at once, with one poll(2) loop and no thread per client:
//  - every socket is non-blocking, so no single call can stall the loop;
//  - each client has its own output buffer: a client that reads slowly fills
//    only its own buffer, and when that is full the server stops reading from
//    that client (and only that one) until it drains;
//  - a client that closes or fails is dropped, and its buffer with it;
//  - SIGINT and SIGTERM arrive as readable data on a signalfd(2) in the same
//    poll set, so the loop ends cleanly between two steps.
// Try it with `nc 127.0.0.1 PORT` in a few terminals.
//
// Built twice: from your lab (`./socklab run echo-server`) and from the
// reference (`./socklab run --ref echo-server`).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <list>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/color.h>
#include <fmt/core.h>

#include "listener.hpp"
#include "socklab/command_line.hpp"
#include "socklab/system_error.hpp"
#include "socklab/terminal.hpp"

namespace {

using socklab::FileDescriptor;
using socklab::server::Endpoint;

constexpr std::size_t kReadChunk = 64 * 1024;
// Past this many unsent bytes, stop reading from that client until it catches up.
constexpr std::size_t kMaxPending = 1024 * 1024;

void set_non_blocking(int fd) {
  const int flags = socklab::check("fcntl", ::fcntl(fd, F_GETFL));
  socklab::check("fcntl", ::fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

struct Client {
  FileDescriptor socket;
  Endpoint peer;
  std::string pending;       // received, not yet sent back
  bool peer_closed = false;  // read end-of-file: finish sending, then close
};

class EchoServer {
 public:
  EchoServer(FileDescriptor listener, FileDescriptor signals, bool colour)
      : listener_(std::move(listener)), signals_(std::move(signals)), colour_(colour) {}

  // Runs until SIGINT or SIGTERM; returns the signal's name.
  std::string run() {
    for (;;) {
      std::vector<pollfd> watched{{signals_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
      for (const Client& client : clients_) {
        short events = 0;
        if (!client.peer_closed && client.pending.size() < kMaxPending) {
          events |= POLLIN;
        }
        if (!client.pending.empty()) {
          events |= POLLOUT;
        }
        watched.push_back({client.socket.get(), events, 0});
      }
      if (::poll(watched.data(), watched.size(), -1) == -1) {
        if (errno == EINTR) {
          continue;
        }
        socklab::throw_errno("poll");
      }
      if (watched[0].revents & POLLIN) {
        signalfd_siginfo info{};
        if (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          return info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
        }
      }
      // The clients in the list are the ones polled, in order, from watched[2].
      auto at = watched.begin() + 2;
      for (auto client = clients_.begin(); client != clients_.end(); ++at) {
        client = step(*client, at->revents) ? std::next(client) : drop(client);
      }
      if (watched[1].revents & POLLIN) {
        accept_clients();  // after the steps: new clients were not in this poll
      }
    }
  }

 private:
  void say(const Endpoint& peer, const char* what, fmt::terminal_color colour) const {
    const std::string who = fmt::format("{} port {}", peer.address, peer.port);
    fmt::print("{} {}\n", colour_ ? fmt::format(fmt::fg(colour), "{}", who) : who, what);
    (void)std::fflush(stdout);
  }

  void accept_clients() {
    for (;;) {  // the listener is non-blocking: take every connection waiting
      try {
        socklab::server::Accepted accepted = socklab::server::accept_one(listener_.get());
        set_non_blocking(accepted.socket.get());
        say(accepted.peer, "connected", fmt::terminal_color::green);
        clients_.push_back({std::move(accepted.socket), accepted.peer, {}, false});
      } catch (const std::system_error& error) {
        const int code = error.code().value();
        if (code == EAGAIN || code == EWOULDBLOCK) {
          return;  // the queue is empty
        }
        if (code == ECONNABORTED || code == EPERM || code == EPROTO) {
          continue;  // that one gave up before we took it: take the next
        }
        if (code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM) {
          fmt::print(stderr, "echo-server: {}\n", error.what());  // out of resources: try again later
          return;
        }
        throw;
      }
    }
  }

  // One step for one client; false when it should be dropped.
  bool step(Client& client, short revents) {
    if (revents & (POLLERR | POLLNVAL)) {
      return false;
    }
    if (revents & (POLLIN | POLLHUP)) {
      char buffer[kReadChunk];
      const ssize_t got = ::recv(client.socket.get(), buffer, sizeof buffer, 0);
      if (got > 0) {
        client.pending.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0) {
        client.peer_closed = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return false;
      }
    }
    if (!client.pending.empty()) {
      const ssize_t sent = ::send(client.socket.get(), client.pending.data(), client.pending.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        client.pending.erase(0, static_cast<std::size_t>(sent));
      } else if (sent == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return false;  // EPIPE, ECONNRESET: the client is gone
      }
    }
    return !(client.peer_closed && client.pending.empty());
  }

  std::list<Client>::iterator drop(std::list<Client>::iterator client) {
    say(client->peer, "disconnected", fmt::terminal_color::yellow);
    return clients_.erase(client);  // its FileDescriptor closes the socket
  }

  FileDescriptor listener_;
  FileDescriptor signals_;
  bool colour_;
  std::list<Client> clients_;
};

// SIGINT and SIGTERM, blocked, and delivered as data on a descriptor instead.
FileDescriptor stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  if (::sigprocmask(SIG_BLOCK, &stop, nullptr) == -1) {
    socklab::throw_errno("sigprocmask");
  }
  return FileDescriptor(socklab::check("signalfd", ::signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK)));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"echo-server: sends every byte back, to many clients at once (chapter 04)"};
  std::string host = "127.0.0.1";
  int port = 0;
  int backlog = 128;
  bool dual_stack = false;
  app.add_option("--host", host, "Numeric address to listen on: 127.0.0.1, ::1, :: (every address)")
      ->capture_default_str();
  app.add_option("--port", port, "Port to listen on; 0 lets the kernel choose")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--backlog", backlog, "listen(2) backlog: the queue of connections not yet accepted")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_flag("--dual-stack", dual_stack, "For an IPv6 host: accept IPv4 clients too (IPV6_V6ONLY off)");
  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  try {
    FileDescriptor signals = stop_signals();
    FileDescriptor listener =
        socklab::server::listen_on(host, static_cast<std::uint16_t>(port),
                                   {.backlog = backlog, .reuse_address = true, .dual_stack = dual_stack});
    if (!listener) {
      fmt::print(stderr, "echo-server: listen_on returned no socket (is lab 04 done?)\n");
      return 1;
    }
    set_non_blocking(listener.get());
    const Endpoint where = socklab::server::local_endpoint(listener.get());
    fmt::print("listening on {} port {}\n", where.address, where.port);
    (void)std::fflush(stdout);
    EchoServer server(std::move(listener), std::move(signals), socklab::colour_enabled(STDOUT_FILENO));
    const std::string stopped_by = server.run();
    fmt::print("{}: shutting down\n", stopped_by);
  } catch (const std::exception& error) {
    fmt::print(stderr, "echo-server: {}\n", error.what());
    return 1;
  }
  return 0;
}
