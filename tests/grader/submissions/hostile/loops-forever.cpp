// expect-status: failed
// expect-message: timed out after
static void misbehave() {
  volatile unsigned long spins = 0;
  for (;;) {
    spins = spins + 1;
  }
}
