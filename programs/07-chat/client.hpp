#pragma once
/// \file
/// `chat connect`: the full-duplex client, with file transfer.

#include <cstdint>
#include <filesystem>
#include <string>

namespace socklab::chat {

/// What `chat connect` was asked to do.
struct ClientOptions {
  std::string host;                  ///< the server's address or /etc/hosts name
  std::uint16_t port = 4323;         ///< the server's port
  std::string name;                  ///< a name to take with /nick ("" for the server's default)
  std::filesystem::path downloads;   ///< where received files go
};

/// Connects, then chats until the input ends, `/quit`, or the server closes.
/// Returns the exit code.
int run_client(const ClientOptions& options);

}  // namespace socklab::chat
