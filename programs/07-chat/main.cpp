// chat: the article's chat (section 二.5) done properly: a server with one
// event loop for many clients, and a full-duplex client; files both ways.
//
//   chat serve [--host H] [--port P] [--console] [limits…]
//   chat connect HOST PORT [--name NAME] [--downloads DIR]
//
// Built twice: from your lab (`./socklab run chat …`) and from the reference
// (`./socklab run --ref chat …`).

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include <fmt/core.h>

#include "client.hpp"
#include "server.hpp"
#include "socklab/command_line.hpp"

namespace {

// Where received files go when --downloads is not given.
std::filesystem::path default_downloads() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / "Downloads" / "socklab-chat";
  }
  return "chat-downloads";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A multi-client chat with file transfer: the article's finale (二.5), done properly.\n"
               "Protocol: chapters/07-chat/protocol.md.  Lines are UTF-8 text ending in \\n, so nc can join too."};
  app.require_subcommand(1);

  socklab::chat::ServerOptions server;
  server.downloads = default_downloads();
  double stall_seconds = 10;
  auto* serve = app.add_subcommand("serve", "Run a chat server; its first line says where it listens");
  serve->add_option("--host", server.host, "Address to listen on (127.0.0.1, ::1, 0.0.0.0, …)")
      ->capture_default_str();
  serve->add_option("--port", server.port, "Port to listen on; 0 picks a free one")->capture_default_str();
  serve->add_flag("--console", server.console,
                  "Take part from this terminal: type to chat, /send PATH, /quit stops the server");
  serve->add_option("--name", server.console_name, "The console's name")->capture_default_str();
  serve->add_option("--downloads", server.downloads, "Where files sent to the console go")->capture_default_str();
  serve->add_option("--max-clients", server.max_clients, "Connections beyond this are refused")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  serve->add_option("--max-line", server.max_line, "Longest line a client may send, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(64, 1 << 20));
  serve->add_option("--max-queue", server.max_queue, "Bytes waiting for one client before it is dropped")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{16 << 10}, std::size_t{1} << 32));
  serve->add_option("--max-memory", server.max_memory, "Bytes waiting in all queues before reading pauses")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64 << 10}, std::size_t{1} << 40));
  serve->add_option("--stall-timeout", stall_seconds, "Seconds a client may take nothing before it is dropped")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  serve->add_flag("--stats", server.stats,
                  "On exit, print how many lines went to clients and in how many writes (a write carries "
                  "every line a client was sent in one round)");

  socklab::chat::ClientOptions client;
  client.downloads = default_downloads();
  auto* connect = app.add_subcommand("connect", "Join a chat server; type lines, /help for commands");
  connect->add_option("host", client.host, "The server's address or name")->required();
  connect->add_option("port", client.port, "The server's port")->required();
  connect->add_option("--name", client.name, "Your name (1 to 24 of A-Z a-z 0-9 _ - .)");
  connect->add_option("--downloads", client.downloads, "Where files sent to you go")->capture_default_str();

  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }
  try {
    if (serve->parsed()) {
      if (server.max_queue < 2 * (server.max_line + 64)) {
        // A line longer than a queue could never be delivered to anyone.
        fmt::print(stderr, "chat: --max-queue must be at least twice --max-line plus 128 bytes\n");
        return 2;
      }
      server.stall_timeout = std::chrono::milliseconds(static_cast<long>(stall_seconds * 1000));
      return socklab::chat::run_server(server);
    }
    return socklab::chat::run_client(client);
  } catch (const std::exception& error) {
    fmt::print(stderr, "chat: {}\n", error.what());
    return 1;
  }
}
