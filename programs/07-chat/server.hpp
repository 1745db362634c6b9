#pragma once
/// \file
/// `chat serve`: one process, one epoll loop, many clients.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace socklab::chat {

/// What `chat serve` was asked to do.
struct ServerOptions {
  std::string host = "127.0.0.1";        ///< address (or /etc/hosts name) to listen on
  std::uint16_t port = 4323;             ///< 0 for any free port
  bool console = false;                  ///< the operator chats from standard input
  std::string console_name = "server";   ///< the operator's name
  std::filesystem::path downloads;       ///< where the console's received files go
  std::size_t max_clients = 1024;        ///< connections beyond this are refused
  std::size_t max_line = 4096;           ///< longest line a client may send
  std::size_t max_queue = 1 << 20;       ///< bytes waiting for one client before it is dropped
  std::size_t max_memory = 64 << 20;     ///< bytes waiting in all queues before reading pauses
  std::chrono::milliseconds stall_timeout{10'000};  ///< a client taking nothing this long is dropped
  bool stats = false;  ///< on exit, print how many lines went to clients, in how many writes
};

/// Runs the server until SIGINT or SIGTERM (or `/quit` on the console).
/// Prints `listening on HOST:PORT` as its first line.  Returns the exit code.
int run_server(const ServerOptions& options);

}  // namespace socklab::chat
