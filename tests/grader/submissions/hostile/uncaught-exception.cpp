// expect-status: failed
// expect-message: crashed with SIGABRT
// An exception that nothing can catch: thrown on a thread of its own.
#include <stdexcept>
#include <thread>
static void misbehave() {
  std::thread([] { throw std::runtime_error("nobody catches this"); }).join();
}
