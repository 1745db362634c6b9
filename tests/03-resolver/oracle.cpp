// The reference's answers to lab 03's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::resolver::testing::calls()); }
