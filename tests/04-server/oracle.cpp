// The reference's answers to lab 04's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::server::testing::calls()); }
