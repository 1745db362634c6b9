// expect-status: failed
// expect-message: timed out after
#include <unistd.h>
static void misbehave() { ::sleep(3600); }
