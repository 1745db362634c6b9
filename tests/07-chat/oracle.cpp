// The reference's answers to lab 07's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::chat::testing::calls()); }
