// Chapter 07's program: safe_file_name (programs/07-chat/files.hpp), the name
// a received file is saved under, made from whatever name its sender announced.
//
// Checked, from files.hpp and chapters/07-chat/protocol.md: the result is
// never empty, ".", ".." or hidden (a leading "."); it holds no "/" or "\",
// no tab and no control character (C0 and DEL, as sanitize_text sees them);
// it is valid UTF-8 of at most 100 bytes, with no leading or trailing space;
// a second pass leaves it as it is; and a name already safe is kept as it is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "files.hpp"

namespace {

// The length of the valid UTF-8 sequence at the start of \p text, 0 if none;
// \p code gets its code point.
std::size_t utf8_length(std::string_view text, char32_t& code) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || text.size() < length) {
    return 0;
  }
  code = length == 1 ? lead : lead & (0x7Fu >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) {
      return 0;
    }
    code = code << 6 | (byte(i) & 0x3Fu);
  }
  constexpr char32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < shortest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// Valid UTF-8 without control characters (C0 with tab, DEL, and the C1 controls
// U+0080-U+009F, which sanitize_text replaces) and without U+FFFD,
// which safe_file_name turns into "_" on purpose: the server has already put
// it where the sender's bytes were unsafe.
bool plain_text(std::string_view text) {
  while (!text.empty()) {
    char32_t code = 0;
    const std::size_t length = utf8_length(text, code);
    if (length == 0 || code < 0x20 || (code >= 0x7F && code < 0xA0) || code == 0xFFFD) {
      return false;
    }
    text.remove_prefix(length);
  }
  return true;
}

bool is_safe_name(std::string_view name) {
  return !name.empty() && name.size() <= 100 && name != "." && name != ".." && name.front() != '.' &&
         name.front() != ' ' && name.back() != ' ' && name.find_first_of("/\\") == std::string_view::npos &&
         plain_text(name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view announced = socklab::fuzz::as_text(data, size);
  const std::string name = socklab::chat::safe_file_name(announced);
  FUZZ_CHECK(!name.empty() && name != "." && name != ".." && name.front() != '.', announced);
  FUZZ_CHECK(name.find('/') == std::string::npos && name.find('\\') == std::string::npos, announced);
  FUZZ_CHECK(name.size() <= 100, announced);
  FUZZ_CHECK(name.front() != ' ' && name.back() != ' ', announced);
  FUZZ_CHECK(plain_text(name), announced);  // U+FFFD included: it became "_"
  FUZZ_CHECK(socklab::chat::safe_file_name(name) == name, announced);
  if (is_safe_name(announced)) {
    FUZZ_CHECK(name == announced, announced);
  }
  return 0;
}
