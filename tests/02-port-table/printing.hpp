#pragma once
// How Catch2 shows lab 02's values in a failed assertion: "32768-60999"
// rather than "{?}".

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "port_table.hpp"

namespace Catch {

template <>
struct StringMaker<socklab::port_table::PortRange> {
  static std::string convert(const socklab::port_table::PortRange& range) {
    return std::to_string(range.low) + "-" + std::to_string(range.high);
  }
};

template <>
struct StringMaker<std::optional<socklab::port_table::PortRange>> {
  static std::string convert(const std::optional<socklab::port_table::PortRange>& range) {
    return range ? StringMaker<socklab::port_table::PortRange>::convert(*range) : "nullopt";
  }
};

}  // namespace Catch
