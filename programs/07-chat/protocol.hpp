#pragma once
/// \file
/// The chat protocol's text rules (chapters/07-chat/protocol.md): names, safe
/// text, commands and the file-transfer lines.  Shared by the server and the
/// client; none of it touches a socket.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace socklab::chat {

/// The longest line a client may send, without its ending (the default of `--max-line`).
inline constexpr std::size_t default_max_line = 4096;
/// The most file bytes one `/data` line carries (4000 base64 characters).
inline constexpr std::size_t data_chunk_bytes = 3000;
/// The largest file size the protocol accepts.
inline constexpr std::uint64_t max_file_size = std::uint64_t{1} << 40;

/// \p text with every invalid UTF-8 sequence, NUL and other control character
/// (but tab) replaced by U+FFFD, so it is safe to relay and to show.
[[nodiscard]] std::string sanitize_text(std::string_view text);

/// Whether \p name is a valid chat name: 1 to 24 of `A-Z a-z 0-9 _ - .`, not
/// starting with `-` or `.`.
[[nodiscard]] bool valid_name(std::string_view name);

/// Whether two names are the same name (ASCII letters compared without case).
[[nodiscard]] bool same_name(std::string_view a, std::string_view b);

/// \p text without spaces and tabs at either end.
[[nodiscard]] std::string_view trim(std::string_view text);

/// A command line split at its first space: `/msg bob hi` → {"msg", "bob hi"}.
struct Command {
  std::string_view name;  ///< without the slash
  std::string_view args;  ///< the rest, trimmed
};
/// Splits a line that starts with `/` into a Command.
[[nodiscard]] Command split_command(std::string_view line);

/// The first word of \p text and the rest (trimmed): `"bob hi there"` → {"bob", "hi there"}.
[[nodiscard]] std::pair<std::string_view, std::string_view> first_word(std::string_view text);

/// The announcement that starts a file transfer: the arguments of
/// `/file TO ID SIZE SHA256 NAME` or of `%file FROM ID SIZE SHA256 NAME`.
struct FileHeader {
  std::string peer;          ///< TO (`*` or a name) or FROM
  std::uint64_t id = 0;      ///< 1 to 999999 from a client; any positive number from the server
  std::uint64_t size = 0;    ///< bytes, at most max_file_size
  std::string sha256;        ///< 64 lowercase hex digits
  std::string name;          ///< the file's name as sent (not yet safe to use)
};

/// Parses the arguments of a `/file` or `%file` line.  Returns nothing when
/// any field is malformed (the name may hold spaces; it must not be empty).
[[nodiscard]] std::optional<FileHeader> parse_file_header(std::string_view args);

/// The arguments of a `/file`/`%file` line for \p header.
[[nodiscard]] std::string format_file_header(const FileHeader& header);

/// Parses a decimal number of at most 13 digits (no sign, no spaces).
[[nodiscard]] std::optional<std::uint64_t> parse_number(std::string_view text);

/// Standard base64 (RFC 4648, with padding) of \p bytes.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// The bytes of standard base64 \p text, or nothing when it is not valid
/// base64 (wrong alphabet, length, or padding).
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);
/// How many bytes valid base64 \p text decodes to (without decoding it).
[[nodiscard]] std::size_t base64_decoded_size(std::string_view text);

/// Incremental SHA-256, as 64 lowercase hex digits at the end.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  /// Adds \p bytes to what is hashed.
  void update(std::string_view bytes);
  /// The digest of everything added (call once).
  [[nodiscard]] std::string hex_digest();

 private:
  void* context_;
};

}  // namespace socklab::chat
