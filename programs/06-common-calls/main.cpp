// sockcalls: the common socket calls of article section 二.4.3, one
// demonstration per sub-command, each on loopback within this one process.
//
//   sockcalls udp-echo [--message TEXT]   sendto / recvfrom, with addresses
//   sockcalls half-close                  shutdown(SHUT_WR): end of stream one way only
//   sockcalls timeout [--ms N]            settimeout / setblocking, and what each mode does
//   sockcalls options                     typed setsockopt / getsockopt; SO_RCVBUF doubled
//   sockcalls makefile                    a std::iostream over a socket
//   sockcalls transfer --bytes N [--buffer B] [--sockbuf S]
//                                         N bytes over loopback TCP, and the throughput
//   sockcalls free-port                   a TCP port on 127.0.0.1 that is free right now
//
// Built twice: from your lab (`./socklab run sockcalls …`) and from the
// reference (`./socklab run --ref sockcalls …`).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <system_error>
#include <thread>

#include <fmt/color.h>
#include <fmt/core.h>

#include "endpoints.hpp"
#include "options.hpp"
#include "socket_stream.hpp"
#include "socklab/command_line.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/terminal.hpp"
#include "stream_io.hpp"
#include "timed_socket.hpp"

namespace {

using namespace socklab::calls;
using socklab::check;
using socklab::FileDescriptor;
using Clock = std::chrono::steady_clock;

// A heading, in bold when standard output is a terminal that takes colour.
void heading(const std::string& text) {
  if (socklab::colour_enabled(STDOUT_FILENO)) {
    fmt::print(fmt::emphasis::bold, "{}\n", text);
  } else {
    fmt::print("{}\n", text);
  }
}

FileDescriptor bound_socket(int type) {
  FileDescriptor fd(check("socket", ::socket(AF_INET, type | SOCK_CLOEXEC, 0)));
  const SocketAddress any_port = socket_address({"127.0.0.1", 0});
  check("bind", ::bind(fd.get(), any_port.get(), any_port.length));
  return fd;
}

FileDescriptor listening_socket() {
  FileDescriptor fd = bound_socket(SOCK_STREAM);
  check("listen", ::listen(fd.get(), 16));
  return fd;
}

FileDescriptor connect_to(const Endpoint& where) {
  FileDescriptor fd(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  const SocketAddress address = socket_address(where);
  check("connect", ::connect(fd.get(), address.get(), address.length));
  return fd;
}

FileDescriptor accept_from(const FileDescriptor& listener) {
  return FileDescriptor(check("accept", ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)));
}

std::string errno_name(const std::system_error& error) {
  switch (error.code().value()) {
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINPROGRESS: return "EINPROGRESS";
    default: return std::to_string(error.code().value());
  }
}

void udp_echo(const std::string& message) {
  heading("sendto / recvfrom on two UDP sockets bound to 127.0.0.1, port 0");
  const FileDescriptor server = bound_socket(SOCK_DGRAM);
  const FileDescriptor client = bound_socket(SOCK_DGRAM);
  const Endpoint server_end = local_endpoint(server.get());
  fmt::print("server socket: {}   client socket: {}\n", to_text(server_end), to_text(local_endpoint(client.get())));
  const std::size_t sent = send_to(client.get(), message, socket_address(server_end));
  fmt::print("client: sendto({:?}, {}) sent {} bytes\n", message, to_text(server_end), sent);
  const Datagram request = receive_from(server.get(), 65536);
  fmt::print("server: recvfrom(65536) got {:?} from {}\n", request.data, to_text(endpoint_of(request.from)));
  send_to(server.get(), request.data, request.from);
  const Datagram echo = receive_from(client.get(), 65536);
  fmt::print("client: recvfrom(65536) got {:?} from {}\n", echo.data, to_text(endpoint_of(echo.from)));
  if (message.size() > 4) {
    send_to(client.get(), message, socket_address(server_end));
    fmt::print("client: sent it again; server: recvfrom(4) got {:?}: the rest of the datagram is lost\n",
               receive_from(server.get(), 4).data);
  }
}

void half_close() {
  heading("shutdown(SHUT_WR): the client stops sending, and still receives");
  const FileDescriptor listener = listening_socket();
  const FileDescriptor client = connect_to(local_endpoint(listener.get()));
  const FileDescriptor server = accept_from(listener);
  fmt::print("connection: client {} -> server {}\n", to_text(local_endpoint(client.get())),
             to_text(peer_endpoint(client.get())));
  send_all(client.get(), "three little words");
  shut_down(client.get(), SHUT_WR);
  fmt::print("client: sendall(\"three little words\"), then shutdown(SHUT_WR)\n");
  std::size_t total = 0;
  for (;;) {
    const std::string piece = receive(server.get(), 4096);
    if (piece.empty()) {
      fmt::print("server: recv returned 0 bytes: end of stream, after {} bytes\n", total);
      break;
    }
    total += piece.size();
    fmt::print("server: recv got {:?}\n", piece);
  }
  send_all(server.get(), fmt::format("you sent {} bytes\n", total));
  fmt::print("server: sendall(reply) still works in the other direction\n");
  fmt::print("client: recv got {:?}\n", receive(client.get(), 4096));
}

void timeouts(int milliseconds) {
  heading("settimeout / setblocking on one end of a socket pair that nobody writes to");
  int fds[2];
  check("socketpair", ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  TimedSocket socket{FileDescriptor(fds[0])};
  const FileDescriptor peer(fds[1]);
  const auto show = [&](const std::string& mode) {
    const auto start = Clock::now();
    std::string result;
    try {
      result = fmt::format("got {:?}", socket.recv(100));
    } catch (const std::system_error& error) {
      result = fmt::format("{} ({})", errno_name(error), error.what());
    }
    const auto took = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    const auto timeout = socket.gettimeout();
    fmt::print("{:<22} gettimeout() = {:<6} recv(100) after {:7.1f} ms: {}\n", mode,
               timeout ? fmt::format("{} ms", timeout->count()) : "None", took, result);
  };
  socket.settimeout(std::chrono::milliseconds(milliseconds));
  show(fmt::format("settimeout({} ms)", milliseconds));
  socket.setblocking(false);
  show("setblocking(false)");
  send_all(peer.get(), "data");
  socket.setblocking(true);
  show("setblocking(true)");
}

void options() {
  heading("typed getsockopt / setsockopt on a new TCP socket");
  const FileDescriptor fd(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  fmt::print("SO_REUSEADDR {}  SO_KEEPALIVE {}  TCP_NODELAY {}\n", get_option(fd.get(), reuse_address),
             get_option(fd.get(), keep_alive), get_option(fd.get(), no_delay));
  fmt::print("SO_RCVBUF {}  SO_SNDBUF {}  (defaults)\n", get_option(fd.get(), receive_buffer),
             get_option(fd.get(), send_buffer));
  set_option(fd.get(), reuse_address, true);
  set_option(fd.get(), no_delay, true);
  fmt::print("after setting both on: SO_REUSEADDR {}  TCP_NODELAY {}\n", get_option(fd.get(), reuse_address),
             get_option(fd.get(), no_delay));
  for (const int size : {4096, 65536}) {
    set_option(fd.get(), receive_buffer, size);
    set_option(fd.get(), send_buffer, size);
    fmt::print("set SO_RCVBUF and SO_SNDBUF to {:>6}: getsockopt says {} and {} (doubled, man 7 socket)\n", size,
               get_option(fd.get(), receive_buffer), get_option(fd.get(), send_buffer));
  }
  fmt::print("SO_LINGER as raw bytes (getsockopt with buflen 64): {} bytes\n",
             get_option_bytes(fd.get(), SOL_SOCKET, SO_LINGER, 64).size());
}

void makefile() {
  heading("makefile: std::getline and << over a loopback TCP connection");
  const FileDescriptor listener = listening_socket();
  const FileDescriptor client = connect_to(local_endpoint(listener.get()));
  const FileDescriptor server = accept_from(listener);
  std::thread responder([fd = server.get()] {
    SocketStream stream(fd);
    std::string line;
    while (std::getline(stream, line)) {
      stream << line.size() << " characters: " << line << std::endl;
    }
  });
  {
    SocketStream stream(client.get());
    for (const char* question : {"hello", "socket streams"}) {
      stream << question << '\n';  // no flush: reading sends it first
      std::string answer;
      std::getline(stream, answer);
      fmt::print("sent {:?}, read back {:?}\n", question, answer);
    }
  }
  shut_down(client.get(), SHUT_WR);
  responder.join();
}

void transfer(std::uint64_t bytes, std::size_t chunk, int socket_buffer) {
  const FileDescriptor listener = listening_socket();
  const Endpoint where = local_endpoint(listener.get());
  std::uint64_t received = 0;
  std::exception_ptr server_error;
  std::thread server_thread([&] {
    try {
      const FileDescriptor server = accept_from(listener);
      if (socket_buffer > 0) {
        set_option(server.get(), receive_buffer, socket_buffer);
      }
      for (;;) {
        const std::size_t got = receive(server.get(), chunk).size();
        if (got == 0) {
          break;
        }
        received += got;
      }
    } catch (...) {
      server_error = std::current_exception();
    }
  });
  FileDescriptor client(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  if (socket_buffer > 0) {
    set_option(client.get(), send_buffer, socket_buffer);
  }
  const SocketAddress address = socket_address(where);
  check("connect", ::connect(client.get(), address.get(), address.length));
  const std::string block(chunk, 'x');
  const auto start = Clock::now();
  for (std::uint64_t left = bytes; left > 0;) {
    const std::size_t now = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk));
    send_all(client.get(), std::string_view(block).substr(0, now));
    left -= now;
  }
  shut_down(client.get(), SHUT_WR);
  server_thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (server_error) {
    std::rethrow_exception(server_error);
  }
  if (received != bytes) {
    throw std::runtime_error(fmt::format("sent {} bytes but the server received {}", bytes, received));
  }
  const double gbits = static_cast<double>(bytes) * 8 / seconds / 1e9;
  fmt::print("transfer: {} bytes to {} in {:.4f} s: {:.2f} Gbit/s (chunk {} bytes, socket buffers {})\n", bytes,
             to_text(where), seconds, gbits, chunk,
             socket_buffer > 0 ? fmt::format("{} bytes set, {} by the kernel", socket_buffer, 2 * socket_buffer)
                               : std::string("kernel default"));
}

void free_port() {
  const FileDescriptor fd = bound_socket(SOCK_STREAM);
  fmt::print("{}\n", local_endpoint(fd.get()).port);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sockcalls: the common socket calls (article section 二.4.3), demonstrated on loopback"};
  app.require_subcommand(1);

  std::string message = "hello, datagram";
  CLI::App* udp = app.add_subcommand("udp-echo", "sendto / recvfrom between two UDP sockets, with their addresses");
  udp->add_option("--message", message, "The datagram to send");

  CLI::App* half = app.add_subcommand("half-close", "shutdown(SHUT_WR): the peer reads end of stream, then answers");

  int milliseconds = 300;
  CLI::App* timeout = app.add_subcommand("timeout", "settimeout(t), setblocking(false), setblocking(true) on recv");
  timeout->add_option("--ms", milliseconds, "The time-out in milliseconds")->check(CLI::Range(1, 60000));

  CLI::App* opts = app.add_subcommand("options", "Typed socket options; the kernel doubles SO_RCVBUF and SO_SNDBUF");
  CLI::App* file = app.add_subcommand("makefile", "A std::iostream over a socket: getline and <<");

  std::uint64_t bytes = 0;
  // 64 KiB measured best on loopback (bench/transfer.sh; chapter 06's performance note):
  // about one loopback segment (MSS 65483) per call, and it stays in cache.
  std::size_t chunk = 64 * 1024;
  int socket_buffer = 0;
  CLI::App* move = app.add_subcommand("transfer", "Move N bytes over loopback TCP with sendall / recv; print the rate");
  move->add_option("--bytes", bytes, "How many bytes (suffixes K, M, G are powers of 1024)")
      ->required()
      ->transform(CLI::AsSizeValue(false));
  move->add_option("--buffer", chunk, "The size of each send and recv, in bytes (default 65536)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  move->add_option("--sockbuf", socket_buffer,
                   "SO_SNDBUF / SO_RCVBUF to set on both ends, in bytes (default: the kernel's autotuning)")
      ->check(CLI::Range(1, 1 << 30));

  CLI::App* port = app.add_subcommand("free-port", "Print a TCP port on 127.0.0.1 that is free right now");

  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  try {
    if (udp->parsed()) {
      udp_echo(message);
    } else if (half->parsed()) {
      half_close();
    } else if (timeout->parsed()) {
      timeouts(milliseconds);
    } else if (opts->parsed()) {
      options();
    } else if (file->parsed()) {
      makefile();
    } else if (move->parsed()) {
      if (bytes == 0) {
        fmt::print(stderr, "sockcalls: --bytes must be at least 1\n");
        return 2;
      }
      transfer(bytes, chunk, socket_buffer);
    } else if (port->parsed()) {
      free_port();
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "sockcalls: {}\n", error.what());
    return 1;
  }
  return 0;
}
