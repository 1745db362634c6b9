// expect-status: failed
// expect-message: crashed with SIGSEGV | SEGV on unknown address
static void misbehave() {
  int* volatile nowhere = nullptr;
  *nowhere = 1;
}
