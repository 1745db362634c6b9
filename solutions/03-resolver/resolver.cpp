// Lab 03, part 2 — names and addresses: the reference solution.

#include "resolver.hpp"

#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::resolver {
namespace {

class GaiCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "getaddrinfo"; }
  [[nodiscard]] std::string message(int code) const override { return ::gai_strerror(code); }
};

// EAI_SYSTEM means "the error is in errno"; every other code is its own.
[[noreturn]] void throw_gai(int code, const std::string& call) {
  if (code == EAI_SYSTEM) {
    throw_errno(call);
  }
  throw std::system_error(code, gai_category(), call);
}

using AddressList = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

AddressList lookup(const char* host, const char* service, const addrinfo& hints, const std::string& call) {
  addrinfo* list = nullptr;
  if (const int code = ::getaddrinfo(host, service, &hints, &list); code != 0) {
    throw_gai(code, call);
  }
  return {list, &::freeaddrinfo};
}

const char* or_null(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

}  // namespace

const std::error_category& gai_category() noexcept {
  static const GaiCategory category;
  return category;
}

std::vector<AddressInfo> get_address_info(const std::string& host, const std::string& service, const Hints& hints) {
  addrinfo request{};
  request.ai_family = hints.family;
  request.ai_socktype = hints.socktype;
  request.ai_protocol = hints.protocol;
  request.ai_flags = hints.flags;
  const AddressList list = lookup(or_null(host), or_null(service), request, "getaddrinfo");

  std::vector<AddressInfo> results;
  for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
    AddressInfo info{entry->ai_family, entry->ai_socktype, entry->ai_protocol,
                     entry->ai_canonname != nullptr ? entry->ai_canonname : "", "", 0};
    char text[INET6_ADDRSTRLEN] = "";
    if (entry->ai_family == AF_INET) {
      const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(entry->ai_addr);
      ::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text);
      info.port = ntohs(ipv4->sin_port);
    } else if (entry->ai_family == AF_INET6) {
      const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(entry->ai_addr);
      ::inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof text);
      info.port = ntohs(ipv6->sin6_port);
    }
    info.address = text;
    results.push_back(std::move(info));
  }
  return results;
}

SocketAddress numeric_address(const std::string& address, std::uint16_t port) {
  addrinfo request{};
  request.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  const AddressList list = lookup(address.c_str(), service.c_str(), request, "getaddrinfo");
  SocketAddress result;
  std::memcpy(&result.storage, list->ai_addr, list->ai_addrlen);
  result.length = list->ai_addrlen;
  return result;
}

NameInfo get_name_info(const std::string& address, std::uint16_t port, int flags) {
  const SocketAddress where = numeric_address(address, port);
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (const int code = ::getnameinfo(where.get(), where.length, host, sizeof host, service, sizeof service, flags);
      code != 0) {
    throw_gai(code, "getnameinfo");
  }
  return {host, service};
}

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = "";
  check("gethostname", ::gethostname(name, sizeof name - 1));  // the last byte stays NUL
  return name;
}

std::string fully_qualified_name(const std::string& name) {
  std::string host = name.empty() ? host_name() : name;  // not const: `return host` moves it
  addrinfo request{};
  request.ai_flags = AI_CANONNAME;
  try {
    const AddressList list = lookup(host.c_str(), nullptr, request, "getaddrinfo");
    return list->ai_canonname != nullptr ? list->ai_canonname : host;
  } catch (const std::system_error&) {
    return host;
  }
}

bool has_ipv6() {
  const FileDescriptor probe(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return static_cast<bool>(probe);
}

std::vector<Interface> interfaces() {
  const std::unique_ptr<struct if_nameindex, decltype(&::if_freenameindex)> list(::if_nameindex(), &::if_freenameindex);
  if (!list) {
    throw_errno("if_nameindex");
  }
  std::vector<Interface> result;
  for (const struct if_nameindex* entry = list.get(); entry->if_index != 0; ++entry) {
    result.push_back({entry->if_index, entry->if_name});
  }
  return result;
}

}  // namespace socklab::resolver
