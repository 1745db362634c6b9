// expect-status: failed
// expect-message: {"throws": | used more than
// Takes memory and writes to it, until there is none: the address-space limit
// makes new throw std::bad_alloc, which the test reports as a thrown exception.
#include <cstring>
#include <new>
static void misbehave() {
  for (;;) {
    constexpr unsigned long kChunk = 16UL << 20;
    char* chunk = new char[kChunk];
    std::memset(chunk, 1, kChunk);
  }
}
