#pragma once
/// \file
/// Lab 07, part 3 — the server's broadcast step (article 二.5).
///
/// "Every line a client sends reaches every other client."  The step is short,
/// and each of its rules is a bug someone has shipped:
/// - the sender does not get its own line back;
/// - a client whose queue is full must not stop the others from getting the
///   line: keep going, and report it;
/// - do not drop (erase) a client while walking the list you were given: the
///   caller owns the list, and erasing from a container you are iterating
///   invalidates the iteration.  Return who must go; the caller drops them
///   afterwards.
///
/// The queues are part 2's OutputQueue: this part's tests call your push()
/// and size() (never flush()), so write part 2's push() first.
///
/// Do not change the declarations; write the code in `broadcast.cpp`.

#include <span>
#include <vector>

#include "output_queue.hpp"

namespace socklab::chat {

/// One client of the room, as the broadcast step sees it.
struct Member {
  int id;               ///< the server's number for this client (unique in the room)
  OutputQueue* queue;   ///< where bytes for this client wait (never null)
};

/// Queues \p block once on the queue of every member of \p room except the
/// member whose id is \p sender (who may also be absent from the room, as
/// when the server itself speaks).  Returns, in room order, the ids of the
/// members whose queue refused the block because it was full; every other
/// member (but the sender) has it queued.  Writes nothing to any socket.
/// \param room  every client of the room, in room order; the caller owns the
///   list and the queues.
/// \param sender  the id of the member who said it, or an id not in the room
///   (the server's own message).
/// \param block  the line to queue, shared by all the queues (not copied).
/// \return the ids of the members whose queue was full, in room order; empty
///   when every member but the sender has the block queued.
[[nodiscard]] std::vector<int> broadcast(std::span<const Member> room, int sender, const Block& block);

}  // namespace socklab::chat
