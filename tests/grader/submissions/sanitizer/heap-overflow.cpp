// expect-status: failed
// expect-message: heap-buffer-overflow
// A write one element past a heap array: unnoticed in a plain build (the
// allocation has slack), a failure under --sanitize.  Called first in the
// reference's family_name(), like the hostile submissions.
#include <memory>
static void misbehave() {
  const auto numbers = std::make_unique<int[]>(4);
  volatile int past_the_end = 4;
  numbers[past_the_end] = 1;
}
