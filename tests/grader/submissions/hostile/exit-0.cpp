// expect-status: failed
// expect-message: before the test finished
#include <cstdlib>
static void misbehave() { std::exit(0); }
