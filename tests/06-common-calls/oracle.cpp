// The reference's answers to lab 06's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::calls::testing::calls()); }
