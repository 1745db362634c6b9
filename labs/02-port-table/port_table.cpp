// Lab 02 — port table.  Your code goes here; the task is in port_table.hpp.
//
// Every function below is a starter stub: it compiles, and it does not do the
// work, so its tests fail.  Replace each body.  `./socklab` shows your points.

#include "port_table.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::port_table {

ServicesTable parse_services(std::string_view text) {
  // TODO: split into lines, apply the rules in port_table.hpp to each, keep
  // the well-formed ones and the numbers of the malformed ones.
  (void)text;
  return {};
}

ServicesTable load_services(const std::string& path) {
  // TODO: open(2) and read(2) the whole file, then parse_services().
  (void)path;
  return {};
}

const ServiceEntry* find_by_name(const ServicesTable& table, std::string_view name,
                                 std::string_view protocol) {
  // TODO: the first entry whose name or alias is `name`, for `protocol`.
  (void)table;
  (void)name;
  (void)protocol;
  return nullptr;
}

const ServiceEntry* find_by_port(const ServicesTable& table, int port, std::string_view protocol) {
  // TODO: the first entry with `port`, for `protocol`; reject bad port numbers.
  (void)table;
  (void)port;
  (void)protocol;
  return nullptr;
}

PortClass classify_port(int port) {
  (void)port;
  return {};  // TODO
}

std::string_view class_name(PortClass port_class) {
  (void)port_class;
  return "";  // TODO
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  (void)text;
  return std::nullopt;  // TODO
}

PortRange ephemeral_range(const std::string& path) {
  // TODO: read the file; fall back to default_ephemeral_range when you cannot.
  (void)path;
  return {};
}

bool is_ephemeral(int port, PortRange range) {
  (void)port;
  (void)range;
  return false;  // TODO
}

}  // namespace socklab::port_table
