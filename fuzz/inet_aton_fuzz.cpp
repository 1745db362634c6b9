// Chapter 03: the hand-written inet_aton against glibc's, on any bytes.
//
// labs/03-resolver/address_text.hpp promises "exactly as glibc behaves", and
// the graded tests compare the two on generated strings; here the fuzzer
// looks for a string they disagree on.  glibc's ::inet_aton gets the same
// bytes as a C string, so a NUL ends the text for both.  The process runs in
// the "C" locale (libFuzzer never calls setlocale), which is what glibc's
// isspace() uses for the trailing-whitespace rule.
//
// Also: inet_ntoa against glibc's, and round trips through inet_ntoa,
// inet_pton and inet_ntop.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "address_text.hpp"
#include "check.hpp"

namespace {

namespace resolver = socklab::resolver;
using resolver::Ipv4Bytes;

std::optional<Ipv4Bytes> glibc_inet_aton(const std::string& text) {
  in_addr address{};
  if (::inet_aton(text.c_str(), &address) == 0) {
    return std::nullopt;
  }
  Ipv4Bytes bytes{};
  std::memcpy(bytes.data(), &address.s_addr, bytes.size());  // s_addr is in network order
  return bytes;
}

std::string glibc_inet_ntoa(const Ipv4Bytes& bytes) {
  in_addr address{};
  std::memcpy(&address.s_addr, bytes.data(), bytes.size());
  return ::inet_ntoa(address);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = socklab::fuzz::as_text(data, size);
  const std::string text(input);

  // inet_aton: the same answer as glibc's, differential.
  const std::optional<Ipv4Bytes> ours = resolver::inet_aton(input);
  FUZZ_CHECK(ours == glibc_inet_aton(text), input);
  if (ours) {
    const std::string dotted = resolver::inet_ntoa(*ours);
    FUZZ_CHECK(dotted == glibc_inet_ntoa(*ours), input);
    FUZZ_CHECK(resolver::inet_aton(dotted) == ours, input);
    FUZZ_CHECK(resolver::inet_ntop(AF_INET, *ours) == dotted, input);
  }

  // inet_ntoa of any four bytes, against glibc's.
  if (size >= 4) {
    const Ipv4Bytes bytes{data[0], data[1], data[2], data[3]};
    FUZZ_CHECK(resolver::inet_ntoa(bytes) == glibc_inet_ntoa(bytes), input);
  }

  // inet_pton is the strict form: what it takes, inet_aton takes the same way.
  if (const auto v4 = resolver::inet_pton(AF_INET, text)) {
    FUZZ_CHECK(v4->size() == 4, input);
    FUZZ_CHECK(ours && std::equal(v4->begin(), v4->end(), ours->begin()), input);
    const std::string shown = resolver::inet_ntop(AF_INET, *v4);
    FUZZ_CHECK(resolver::inet_pton(AF_INET, shown) == v4, input);
  }
  if (const auto v6 = resolver::inet_pton(AF_INET6, text)) {
    FUZZ_CHECK(v6->size() == 16, input);
    const std::string shown = resolver::inet_ntop(AF_INET6, *v6);
    FUZZ_CHECK(resolver::inet_pton(AF_INET6, shown) == v6, input);
    FUZZ_CHECK(resolver::inet_ntop(AF_INET6, *resolver::inet_pton(AF_INET6, shown)) == shown, input);
  }
  return 0;
}
