#pragma once
// The test side of the chat program tests: real `chat` processes (killed at
// the end of each test, even a failing one), raw TCP clients with time-outs on
// everything, and the checks every hostile test ends with.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "socklab/file_descriptor.hpp"
#include "socklab/testkit/process.hpp"
#include "socklab/testkit/temp_dir.hpp"

namespace chat_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

using socklab::testkit::TempDir;

/// Every entry under \p folder, hidden ones included, as sorted relative paths.
std::vector<std::string> list_tree(const std::filesystem::path& folder);

using socklab::testkit::Process;
using socklab::testkit::SpawnOptions;

/// Whether \p text holds a report from ASan, UBSan or LSan.
bool has_sanitizer_report(std::string_view text);

/// `chat serve --host 127.0.0.1 --port 0` plus \p options, started (in an
/// empty working folder of its own) and with its port read from its first line.
class ChatServer {
 public:
  explicit ChatServer(std::vector<std::string> options = {});
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] pid_t pid() const noexcept { return process_.pid(); }
  /// VmRSS of the server, in KiB, from /proc/PID/status.
  [[nodiscard]] std::size_t rss_kib() const;
  /// How many descriptors the server has open.
  [[nodiscard]] std::size_t open_fds() const;
  /// Whether the server ignores SIGPIPE (SigIgn in /proc/PID/status).
  [[nodiscard]] bool ignores_sigpipe() const;
  /// Whether the process is still there (not a zombie).
  [[nodiscard]] bool alive() const;
  /// What is in its working folder (it writes no files: nothing).
  [[nodiscard]] std::vector<std::string> files_written() const { return list_tree(directory_.path()); }
  /// Kills it (SIGKILL), as a crash or a power cut would.
  void kill() { process_.signal(SIGKILL); }
  [[nodiscard]] std::string errors() const { return process_.errors(); }
  /// Its standard output after the first line, read to its end (so: once it has stopped).
  std::string rest_of_output(milliseconds limit) { return process_.rest(limit); }
  /// Sends \p signal and checks: exit status 0 within 10 s, and nothing from a
  /// sanitizer on standard error.
  void stop_cleanly(int signal = SIGTERM);

 private:
  TempDir directory_;
  Process process_;
  std::uint16_t port_ = 0;
};

/// A test-side chat client: a raw TCP connection to 127.0.0.1, with time-outs
/// on every read and write, that cuts what arrives into lines.
class Peer {
 public:
  /// Connects to \p port; \p receive_buffer > 0 sets SO_RCVBUF first.
  explicit Peer(std::uint16_t port, int receive_buffer = 0);
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  std::string name;  ///< the name it took ("" before /nick)

  /// Sends all of \p bytes (blocking, bounded by the socket's 5 s time-out).
  void send(std::string_view bytes);
  /// The next line (without its "\n"), or nothing at the limit or the end.
  std::optional<std::string> line(milliseconds limit);
  /// Lines up to the first for which \p wanted is true: that line, or nothing.
  std::optional<std::string> line_where(const std::function<bool(std::string_view)>& wanted, milliseconds limit);
  /// Lines up to the first that starts with \p prefix.
  std::optional<std::string> line_starting(std::string_view prefix, milliseconds limit);
  /// Lines up to one equal to \p text; whether it came.
  bool expect(std::string_view text, milliseconds limit);
  /// Reads (and keeps) lines until the server ends the stream; whether it did.
  bool ends_within(milliseconds limit);
  /// Closes with SO_LINGER 0: the kernel sends a reset, not a FIN.
  void reset();
  /// Closes the connection.
  void close() { fd_.close(); }
  /// The last lines received, for failure messages.
  [[nodiscard]] std::string recent() const;
  /// Every line received so far.
  [[nodiscard]] const std::vector<std::string>& history() const noexcept { return history_; }

  // For pump(): what waits to be sent, what arrived, and an optional handler
  // that takes each line instead of the inbox.
  std::string outbox;
  std::deque<std::string> inbox;
  std::function<void(std::string_view)> on_line;
  bool at_end = false;  ///< the server closed (or reset) the connection

  /// One non-blocking receive into the inbox; false when nothing came.
  bool receive_some();
  /// One non-blocking send from the outbox.
  void send_some();

 private:
  socklab::FileDescriptor fd_;
  std::string partial_;
  std::vector<std::string> history_;
};

/// Connects (with \p receive_buffer as for Peer), waits for the welcome, and takes \p name.
std::unique_ptr<Peer> join(std::uint16_t port, const std::string& name, int receive_buffer = 0);

/// Moves bytes for all \p peers at once (sends their outboxes, reads into
/// their inboxes) until \p done returns true or \p limit passes; whether done.
bool pump(std::span<Peer* const> peers, milliseconds limit, const std::function<bool()>& done);

/// The checks after anything hostile: the server is alive; a fresh client
/// joins, chats with every one of \p bystanders both ways and gets an answer
/// to /who; the server wrote no file; and its memory has grown by at most
/// \p growth_kib since \p rss_before_kib.
void expect_healthy(ChatServer& server, std::span<Peer* const> bystanders, std::size_t rss_before_kib,
                    std::size_t growth_kib = 32 * 1024);

/// The code points of \p text, or nothing when it is not strict UTF-8
/// (overlong forms, surrogates, above U+10FFFF, truncated): the test's own
/// decoder, written apart from the chat's.
std::optional<std::u32string> decode_utf8(std::string_view text);

/// The whole content of the file at \p path ("" when it cannot be read).
std::string read_file(const std::filesystem::path& path);

/// Writes \p bytes to the file at \p path, replacing what it held.
void write_file(const std::filesystem::path& path, std::string_view bytes);

/// A string of \p size pseudo-random bytes (every value), from \p seed.
std::string random_bytes(std::size_t size, unsigned seed);

/// The SHA-256 of \p bytes, in lowercase hex (computed by OpenSSL, not the chat).
std::string sha256_hex(std::string_view bytes);

/// Standard base64 of \p bytes (computed by OpenSSL, not the chat).
std::string base64(std::string_view bytes);

}  // namespace chat_test
