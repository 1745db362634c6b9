// Lab 07, part 3 — the reference broadcast step.

#include "broadcast.hpp"

namespace socklab::chat {

std::vector<int> broadcast(std::span<const Member> room, int sender, const Block& block) {
  std::vector<int> full;
  for (const Member& member : room) {
    if (member.id != sender && !member.queue->push(block)) {
      full.push_back(member.id);
    }
  }
  return full;
}

}  // namespace socklab::chat
