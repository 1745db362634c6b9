// Lab 03, tasks 1 and 2: addresses as text and bytes.  inet_aton and inet_ntoa
// are checked against glibc itself, over hand-picked and generated inputs.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "address_text.hpp"
#include "calls.hpp"

using socklab::resolver::Ipv4Bytes;
using socklab::resolver::testing::calls;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using socklab::testkit::json;

namespace {

std::string shown(const std::string& text) { return json(text).dump(-1, ' ', true, json::error_handler_t::replace); }

std::string shown(const std::optional<Ipv4Bytes>& bytes) {
  if (!bytes) {
    return "rejected";
  }
  return std::to_string((*bytes)[0]) + "." + std::to_string((*bytes)[1]) + "." + std::to_string((*bytes)[2]) + "." +
         std::to_string((*bytes)[3]);
}

// glibc's answer: the same text as a C string, so a NUL ends it there too.
std::optional<Ipv4Bytes> glibc_inet_aton(const std::string& text) {
  in_addr address{};
  if (::inet_aton(text.c_str(), &address) == 0) {
    return std::nullopt;
  }
  Ipv4Bytes bytes;
  std::memcpy(bytes.data(), &address.s_addr, 4);
  return bytes;
}

// The first text on which the student's inet_aton and glibc's disagree, described.
std::string first_disagreement(const std::vector<std::string>& texts) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto yours = socklab::resolver::inet_aton(texts[i]);
    const auto glibc = glibc_inet_aton(texts[i]);
    if (yours != glibc) {
      return "inet_aton differs from glibc on input " + std::to_string(i + 1) + " of " +
             std::to_string(texts.size()) + ":\n  input: " + shown(texts[i]) + "\n  yours: " + shown(yours) +
             "\n  glibc: " + shown(glibc);
    }
  }
  return "";
}

// Texts near the rules' edges: bases, part counts, limits, trailing text.
std::vector<std::string> generated_texts(std::size_t count) {
  std::mt19937 random(20261124);  // fixed: the same inputs every run, so a failure can be replayed
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  const std::string alphabet = "0123456789abcdefxX. \t\n\vz-+";
  const std::string trailers[] = {"", "", "", " ", "\t", " junk", "x", ".", "\n1", "\x80"};
  std::vector<std::string> texts;
  while (texts.size() < count) {
    std::string text;
    if (pick(4) == 0) {  // noise from the characters that matter
      for (std::size_t n = pick(16); n > 0; --n) {
        text += alphabet[pick(alphabet.size())];
      }
    } else {  // structured: 1 to 5 parts, each in some base, near some limit
      const std::size_t parts = 1 + pick(5);
      for (std::size_t p = 0; p < parts; ++p) {
        const std::uint64_t limits[] = {0, 1, 7, 8, 255, 256, 65535, 65536, 16777215, 16777216, 4294967295ULL,
                                        4294967296ULL};
        std::uint64_t value = pick(3) == 0 ? limits[pick(std::size(limits))] : pick(300);
        if (pick(5) == 0 && value > 0) {
          value -= 1;
        }
        char buffer[32];
        switch (pick(3)) {
          case 0: std::snprintf(buffer, sizeof buffer, "%llu", static_cast<unsigned long long>(value)); break;
          case 1: std::snprintf(buffer, sizeof buffer, "0%llo", static_cast<unsigned long long>(value)); break;
          default: std::snprintf(buffer, sizeof buffer, pick(2) ? "0x%llx" : "0X%llX", static_cast<unsigned long long>(value));
        }
        text += (p > 0 ? "." : "") + std::string(buffer);
      }
      text += trailers[pick(std::size(trailers))];
    }
    texts.push_back(text);
  }
  return texts;
}

}  // namespace

TEST_CASE("inet_aton agrees with glibc on hand-picked edge cases", "[task_1][points:3]") {
  INFO("Step 1: inet_aton(\"127.0.0.1\") must be 127.0.0.1");
  REQUIRE(shown(socklab::resolver::inet_aton("127.0.0.1")) == "127.0.0.1");
  const std::vector<std::string> texts = {
      "", "0", "1", "127.1", "127.0.1", "0x7f.1", "0X7F.1", "017700000001", "0x7f000001", "4294967295",
      "4294967296", "1.2.3.4", "1.2.3.4 ", "1.2.3.4\tjunk", "1.2.3.4junk", " 1.2.3.4", "1.2.3.4.", "1.2.3.4.5",
      "1..2", ".1.2.3", "1.2.3.256", "1.2.65535", "1.2.65536", "1.16777215", "1.16777216", "256.1", "0x", "0x.1",
      "0xg", "08", "09.1", "0777.1", "00000000001", "1.2.3.0x4", "1.2.3.04", "1.2.3.08", "-1", "+1", "1.2.3.4\n",
      "1.2.3.4\v", "1.2.3.4\x80", std::string("1.2.3.4\0junk", 12), std::string("\0", 1), "99999999999999999999",
      "0x100000000", "0xffffffff", "1.0xffffff", "1.0x1000000", "1.2.0xffff", "1.2.3.0xff", "1.2.3.0x100",
      "\xd9\xa1", "1.2.3.4 5.6.7.8", "0x0x1", "00x1", "0.0.0.0", "255.255.255.255", "1.2.3.4\r\n"};
  const std::string difference = first_disagreement(texts);
  INFO("Step 2: " << texts.size() << " edge cases, each compared with glibc's inet_aton\n" << difference);
  REQUIRE(difference.empty());
}

TEST_CASE("inet_aton agrees with glibc on 20000 generated strings", "[task_1][points:3]") {
  REQUIRE(shown(socklab::resolver::inet_aton("10.1")) == "10.0.0.1");
  const std::string difference = first_disagreement(generated_texts(20000));
  INFO(difference);
  REQUIRE(difference.empty());
}

TEST_CASE("inet_ntoa writes what glibc writes", "[task_1][points:1]") {
  std::mt19937 random(7);
  std::vector<Ipv4Bytes> addresses = {{0, 0, 0, 0}, {255, 255, 255, 255}, {127, 0, 0, 1}, {10, 0, 100, 9}};
  for (int i = 0; i < 2000; ++i) {
    addresses.push_back({static_cast<std::uint8_t>(random()), static_cast<std::uint8_t>(random()),
                         static_cast<std::uint8_t>(random()), static_cast<std::uint8_t>(random())});
  }
  for (const Ipv4Bytes& bytes : addresses) {
    in_addr address{};
    std::memcpy(&address.s_addr, bytes.data(), 4);
    const std::string glibc = ::inet_ntoa(address);
    INFO("bytes " << int(bytes[0]) << " " << int(bytes[1]) << " " << int(bytes[2]) << " " << int(bytes[3]));
    REQUIRE(socklab::resolver::inet_ntoa(bytes) == glibc);
  }
}

TEST_CASE("inet_pton and inet_ntop agree with the reference", "[task_2][points:2]") {
  json pton = json::array();
  for (const char* text : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "127.1", "01.2.3.4", "1.2.3.4 ", "256.0.0.1",
                           "0x7f.0.0.1", "", "::1"}) {
    pton.push_back({{"family", AF_INET}, {"text", text}});
  }
  for (const char* text : {"::1", "::", "1::", "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
                           "::ffff:1.2.3.4", "fe80::1%lo", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", ":::", "1::2::3",
                           "::ffff:256.1.1.1", "FE80::ABCD", "12345::", "127.0.0.1", ""}) {
    pton.push_back({{"family", AF_INET6}, {"text", text}});
  }
  auto difference = first_difference(calls(), "inet_pton", pton);
  INFO(describe("inet_pton", difference));
  REQUIRE_FALSE(difference);

  std::mt19937 random(11);
  json ntop = json::array();
  for (int i = 0; i < 500; ++i) {
    std::vector<int> bytes(16);
    for (auto& byte : bytes) {  // mostly zeros, so that runs of zero groups are common
      byte = random() % 3 == 0 ? static_cast<int>(random() % 256) : 0;
    }
    ntop.push_back({{"family", AF_INET6}, {"bytes", bytes}});
    ntop.push_back({{"family", AF_INET}, {"bytes", std::vector<int>(bytes.begin(), bytes.begin() + 4)}});
  }
  difference = first_difference(calls(), "inet_ntop", ntop);
  INFO(describe("inet_ntop", difference));
  REQUIRE_FALSE(difference);
}

TEST_CASE("inet_pton and inet_ntop round-trip IPv6 and refuse what is not theirs", "[task_2][points:1]") {
  INFO("Step 1: inet_pton(AF_INET6, \"2001:db8::1\") gives 16 bytes, and inet_ntop gives the text back");
  const auto bytes = socklab::resolver::inet_pton(AF_INET6, "2001:db8::1");
  REQUIRE(bytes.has_value());
  REQUIRE(bytes->size() == 16);
  REQUIRE(socklab::resolver::inet_ntop(AF_INET6, *bytes) == "2001:db8::1");
  INFO("Step 2: AF_UNIX is no address family of text addresses: std::system_error, EAFNOSUPPORT");
  try {
    (void)socklab::resolver::inet_pton(AF_UNIX, "/tmp/x");
    FAIL("inet_pton(AF_UNIX, ...) returned");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::error_code(EAFNOSUPPORT, std::system_category()));
  }
  INFO("Step 3: 16 bytes are no IPv4 address: std::invalid_argument");
  CHECK_THROWS_AS(socklab::resolver::inet_ntop(AF_INET, *bytes), std::invalid_argument);
}
