// Lab 07, part 2 — a bounded output buffer for each client.  Your code goes
// here; the task is in output_queue.hpp.  Each function is a starter stub: it
// compiles, and its tests fail until you replace its body.

#include "output_queue.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include "socklab/system_error.hpp"

namespace socklab::chat {

OutputQueue::OutputQueue(std::size_t limit) : limit_(limit) {}

bool OutputQueue::push(Block block) {
  (void)block;
  return false;  // TODO: queue it, unless that would pass limit_
}

std::size_t OutputQueue::flush(int fd) {
  (void)fd;
  return 0;  // TODO: sendmsg with up to 64 iovecs, until the socket is full
}

std::size_t OutputQueue::size() const noexcept {
  return 0;  // TODO
}

}  // namespace socklab::chat
