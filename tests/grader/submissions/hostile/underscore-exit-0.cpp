// expect-status: failed
// expect-message: before the test finished
#include <unistd.h>
static void misbehave() { ::_exit(0); }
