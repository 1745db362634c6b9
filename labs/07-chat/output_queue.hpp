#pragma once
/// \file
/// Lab 07, part 2 — a bounded output buffer for each client (article 二.5).
///
/// The article's server sends with `conn.send(...)` and carries on, as if the
/// client had taken everything.  A chat server with many clients cannot wait
/// for any one of them: its sockets are non-blocking, and what a client's
/// socket will not take now waits in that client's *output queue* until
/// `poll`/`epoll` says the socket is writable again.
///
/// Two lessons live here:
/// - **Share, don't copy.**  A line said to a room of 1000 people is queued
///   1000 times.  The queue holds `std::shared_ptr`s to immutable blocks of
///   bytes, so the line is in memory once however many queues hold it.
/// - **Bound it.**  A client that never reads would make its queue grow until
///   the server runs out of memory.  A queue has a limit; push() refuses a
///   block that would take it over, and the server drops that client.
///
/// Do not change the public declarations (the private members are yours to
/// change); write the code in `output_queue.cpp`.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace socklab::chat {

/// An immutable block of bytes that many queues may hold at once.
using Block = std::shared_ptr<const std::string>;

/// Makes a Block holding \p bytes.
/// \param bytes  the block's contents, moved into it.
/// \return a new Block, never null; its copies share the one string.
[[nodiscard]] inline Block make_block(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

/// The bytes waiting to be written to one client, oldest first.
class OutputQueue {
 public:
  /// An empty queue that holds at most \p limit bytes.
  /// \param limit  the most bytes that may wait at once.
  explicit OutputQueue(std::size_t limit);

  /// Queues \p block behind what is already waiting, without copying its
  /// bytes.  A null or empty block queues nothing.
  /// \param block  the bytes to queue; the queue keeps a reference to them
  ///   (shared ownership) until they are written.
  /// \return true when the block was queued, or was null or empty; false, and
  ///   nothing queued, when size() plus the block's size would be more than
  ///   limit().
  [[nodiscard]] bool push(Block block);

  /// Writes as much of the queue to the socket \p fd as it takes now, oldest
  /// bytes first, and removes what was written.
  ///
  /// The socket is non-blocking (or treat it as if it were): never wait.
  /// - Write many blocks per call: one `sendmsg(2)` with an array of `iovec`s
  ///   (at most `IOV_MAX`, 1024 on Linux, per call; loop while the socket
  ///   takes everything you give it), not one `send` per block.
  /// - Pass `MSG_NOSIGNAL | MSG_DONTWAIT`: a peer that has gone away gives
  ///   `EPIPE`, not a `SIGPIPE` that kills the whole server.
  /// - A call may write part of a block: remember where you stopped, and start
  ///   there next time.
  /// - `EAGAIN`/`EWOULDBLOCK`: the socket is full; stop and return what was
  ///   written so far.  `EINTR`: call again.
  /// \param fd  the client's connected stream socket; it stays the caller's.
  /// \return how many bytes were written: 0 when the queue is empty or the
  ///   socket's buffer is full.
  /// \throws std::system_error naming "sendmsg" for any other error
  ///   (`EPIPE`, `ECONNRESET`, …); what was written before it stays removed.
  std::size_t flush(int fd);

  /// How many bytes are waiting.
  /// \return the bytes queued and not yet written, from 0 to limit().
  [[nodiscard]] std::size_t size() const noexcept;
  /// Whether no bytes are waiting.
  /// \return `size() == 0`.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  /// The most bytes this queue holds.
  /// \return the constructor's `limit`.
  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
  std::vector<Block> blocks_;  // waiting blocks; those before head_ are done
  std::size_t head_ = 0;       // index of the oldest waiting block
  std::size_t offset_ = 0;     // bytes of blocks_[head_] already written
  std::size_t size_ = 0;       // bytes waiting
};

}  // namespace socklab::chat
