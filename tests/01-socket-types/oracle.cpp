// The reference's answers to lab 01's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::socket_types::testing::calls()); }
