// expect-status: failed
// expect-message: crashed with SIGABRT
#include <exception>
static void misbehave() { std::terminate(); }
