#pragma once
/// \file
/// When output for people may use colour.

namespace socklab {

/// Whether to colour what is written to \p fd: only when it is a terminal,
/// `TERM` is not "dumb", and `NO_COLOR` is unset or empty (no-color.org).
/// \param fd  the descriptor the output goes to, as in `STDOUT_FILENO`.
/// \return true when colour escapes may be written to \p fd.
bool colour_enabled(int fd);

}  // namespace socklab
