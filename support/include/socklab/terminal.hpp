#pragma once
/// \file
/// When output for people may use colour.

namespace socklab {

/// Whether to colour what is written to \p fd: only when it is a terminal,
/// `TERM` is not "dumb", and `NO_COLOR` is unset or empty (no-color.org).
bool colour_enabled(int fd);

}  // namespace socklab
