// expect-status: failed
// expect-message: processes at once
#include <unistd.h>
static void misbehave() {
  for (;;) {
    if (::fork() == 0) {
      for (;;) {
        ::pause();
      }
    }
  }
}
