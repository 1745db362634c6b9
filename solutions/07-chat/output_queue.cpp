// Lab 07, part 2 — the reference output queue.

#include "output_queue.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "socklab/system_error.hpp"

namespace socklab::chat {

namespace {
constexpr std::size_t max_iovecs = 1024;
constexpr std::size_t staging_size = 16 * 1024;  // bytes of small blocks copied together, per sendmsg
constexpr std::size_t small_block = 512;         // a block this size or smaller is copied
}

OutputQueue::OutputQueue(std::size_t limit) : limit_(limit) {}

bool OutputQueue::push(Block block) {
  if (!block || block->empty()) {
    return true;
  }
  if (block->size() > limit_ - size_) {
    return false;
  }
  // Reuse the front of the vector once it is all used up.
  if (head_ == blocks_.size()) {
    blocks_.clear();
    head_ = 0;
  } else if (head_ >= 32 && head_ * 2 >= blocks_.size()) {
    blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  size_ += block->size();
  blocks_.push_back(std::move(block));
  return true;
}

std::size_t OutputQueue::flush(int fd) {
  std::size_t written = 0;
  while (size_ > 0) {
    // Small blocks (a chat line each) are copied side by side into `staging`
    // and offered as one iovec: each iovec costs the kernel more than copying
    // a short line costs here.  Larger blocks are offered where they are.
    std::array<iovec, max_iovecs> parts;  // only the first `count` are set and used
    std::array<char, staging_size> staging;
    std::size_t staged = 0;
    bool staging_last = false;  // parts[count - 1] ends at staging[staged]
    std::size_t count = 0;
    std::size_t offered = 0;
    for (std::size_t i = head_; i < blocks_.size(); ++i) {
      const std::size_t skip = i == head_ ? offset_ : 0;
      const char* const bytes = blocks_[i]->data() + skip;
      const std::size_t length = blocks_[i]->size() - skip;
      if (length <= small_block && length <= staging.size() - staged) {
        if (staging_last) {
          parts[count - 1].iov_len += length;
        } else {
          if (count == max_iovecs) {
            break;
          }
          parts[count].iov_base = staging.data() + staged;
          parts[count].iov_len = length;
          ++count;
          staging_last = true;
        }
        std::memcpy(staging.data() + staged, bytes, length);
        staged += length;
      } else {
        if (count == max_iovecs) {
          break;
        }
        // sendmsg never writes through the pointer: the cast only fits the iovec type.
        parts[count].iov_base = const_cast<char*>(bytes);  // NOLINT
        parts[count].iov_len = length;
        ++count;
        staging_last = false;
      }
      offered += length;
    }
    msghdr message{};
    message.msg_iov = parts.data();
    message.msg_iovlen = count;
    const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        break;
      }
      throw_errno("sendmsg");
    }
    auto left = static_cast<std::size_t>(sent);
    written += left;
    size_ -= left;
    while (left > 0) {
      const std::size_t rest = blocks_[head_]->size() - offset_;
      if (left < rest) {
        offset_ += left;
        left = 0;
      } else {
        left -= rest;
        blocks_[head_].reset();  // let go of the bytes now, not at the next compaction
        ++head_;
        offset_ = 0;
      }
    }
    if (static_cast<std::size_t>(sent) < offered) {
      break;  // the socket took less than offered: it is full
    }
  }
  if (size_ == 0) {
    blocks_.clear();
    head_ = 0;
    offset_ = 0;
  }
  return written;
}

std::size_t OutputQueue::size() const noexcept { return size_; }

}  // namespace socklab::chat
