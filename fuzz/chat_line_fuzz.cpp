// Chapter 07's program: one line as a client or the server sends it, through
// every parser of programs/07-chat/protocol.cpp (chapters/07-chat/protocol.md).
//
// The input is one line (without its "\n").  It goes through
// - sanitize_text: valid UTF-8 out, no control character but tab (C0, DEL
//   and the C1 controls U+0080-U+009F), unchanged when already safe,
//   idempotent;
// - trim, first_word, split_command: the pieces are trimmed parts of the line;
// - parse_number: at most 13 digits, the same value as a loop here;
// - parse_file_header, on the arguments as the server (/file) and the client
//   (%file) read them: accepted exactly when a model of protocol.md's
//   `TO ID SIZE SHA256 NAME` accepts, and format_file_header round-trips;
// - base64_decode, on the arguments and on the last field of a /data or
//   %data line: the same as a decoder here (RFC 4648 with padding),
//   base64_decoded_size agrees, and base64_encode round-trips;
// - valid_name and same_name on the first word.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "check.hpp"
#include "protocol.hpp"

namespace {

namespace chat = socklab::chat;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The code point at the start of \p text and its length in bytes, or a
// length of 0 when the text does not start with a valid UTF-8 sequence.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t code = 0;
  if (lead < 0x80) {
    return {lead, 1};
  }
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return {0, 0};
  }
  if (text.size() < length) {
    return {0, 0};
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return {0, 0};
    }
    code = code << 6 | (byte(i) & 0x3Fu);
  }
  constexpr char32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < shortest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return {0, 0};  // overlong, too big, or a surrogate
  }
  return {code, length};
}

bool is_control(char32_t code) { return (code < 0x20 && code != '\t') || (code >= 0x7F && code < 0xA0); }

// Valid UTF-8 holding no control character but tab.
bool is_safe_text(std::string_view text) {
  while (!text.empty()) {
    const auto [code, length] = decode_utf8(text);
    if (length == 0 || is_control(code)) {
      return false;
    }
    text.remove_prefix(length);
  }
  return true;
}

void check_sanitize(std::string_view text, std::string_view input) {
  const std::string safe = chat::sanitize_text(text);
  FUZZ_CHECK(is_safe_text(safe), input);
  FUZZ_CHECK(chat::sanitize_text(safe) == safe, input);
  FUZZ_CHECK(safe.size() <= 3 * text.size(), input);
  if (is_safe_text(text)) {
    FUZZ_CHECK(safe == text, input);
  }
}

bool is_trimmed(std::string_view text) { return text.empty() || (!is_blank(text.front()) && !is_blank(text.back())); }

bool has_blank(std::string_view text) { return text.find_first_of(" \t") != std::string_view::npos; }

// Whether \p part lies inside \p whole (it is a view into it).
bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_words(std::string_view line, std::string_view input) {
  const std::string_view trimmed = chat::trim(line);
  FUZZ_CHECK(is_trimmed(trimmed) && inside(trimmed, line), input);
  FUZZ_CHECK(trimmed.empty() == (line.find_first_not_of(" \t") == std::string_view::npos), input);

  const auto [word, rest] = chat::first_word(line);
  FUZZ_CHECK(!has_blank(word) && is_trimmed(rest), input);
  FUZZ_CHECK(trimmed.starts_with(word) && trimmed.ends_with(rest) && word.empty() == trimmed.empty(), input);
  FUZZ_CHECK(word.size() + rest.size() <= trimmed.size(), input);
  FUZZ_CHECK(rest.empty() || word.size() + rest.size() < trimmed.size(), input);  // a blank between them

  const auto [name, args] = chat::split_command(line);
  FUZZ_CHECK(!has_blank(name) && is_trimmed(args) && inside(name, line) && inside(args, line), input);
  const std::string_view command = line.starts_with("/") ? line.substr(1) : line;
  FUZZ_CHECK(command.starts_with(name), input);
  FUZZ_CHECK(args.empty() || name.size() < command.size(), input);
}

std::optional<std::uint64_t> model_number(std::string_view text) {
  if (text.empty() || text.size() > 13) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// protocol.md: TO ID SIZE SHA256 NAME; TO is `*` or a name; ID at least 1;
// SIZE at most 2^40; SHA256 64 lowercase hex digits; NAME the (non-empty)
// rest of the line.  Fields are separated by runs of spaces and tabs.
bool model_header_accepts(std::string_view args) {
  std::string_view fields[4];
  std::size_t at = 0;
  const auto skip_blanks = [&] {
    while (at < args.size() && is_blank(args[at])) {
      ++at;
    }
  };
  for (std::string_view& field : fields) {
    skip_blanks();
    const std::size_t start = at;
    while (at < args.size() && !is_blank(args[at])) {
      ++at;
    }
    field = args.substr(start, at - start);
  }
  skip_blanks();
  const std::string_view name = args.substr(at);
  const auto id = model_number(fields[1]);
  const auto size = model_number(fields[2]);
  bool hex = fields[3].size() == 64;
  for (const char c : fields[3]) {
    hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  return (fields[0] == "*" || chat::valid_name(fields[0])) && id && *id >= 1 && size && *size <= chat::max_file_size &&
         hex && !name.empty();
}

void check_file_header(std::string_view args, std::string_view input) {
  const auto header = chat::parse_file_header(args);
  FUZZ_CHECK(header.has_value() == model_header_accepts(args), input);
  if (!header) {
    return;
  }
  FUZZ_CHECK(header->peer == "*" || chat::valid_name(header->peer), input);
  FUZZ_CHECK(header->id >= 1 && header->size <= chat::max_file_size && header->sha256.size() == 64, input);
  FUZZ_CHECK(!header->name.empty() && is_trimmed(header->name) && chat::trim(args).ends_with(header->name), input);
  const auto again = chat::parse_file_header(chat::format_file_header(*header));
  FUZZ_CHECK(again && again->peer == header->peer && again->id == header->id && again->size == header->size &&
                 again->sha256 == header->sha256 && again->name == header->name,
             input);
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

// RFC 4648 base64 with padding: groups of four; "=" only as the last one or
// two characters.  (Bits left over in a padded group are ignored, as RFC 4648
// lets a decoder do.)
std::optional<std::string> model_base64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  if (padding > 2) {
    return std::nullopt;
  }
  std::string bytes;
  std::uint32_t bits = 0;
  int held = 0;
  for (const char c : text.substr(0, text.size() - padding)) {
    const int value = base64_value(c);
    if (value < 0) {
      return std::nullopt;
    }
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    held += 6;
    if (held >= 8) {
      held -= 8;
      bytes += static_cast<char>(bits >> held & 0xFF);
    }
  }
  return bytes;
}

void check_base64(std::string_view text, std::string_view input) {
  const auto bytes = chat::base64_decode(text);
  FUZZ_CHECK(bytes == model_base64(text), input);
  if (bytes) {
    FUZZ_CHECK(chat::base64_decoded_size(text) == bytes->size(), input);
    FUZZ_CHECK(chat::base64_decode(chat::base64_encode(*bytes)) == bytes, input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line = socklab::fuzz::as_text(data, size);

  check_sanitize(line, line);
  check_words(line, line);

  const auto [command, args] = chat::split_command(line);
  // /file TO ..., %file FROM ...: the server reads the first, a client the second.
  check_file_header(args, line);
  // /data ID BASE64 (server), %data FROM ID BASE64 (client), or just BASE64.
  const auto [first, after_first] = chat::first_word(args);
  const auto [second, after_second] = chat::first_word(after_first);
  check_base64(args, line);
  check_base64(after_first, line);
  check_base64(after_second, line);

  FUZZ_CHECK(chat::parse_number(first) == model_number(first), line);
  FUZZ_CHECK(chat::parse_number(second) == model_number(second), line);

  // Names: the /nick rules, and comparison without case.
  if (chat::valid_name(first)) {
    FUZZ_CHECK(first.size() <= 24 && first.front() != '-' && first.front() != '.' && is_safe_text(first), line);
    std::string upper(first);
    for (char& c : upper) {
      c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
    FUZZ_CHECK(chat::valid_name(upper) && chat::same_name(first, upper) && chat::same_name(upper, first), line);
  }
  FUZZ_CHECK(chat::same_name(first, second) == chat::same_name(second, first), line);
  FUZZ_CHECK(chat::same_name(command, command), line);

  // Encoding any bytes round-trips.
  const std::string encoded = chat::base64_encode(line);
  FUZZ_CHECK(encoded.size() == (size + 2) / 3 * 4, line);
  FUZZ_CHECK(chat::base64_decode(encoded) == std::optional<std::string>(line), line);
  return 0;
}
