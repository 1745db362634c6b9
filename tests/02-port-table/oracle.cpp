// The reference's answers to lab 02's differential tests.
#include "calls.hpp"

int main() { return socklab::testkit::serve_oracle(socklab::port_table::testing::calls()); }
