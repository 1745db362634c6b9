#pragma once
/// \file
/// Lab 06, part 3 — socket options (article section 二.4.3: `s.setsockopt`,
/// `s.getsockopt`).
///
/// `setsockopt(2)` and `getsockopt(2)` pass every option as a pointer and a
/// length: the type is a convention between you and the kernel, and a wrong
/// size is found out at run time (`EINVAL`) or not at all.  The typed
/// wrappers here make the type part of the option, so `set_option(fd,
/// no_delay, 4096)` does not compile.
///
/// Do not change the declarations; write the code in `options.cpp`.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace socklab::calls {

/// An option whose value is an on/off `int` (0 or 1).
struct FlagOption {
  int level;  ///< `SOL_SOCKET`, `IPPROTO_TCP`, …
  int name;   ///< `SO_REUSEADDR`, `TCP_NODELAY`, …
};

/// An option whose value is an `int` quantity.
struct SizeOption {
  int level;  ///< `SOL_SOCKET`, …
  int name;   ///< `SO_RCVBUF`, `SO_SNDBUF`, …
};

/// `SO_REUSEADDR`: bind a listening port that has connections in TIME_WAIT (chapter 04).
inline constexpr FlagOption reuse_address{SOL_SOCKET, SO_REUSEADDR};
/// `SO_KEEPALIVE`: probe an idle TCP connection, to find a dead peer.
inline constexpr FlagOption keep_alive{SOL_SOCKET, SO_KEEPALIVE};
/// `TCP_NODELAY`: send small segments at once instead of waiting (no Nagle).
inline constexpr FlagOption no_delay{IPPROTO_TCP, TCP_NODELAY};
/// `SO_RCVBUF`: the receive buffer's size in bytes (the kernel doubles what you set).
inline constexpr SizeOption receive_buffer{SOL_SOCKET, SO_RCVBUF};
/// `SO_SNDBUF`: the send buffer's size in bytes (the kernel doubles what you set).
inline constexpr SizeOption send_buffer{SOL_SOCKET, SO_SNDBUF};

/// Turns \p option on or off on \p fd: `setsockopt` with an `int` 1 or 0.
/// Python: `s.setsockopt(level, name, 1)`.
/// \param fd  the socket; it stays the caller's.
/// \param option  which flag, such as `reuse_address` or `no_delay`.
/// \param on  true to turn it on (1), false to turn it off (0).
/// \throws std::system_error naming "setsockopt".
void set_option(int fd, FlagOption option, bool on);

/// Whether \p option is on: `getsockopt` into an `int`, nonzero meaning on
/// (the kernel may report a set flag as any nonzero value).
/// \param fd  the socket; it stays the caller's.
/// \param option  which flag, such as `reuse_address` or `no_delay`.
/// \return true when the kernel reports a nonzero value.
/// \throws std::system_error naming "getsockopt"; std::length_error when the
///   kernel's answer is not `sizeof(int)` bytes long.
[[nodiscard]] bool get_option(int fd, FlagOption option);

/// Sets \p option to \p value: `setsockopt` with an `int`.  For the buffer
/// sizes the kernel stores twice \p value (bookkeeping room; `man 7 socket`),
/// capped by `net.core.rmem_max` / `wmem_max` and raised to a minimum.
/// \param fd  the socket; it stays the caller's.
/// \param option  which quantity, such as `receive_buffer` or `send_buffer`.
/// \param value  the new value, 0 or more; bytes, for the buffer sizes.
/// \throws std::system_error naming "setsockopt"; std::invalid_argument when
///   \p value is negative (no call is made).
void set_option(int fd, SizeOption option, int value);

/// The value of \p option: `getsockopt` into an `int`.  For the buffer sizes,
/// what the kernel stored, not what was set.
/// \param fd  the socket; it stays the caller's.
/// \param option  which quantity, such as `receive_buffer` or `send_buffer`.
/// \return the value the kernel reports; bytes, for the buffer sizes.
/// \throws std::system_error naming "getsockopt"; std::length_error when the
///   kernel's answer is not `sizeof(int)` bytes long.
[[nodiscard]] int get_option(int fd, SizeOption option);

/// The raw bytes of any option: `getsockopt(fd, level, name)` into a buffer of
/// \p buffer_length bytes, returned cut to the length the kernel reported
/// (which may be less).  Python: `s.getsockopt(level, name, buflen)`, which
/// returns a `bytes` object when `buflen` is given.
/// \param fd  the socket; it stays the caller's.
/// \param level  `SOL_SOCKET`, `IPPROTO_TCP`, `IPPROTO_IP`, …
/// \param name  the option at that level, such as `SO_TYPE` or `TCP_INFO`.
/// \param buffer_length  the buffer's size in bytes: the most to return.
/// \return the option's bytes as the kernel wrote them, at most
///   \p buffer_length of them.
/// \throws std::system_error naming "getsockopt".
[[nodiscard]] std::vector<std::uint8_t> get_option_bytes(int fd, int level, int name, std::size_t buffer_length);

}  // namespace socklab::calls
