// expect-status: failed
// expect-message: printed more than
#include <cstdio>
#include <string>
static void misbehave() {
  const std::string line(1023, 'x');
  for (;;) {
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}
