// Unit tests of the chat's protocol helpers (programs/07-chat/protocol.hpp).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "harness.hpp"
#include "protocol.hpp"

using namespace socklab::chat;
using namespace std::string_literals;

namespace {

const std::string fffd = "\xEF\xBF\xBD";  // U+FFFD, the replacement character

// What sanitize_text promises of every output: strict UTF-8, and no control
// character but tab.
void require_safe(const std::string& input, const std::string& output) {
  INFO("input bytes: " << input.size() << ", output: " << output);
  const auto points = chat_test::decode_utf8(output);
  REQUIRE(points.has_value());
  for (const char32_t point : *points) {
    REQUIRE((point == U'\t' || (point >= 0x20 && point != 0x7F)));
  }
}

}  // namespace

TEST_CASE("base64 round-trips bytes of every value", "[protocol]") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes += static_cast<char>(i);
  }
  for (std::size_t n = 0; n <= bytes.size(); n += 37) {
    const auto text = base64_encode(bytes.substr(0, n));
    REQUIRE(base64_decode(text) == bytes.substr(0, n));
    REQUIRE(base64_decoded_size(text) == n);
  }
}

TEST_CASE("sanitize_text keeps plain text, tab and valid multi-byte characters", "[protocol]") {
  CHECK(sanitize_text("hello, world") == "hello, world");
  CHECK(sanitize_text("a\tb") == "a\tb");
  CHECK(sanitize_text("") == "");
  const std::string valid = "h\xC3\xA9llo \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \xEF\xBF\xBD \xED\x9F\xBF "
                            "\xEE\x80\x80 \xF4\x8F\xBF\xBF \xC2\xA0\xDF\xBF\xE0\xA0\x80\xF0\x90\x80\x80";
  INFO("é, 中文, 😀, U+FFFD, U+D7FF, U+E000, U+10FFFF, U+00A0 (the first 2-byte character past the C1 "
       "controls), U+07FF, and the smallest 3- and 4-byte forms");
  REQUIRE(chat_test::decode_utf8(valid).has_value());
  CHECK(sanitize_text(valid) == valid);
}

TEST_CASE("sanitize_text replaces NUL and every control character but tab", "[protocol]") {
  CHECK(sanitize_text("a\0b"s) == "a" + fffd + "b");
  CHECK(sanitize_text("\x1B[31mred") == fffd + "[31mred");
  CHECK(sanitize_text("a\rb\nc") == "a" + fffd + "b" + fffd + "c");
  CHECK(sanitize_text("\x7F") == fffd);
  for (int c = 0; c < 0x20; ++c) {
    const std::string one(1, static_cast<char>(c));
    INFO("byte " << c);
    CHECK(sanitize_text(one) == (c == '\t' ? one : fffd));
  }
  INFO("the C1 controls, U+0080 to U+009F: some terminals obey U+009B (CSI) as ESC [");
  CHECK(sanitize_text("\xC2\x9B" "31mred") == fffd + "31mred");
  for (int c = 0x80; c < 0xA0; ++c) {
    const std::string one{'\xC2', static_cast<char>(c)};
    INFO("U+00" << std::hex << c);
    CHECK(sanitize_text(one) == fffd);
  }
}

TEST_CASE("sanitize_text replaces invalid UTF-8, overlong forms and surrogates", "[protocol]") {
  // Single bytes that can never be UTF-8: one U+FFFD each.
  CHECK(sanitize_text("a\xFF" "b") == "a" + fffd + "b");
  CHECK(sanitize_text("\x80") == fffd);
  CHECK(sanitize_text("\xC0") == fffd);
  CHECK(sanitize_text("\xF5\xF8\xFE") == fffd + fffd + fffd);
  const std::vector<std::pair<std::string, std::string>> bad{
      {"\xC0\xAF", "an overlong '/' (2 bytes)"},
      {"\xE0\x80\xAF", "an overlong '/' (3 bytes)"},
      {"\xF0\x80\x80\xAF", "an overlong '/' (4 bytes)"},
      {"\xC0\x80", "an overlong NUL"},
      {"\xC1\xBF", "an overlong DEL"},
      {"\xE0\x9F\xBF", "an overlong U+07FF"},
      {"\xF0\x8F\xBF\xBF", "an overlong U+FFFF"},
      {"\xED\xA0\x80", "a high surrogate"},
      {"\xED\xBF\xBF", "a low surrogate"},
      {"\xED\xA0\xBD\xED\xB8\x80", "a surrogate pair (CESU-8)"},
      {"\xF4\x90\x80\x80", "U+110000, above the last code point"},
      {"\xE4\xB8", "a character cut short at the end"},
      {"\xE4\xB8" "x", "a character cut short before ASCII"},
      {"\xF0\x9F\x98", "an emoji cut short"},
      {"\xBF\xBF", "continuation bytes alone"},
  };
  for (const auto& [bytes, what] : bad) {
    const std::string input = "<" + bytes + ">";
    const std::string output = sanitize_text(input);
    INFO(what);
    require_safe(input, output);
    CHECK(output.starts_with("<" + fffd));
    CHECK(output.ends_with(fffd + ">") == !bytes.ends_with("x"));
    CHECK(output.find('/') == std::string::npos);
    CHECK(output.find('\0') == std::string::npos);
  }
}

TEST_CASE("sanitize_text always gives safe UTF-8, and leaves safe text alone, for random bytes", "[protocol]") {
  std::mt19937 generator(7);
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 20000; ++round) {
    std::string input(static_cast<std::size_t>(length(generator)), '\0');
    for (char& c : input) {
      // Mostly bytes that make UTF-8 (and break it) rather than ASCII.
      const int b = byte(generator);
      c = static_cast<char>(b < 64 ? b + 0x80 : b);
    }
    const std::string output = sanitize_text(input);
    require_safe(input, output);
    REQUIRE(sanitize_text(output) == output);
  }
}

TEST_CASE("valid_name takes 1 to 24 of the allowed characters, not starting with - or .", "[protocol]") {
  for (const std::string good : {"a", "alice", "A_b-c.d", "x-", "x.", "_x", "0", "abcdefghijklmnopqrstuvwx"}) {
    INFO(good);
    CHECK(valid_name(good));
  }
  for (const std::string bad : {"", "abcdefghijklmnopqrstuvwxy", "-x", ".x", "a b", "a\tb", "h\xC3\xA9", "a/b", "a\n",
                                "*", "a,b", "[x]", "<x>"}) {
    INFO(bad);
    CHECK_FALSE(valid_name(bad));
  }
  CHECK_FALSE(valid_name("a\0b"s));
}

TEST_CASE("same_name compares ASCII letters without case and nothing else", "[protocol]") {
  CHECK(same_name("Alice", "alice"));
  CHECK(same_name("alice", "ALICE"));
  CHECK(same_name("a_B-9.z", "A_b-9.Z"));
  CHECK_FALSE(same_name("alice", "alic"));
  CHECK_FALSE(same_name("alice", "alice2"));
  CHECK_FALSE(same_name("[", "{"));  // 0x5B and 0x7B are 32 apart, but not letters
  CHECK_FALSE(same_name("@", "`"));
  CHECK_FALSE(same_name("_", "\x7F"));
}

TEST_CASE("parse_file_header reads every field of a good header, a name with spaces included", "[protocol]") {
  const std::string digest(64, 'a');
  const auto header = parse_file_header("bob 999999 1099511627776 " + digest + " my file .txt");
  REQUIRE(header.has_value());
  CHECK(header->peer == "bob");
  CHECK(header->id == 999999);
  CHECK(header->size == max_file_size);
  CHECK(header->sha256 == digest);
  CHECK(header->name == "my file .txt");
  const auto everyone = parse_file_header("* 1 0 " + digest + " x");
  REQUIRE(everyone.has_value());
  CHECK(everyone->peer == "*");
  CHECK(everyone->size == 0);
  REQUIRE(parse_file_header(format_file_header(*header)).has_value());
  CHECK(parse_file_header(format_file_header(*header))->name == header->name);
}

TEST_CASE("parse_file_header refuses every malformed field", "[protocol]") {
  const std::string d(64, '0');
  const std::vector<std::pair<std::string, std::string>> bad{
      {"", "nothing"},
      {"*", "only TO"},
      {"* 1 1 " + d, "no name"},
      {"* 1 1 " + d + "   ", "a name of spaces"},
      {"-bob 1 1 " + d + " x", "TO not a name"},
      {"b@d 1 1 " + d + " x", "TO with a bad character"},
      {"** 1 1 " + d + " x", "TO of two stars"},
      {"* 0 1 " + d + " x", "ID 0"},
      {"* -1 1 " + d + " x", "ID negative"},
      {"* +1 1 " + d + " x", "ID with a sign"},
      {"* 1.5 1 " + d + " x", "ID not whole"},
      {"* abc 1 " + d + " x", "ID not a number"},
      {"* 12345678901234 1 " + d + " x", "ID of 14 digits"},
      {"* 1 -5 " + d + " x", "SIZE negative"},
      {"* 1 1e3 " + d + " x", "SIZE in exponent form"},
      {"* 1 0x10 " + d + " x", "SIZE in hex"},
      {"* 1 1099511627777 " + d + " x", "SIZE above 2^40"},
      {"* 1 99999999999999 " + d + " x", "SIZE of 14 digits"},
      {"* 1 1 " + d.substr(1) + " x", "SHA256 of 63 digits"},
      {"* 1 1 " + d + "0 x", "SHA256 of 65 digits"},
      {"* 1 1 " + std::string(64, 'A') + " x", "SHA256 in uppercase"},
      {"* 1 1 " + std::string(63, '0') + "g x", "SHA256 not hex"},
  };
  for (const auto& [args, what] : bad) {
    INFO(what << ": " << args);
    CHECK_FALSE(parse_file_header(args).has_value());
  }
}

TEST_CASE("parse_number takes 1 to 13 decimal digits and nothing else", "[protocol]") {
  CHECK(parse_number("0") == 0U);
  CHECK(parse_number("1234567890123") == 1234567890123U);
  for (const std::string bad : {"", "12345678901234", "-1", "+1", " 1", "1 ", "1a", "0x1"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_number(bad).has_value());
  }
}

TEST_CASE("base64_decode refuses a wrong alphabet, length or padding", "[protocol]") {
  CHECK(base64_decode("") == "");
  CHECK(base64_decode("AA==") == "\0"s);
  CHECK(base64_decode("AAA=") == "\0\0"s);
  CHECK(base64_decode("+/+/") == "\xFB\xFF\xBF");
  const std::vector<std::pair<std::string, std::string>> bad{
      {"A", "1 character"},       {"AB", "2 characters"},         {"ABC", "3 characters"},
      {"ABCDE", "5 characters"},  {"AB-C", "URL-safe '-'"},       {"AB_C", "URL-safe '_'"},
      {"AB C", "a space"},        {"AB\nC", "a newline"},         {"AB\0C"s, "a NUL"},
      {"AB\xC3\xA9", "a non-ASCII byte"}, {"A===", "three '='"},   {"====", "only padding"},
      {"=ABC", "'=' first"},      {"AB=C", "'=' inside"},          {"AB==AB==", "padding in the middle"},
      {"ABC==", "padding making 5"}, {"AB=", "3 with padding"},
  };
  for (const auto& [text, what] : bad) {
    INFO(what << ": '" << text << "'");
    CHECK_FALSE(base64_decode(text).has_value());
  }
}

TEST_CASE("Sha256 hashes in parts as in one piece", "[protocol]") {
  const std::string bytes = chat_test::random_bytes(10000, 3);
  Sha256 parts;
  for (std::size_t i = 0; i < bytes.size(); i += 777) {
    parts.update(std::string_view(bytes).substr(i, 777));
  }
  CHECK(parts.hex_digest() == chat_test::sha256_hex(bytes));
  Sha256 empty;
  CHECK(empty.hex_digest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
