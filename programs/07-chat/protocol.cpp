// The chat protocol's text rules; see protocol.hpp.

#include "protocol.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace socklab::chat {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

// The length of the valid UTF-8 sequence at the start of \p text, or 0.
std::size_t utf8_sequence(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
    high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) {
      return 0;
    }
  }
  return length;
}

bool is_hex_digest(std::string_view text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string sanitize_text(std::string_view text) {
  std::string safe;
  safe.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (is_control(c)) {
        safe += replacement;
      } else {
        safe += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence(text.substr(i));
    if (length == 0) {
      safe += replacement;
      ++i;
    } else if (length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      // A C1 control (U+0080-U+009F): some terminals obey U+009B as an escape.
      safe += replacement;
      i += 2;
    } else {
      safe.append(text.substr(i, length));
      i += length;
    }
  }
  return safe;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 24 || name.front() == '-' || name.front() == '.') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

bool same_name(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) {
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::pair<std::string_view, std::string_view> first_word(std::string_view text) {
  text = trim(text);
  const auto space = text.find_first_of(" \t");
  if (space == std::string_view::npos) {
    return {text, {}};
  }
  return {text.substr(0, space), trim(text.substr(space))};
}

Command split_command(std::string_view line) {
  if (!line.empty() && line.front() == '/') {
    line.remove_prefix(1);
  }
  const auto space = line.find_first_of(" \t");
  if (space == std::string_view::npos) {
    return {line, {}};
  }
  return {line.substr(0, space), trim(line.substr(space))};
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 13 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<FileHeader> parse_file_header(std::string_view args) {
  FileHeader header;
  auto [peer, rest] = first_word(args);
  auto [id, rest2] = first_word(rest);
  auto [size, rest3] = first_word(rest2);
  auto [digest, name] = first_word(rest3);
  const auto id_value = parse_number(id);
  const auto size_value = parse_number(size);
  if (peer.empty() || !id_value || *id_value == 0 || !size_value || *size_value > max_file_size ||
      !is_hex_digest(digest) || name.empty()) {
    return std::nullopt;
  }
  if (peer != "*" && !valid_name(peer)) {
    return std::nullopt;
  }
  header.peer = peer;
  header.id = *id_value;
  header.size = *size_value;
  header.sha256 = digest;
  header.name = name;
  return header;
}

std::string format_file_header(const FileHeader& header) {
  return header.peer + " " + std::to_string(header.id) + " " + std::to_string(header.size) + " " + header.sha256 +
         " " + header.name;
}

std::string base64_encode(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(n));
  return text;
}

std::size_t base64_decoded_size(std::string_view text) {
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') {
    ++padding;
    if (text.size() >= 2 && text[text.size() - 2] == '=') {
      ++padding;
    }
  }
  return text.size() / 4 * 3 - padding;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  const auto alphabet = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  };
  const std::size_t size = base64_decoded_size(text);
  const std::size_t padding = text.size() / 4 * 3 - size;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!alphabet(text[i])) {
      return std::nullopt;
    }
  }
  std::string bytes(text.size() / 4 * 3, '\0');
  if (!text.empty() && EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                       reinterpret_cast<const unsigned char*>(text.data()),
                                       static_cast<int>(text.size())) < 0) {
    return std::nullopt;
  }
  bytes.resize(size);
  return bytes;
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
    throw std::runtime_error("SHA-256 is not available");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size());
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest.data(), &size);
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 0xF];
  }
  return text;
}

}  // namespace socklab::chat
