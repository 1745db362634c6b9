// chat-baseline-asio: a baseline for the chat benchmark (bench/chat.sh), a
// chat server in the classic design of Asio's chat example, on standalone
// Asio (Debian's libasio-dev):
//
//  - participant -> room -> session -> server, one io_context, one thread;
//  - each session reads with async_read_until(socket, buffer, '\n');
//  - the room hands every line, as "<guest-N> text\n", to every *other*
//    participant, and each participant keeps its own unbounded
//    std::deque<std::string> of messages, written with one async_write per
//    message;
//  - Nagle stays on (no TCP_NODELAY), as in the example.
//
// It has no limits on purpose: a client that does not read makes the server's
// memory grow without bound.  That is the design being measured, not a model.
//
//   chat-baseline-asio --host 127.0.0.1 --port 0
//
// prints "listening on 127.0.0.1:PORT" (IPv6: "[::1]:PORT") as its first line,
// and runs until SIGINT or SIGTERM.

#include <asio.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace {

using asio::ip::tcp;

// Anyone who can receive the room's lines.
class Participant {
 public:
  virtual ~Participant() = default;
  virtual void deliver(const std::string& line) = 0;
};

// Everyone connected; relays each line to all but its sender.
class Room {
 public:
  void join(const std::shared_ptr<Participant>& participant) { participants_.insert(participant); }
  void leave(const std::shared_ptr<Participant>& participant) { participants_.erase(participant); }

  void deliver(const Participant* sender, const std::string& line) {
    for (const auto& participant : participants_) {
      if (participant.get() != sender) {
        participant->deliver(line);
      }
    }
  }

 private:
  std::set<std::shared_ptr<Participant>> participants_;
};

// One connected client.
class Session : public Participant, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Room& room, std::uint64_t number)
      : socket_(std::move(socket)), room_(room), name_(fmt::format("guest-{}", number)),
        input_(64 * 1024) {}

  void start() {
    room_.join(shared_from_this());
    do_read_line();
  }

  void deliver(const std::string& line) override {
    const bool write_in_progress = !write_queue_.empty();
    write_queue_.push_back(line);
    if (!write_in_progress) {
      do_write();
    }
  }

 private:
  void do_read_line() {
    auto self = shared_from_this();
    asio::async_read_until(socket_, input_, '\n', [this, self](std::error_code error, std::size_t length) {
      if (error) {
        // End of stream, a reset, or a line over 64 KiB: this client leaves.
        room_.leave(self);
        return;
      }
      const auto begin = asio::buffers_begin(input_.data());
      std::string line = fmt::format("<{}> ", name_);
      line.append(begin, begin + static_cast<std::ptrdiff_t>(length));
      input_.consume(length);
      room_.deliver(this, line);
      do_read_line();
    });
  }

  void do_write() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(write_queue_.front()), [this, self](std::error_code error, std::size_t) {
      if (error) {
        room_.leave(self);
        return;
      }
      write_queue_.pop_front();
      if (!write_queue_.empty()) {
        do_write();
      }
    });
  }

  tcp::socket socket_;
  Room& room_;
  std::string name_;
  asio::streambuf input_;
  std::deque<std::string> write_queue_;
};

class Server {
 public:
  Server(asio::io_context& io, const tcp::endpoint& where) : acceptor_(io, where), retry_(io) { do_accept(); }

  [[nodiscard]] tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void do_accept() {
    acceptor_.async_accept([this](std::error_code error, tcp::socket socket) {
      if (error) {
        // Out of descriptors, say: try again a little later rather than spin.
        fmt::print(stderr, "accept: {}\n", error.message());
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([this](std::error_code) { do_accept(); });
        return;
      }
      std::make_shared<Session>(std::move(socket), room_, ++clients_)->start();
      do_accept();
    });
  }

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  Room room_;
  std::uint64_t clients_ = 0;
};

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return endpoint.address().is_v6() ? fmt::format("[{}]:{}", address, endpoint.port())
                                    : fmt::format("{}:{}", address, endpoint.port());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A chat server in the classic Asio chat-example design: a baseline for bench/chat.sh"};
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  app.add_option("--host", host, "numeric address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on (0: any free port)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    asio::io_context io;
    Server server(io, tcp::endpoint(asio::ip::make_address(host), port));
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](std::error_code, int) { io.stop(); });
    fmt::print("listening on {}\n", endpoint_text(server.local_endpoint()));
    std::fflush(stdout);
    io.run();
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "chat-baseline-asio: {}\n", error.what());
    return 1;
  }
}
