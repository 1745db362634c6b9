// expect-status: failed
// expect-message: crashed with SIGABRT
#include <cstdlib>
static void misbehave() { std::abort(); }
