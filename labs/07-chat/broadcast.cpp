// Lab 07, part 3 — the server's broadcast step.  Your code goes here; the task
// is in broadcast.hpp.  The function is a starter stub: it compiles, and its
// tests fail until you replace its body.

#include "broadcast.hpp"

namespace socklab::chat {

std::vector<int> broadcast(std::span<const Member> room, int sender, const Block& block) {
  (void)room;
  (void)sender;
  (void)block;
  return {};  // TODO: push onto every queue but the sender's; report the full ones
}

}  // namespace socklab::chat
