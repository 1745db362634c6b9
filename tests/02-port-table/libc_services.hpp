#pragma once
// The services database as the C library reads it: the test side's truth for
// everything these tests say about /etc/services.  Nothing here is hard-coded
// from one machine's file: each answer comes from glibc's reentrant calls
// getservent_r, getservbyname_r and getservbyport_r.

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "port_table.hpp"

namespace socklab::port_table::testing {

/// An entry as libc gives it (`struct servent`), port in host byte order.
inline ServiceEntry from_servent(const servent& found) {
  ServiceEntry entry;
  entry.name = found.s_name;
  entry.port = ntohs(static_cast<std::uint16_t>(found.s_port));
  entry.protocol = found.s_proto;
  for (char** alias = found.s_aliases; alias != nullptr && *alias != nullptr; ++alias) {
    entry.aliases.emplace_back(*alias);
  }
  return entry;
}

/// Calls one of the `*_r` look-ups with a buffer that grows on ERANGE.
template <typename Lookup>
std::optional<ServiceEntry> libc_lookup(Lookup lookup) {
  std::vector<char> buffer(4096);
  for (;;) {
    servent storage{};
    servent* found = nullptr;
    const int error = lookup(&storage, buffer.data(), buffer.size(), &found);
    if (error == ERANGE) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (error != 0 || found == nullptr) {
      return std::nullopt;
    }
    return from_servent(*found);
  }
}

/// `getservbyname_r(name, protocol)`; an empty \p protocol is passed as NULL (any).
inline std::optional<ServiceEntry> libc_by_name(const std::string& name, const std::string& protocol) {
  return libc_lookup([&](servent* storage, char* buffer, std::size_t size, servent** found) {
    return ::getservbyname_r(name.c_str(), protocol.empty() ? nullptr : protocol.c_str(), storage,
                             buffer, size, found);
  });
}

/// `getservbyport_r(htons(port), protocol)`; an empty \p protocol is passed as NULL (any).
inline std::optional<ServiceEntry> libc_by_port(int port, const std::string& protocol) {
  return libc_lookup([&](servent* storage, char* buffer, std::size_t size, servent** found) {
    return ::getservbyport_r(htons(static_cast<std::uint16_t>(port)),
                             protocol.empty() ? nullptr : protocol.c_str(), storage, buffer, size,
                             found);
  });
}

/// Every entry libc enumerates, in its order (`getservent_r`), numbered 1, 2, ...
/// as if those were lines: a table made by libc, not by the code under test.
inline ServicesTable libc_table() {
  ServicesTable table;
  ::setservent(0);
  for (;;) {
    auto entry = libc_lookup([](servent* storage, char* buffer, std::size_t size, servent** found) {
      return ::getservent_r(storage, buffer, size, found);
    });
    if (!entry) {
      break;
    }
    entry->line = table.entries.size() + 1;
    table.entries.push_back(std::move(*entry));
  }
  ::endservent();
  return table;
}

/// The first entry of \p entries, in order, that a look-up of \p name for
/// \p protocol should find: the test side's own first-match rule.
inline const ServiceEntry* first_named(const std::vector<ServiceEntry>& entries,
                                       const std::string& name, const std::string& protocol) {
  for (const ServiceEntry& entry : entries) {
    if (!protocol.empty() && entry.protocol != protocol) {
      continue;
    }
    if (entry.name == name) {
      return &entry;
    }
    for (const std::string& alias : entry.aliases) {
      if (alias == name) {
        return &entry;
      }
    }
  }
  return nullptr;
}

/// The first entry of \p entries with \p port, for \p protocol.
inline const ServiceEntry* first_with_port(const std::vector<ServiceEntry>& entries, int port,
                                           const std::string& protocol) {
  for (const ServiceEntry& entry : entries) {
    if (entry.port == port && (protocol.empty() || entry.protocol == protocol)) {
      return &entry;
    }
  }
  return nullptr;
}

/// The protocols named in \p entries, each once, in order of first appearance.
inline std::vector<std::string> protocols_of(const std::vector<ServiceEntry>& entries) {
  std::vector<std::string> protocols;
  for (const ServiceEntry& entry : entries) {
    if (std::find(protocols.begin(), protocols.end(), entry.protocol) == protocols.end()) {
      protocols.push_back(entry.protocol);
    }
  }
  return protocols;
}

}  // namespace socklab::port_table::testing
