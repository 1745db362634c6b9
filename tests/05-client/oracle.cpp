// The reference's answers to lab 05's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::client::testing::calls()); }
