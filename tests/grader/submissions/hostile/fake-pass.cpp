// expect-status: failed
// expect-message: before the test finished
// Prints what Catch2 prints for a passing test, then leaves with status 0.
#include <unistd.h>
#include <cstdio>
static void misbehave() {
  std::printf("Passed 1 test case with 1 assertion.\n");
  std::printf("===============================================================================\n");
  std::printf("All tests passed (1 assertion in 1 test case)\n");
  std::fflush(stdout);
  ::_exit(0);
}
