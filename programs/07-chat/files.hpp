#pragma once
/// \file
/// Files in the chat: receiving them safely into a downloads folder, and
/// reading one to send as `/file`, `/data`, `/done` lines.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol.hpp"
#include "socklab/file_descriptor.hpp"

namespace socklab::chat {

/// A name that is safe to create in a downloads folder, made from the name a
/// sender announced: its last part after any `/` or `\`, control characters
/// and invalid UTF-8 replaced by `_`, leading dots and spaces and trailing
/// spaces removed, at most 100 bytes (cut at a character boundary), and
/// `file` when nothing is left.  Never empty, `.`, `..`, or hidden.
[[nodiscard]] std::string safe_file_name(std::string_view announced);

/// The files being received, by transfer.  Bytes go to a file without a name
/// (O_TMPFILE, or a hidden temporary name where the file system has no
/// O_TMPFILE) inside the downloads folder; only a complete, verified file is
/// given a name, and never one that exists already.
class Downloads {
 public:
  /// Receives into \p folder, which is created if missing.
  /// \throws std::system_error when it cannot be created or opened.
  explicit Downloads(std::filesystem::path folder);
  ~Downloads();
  Downloads(const Downloads&) = delete;
  Downloads& operator=(const Downloads&) = delete;

  /// The outcome of each step, for the person: empty when there is nothing to say.
  struct Event {
    bool ok = true;       ///< false when the transfer was refused or failed
    std::string message;  ///< what to tell the person ("" for nothing)
  };

  /// `%file FROM ID SIZE SHA256 NAME`: starts receiving transfer \p header.id.
  Event start(const FileHeader& header);
  /// `%data FROM ID BASE64`.
  Event data(std::uint64_t id, std::string_view base64);
  /// `%done FROM ID`: verifies, then names the file.
  Event done(std::uint64_t id);
  /// `%abort FROM ID`: forgets the transfer and its bytes.
  Event abort(std::uint64_t id);

  /// The folder files are stored in.
  [[nodiscard]] const std::filesystem::path& folder() const noexcept { return folder_; }

 private:
  struct Transfer {
    FileHeader header;
    FileDescriptor fd;
    std::string temporary_name;  // "" for an O_TMPFILE file
    std::uint64_t received = 0;
    std::unique_ptr<Sha256> hash = std::make_unique<Sha256>();
  };
  void discard(std::uint64_t id);

  std::filesystem::path folder_;
  FileDescriptor folder_fd_;
  std::map<std::uint64_t, Transfer> transfers_;
  std::uint64_t temporary_names_ = 0;
};

/// A file being sent: the `/file` line first, then `/data` lines, then `/done`.
class Upload {
 public:
  /// Opens \p path and hashes it, to send to \p to (`*` or a name) as transfer \p id.
  /// \throws std::system_error when the file cannot be read (or is not a regular file).
  Upload(const std::filesystem::path& path, std::string to, std::uint64_t id);

  /// The `/file TO ID SIZE SHA256 NAME` line (with its "\n").
  [[nodiscard]] std::string header_line() const;
  /// The next lines of data, about \p budget bytes of them, ending with the
  /// `/done` line; "" when everything has been returned.
  [[nodiscard]] std::string next_lines(std::size_t budget);
  /// Whether the `/done` line has been returned.
  [[nodiscard]] bool finished() const noexcept { return finished_; }
  /// The header as announced.
  [[nodiscard]] const FileHeader& header() const noexcept { return header_; }

 private:
  std::ifstream file_;
  FileHeader header_;
  std::uint64_t sent_ = 0;
  bool finished_ = false;
};

}  // namespace socklab::chat
