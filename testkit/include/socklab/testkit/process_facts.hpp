#pragma once
/// \file
/// Facts about the test process that tests check behaviour against.

#include <chrono>
#include <string_view>

namespace socklab::testkit {

/// Whether \p fd is an open descriptor of this process.
bool is_open_fd(int fd);

/// Whether the close-on-exec flag is set on \p fd.
bool is_close_on_exec(int fd);

/// How many descriptors this process has open (from /proc/self/fd).
int open_fd_count();

/// Whether this process has capability \p cap (a CAP_* number) in its effective
/// set, read from /proc/self/status.  Tests decide which path to check by the
/// capability, never by the user's name or id.
bool has_capability(int cap);

/// The int-valued socket option \p name at \p level of \p fd, read by the test
/// itself rather than by the code under test.  \throws std::system_error.
int int_option(int fd, int level, int name);

/// Sets SO_RCVTIMEO and SO_SNDTIMEO on \p fd, so that a test never blocks on a
/// socket for longer than \p limit.  \throws std::system_error on failure.
void set_io_timeout(int fd, std::chrono::milliseconds limit);

/// Writes all of \p bytes to \p fd, a pipe or socket (non-blocking or not),
/// waiting with poll(2) while it is full.  Returns false when it stays full
/// until \p limit has passed: its reader is not reading.
/// \throws std::system_error naming write for any error but EAGAIN and EINTR.
bool write_within(int fd, std::string_view bytes, std::chrono::milliseconds limit);

}  // namespace socklab::testkit
