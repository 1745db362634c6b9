// The source of the precompiled <CLI/CLI.hpp> and <fmt/core.h> that every
// program parsing a command line reuses (support/CMakeLists.txt): nothing of
// its own, the headers come from the precompiled header itself.
