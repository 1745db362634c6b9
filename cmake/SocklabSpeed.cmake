# Build speed (issue #8): what makes a clean build, and a student's rebuild
# after one saved lab file, cheaper.  Measured in README.md ("How fast").
#
#  - The linker: lld when it is installed, else gold (part of binutils, so
#    always there with g++): both link the Debug test programs two to three
#    times faster than the default ld.bfd, and a student's rebuild is mostly
#    one compile and one link.  SOCKLAB_LINKER picks one by hand.
#  - socklab_fast_code(<target>...): in Debug builds, the project's own test
#    code, the testkit, the oracles and the reference are compiled with -Og
#    and line tables only (-g1).  That compiles faster than -O0 with full
#    debug information, and the differential tests run about three times
#    faster (nlohmann::json at -O0 is slow).  -Og rather than -O1: chapter
#    05's tests compiled in 8.5-9.2 s of CPU against 9.7-12.0 s at -O1
#    (alternating runs), and the suite's tests took the same time at both.
#    The student's lab code and the support library keep -O0 -g, for the
#    debugger.  SOCKLAB_FAST_TESTS=OFF turns it off.
#  - socklab_line_tables(<target>...): in Debug builds, the chapters'
#    programs and the `socklab` command keep -O0 but carry line tables only
#    (-g1): a backtrace still names file and line, and the compile is about a
#    quarter faster (CLI11 is header-only, so each program's main.cpp
#    generates its whole parser: full debug information for it cost 3 of 11
#    s).  A student debugging a program steps into their own lab code, which
#    keeps -g.  SOCKLAB_FAST_TESTS=OFF turns it off too.
#
#  - socklab_unity(<target>...): the test programs and the grader's library
#    are unity builds (CMake's UNITY_BUILD, one translation unit per target):
#    their files share catch.hpp, json.hpp, fmt and the testkit, and the
#    templates they use are instantiated once, not once per file.  Chapter
#    05's four test files: 25 s of CPU apart, 16 s as one; cli/'s fifteen
#    files: 59 s of CPU apart, about 20 s as one.  Only those who edit one pay,
#    with a rebuild of its whole target; a student's save rebuilds none of
#    them.  SOCKLAB_UNITY=OFF turns it off.  The asan preset and the lint
#    gate do, so CI still compiles every file on its own: one that builds only
#    next to its neighbours fails there.

# Precompiled headers, for the tests, were measured and not kept: a test's
# compile time is in instantiating and generating code, not in parsing
# catch.hpp or json.hpp, and a precompiled catch.hpp + json.hpp saved nothing
# per file while costing a compile of its own.  One is kept: CLI11 and fmt,
# shared by the ten files that parse a command line, where it saves more than
# it costs (socklab_command_line_pch, support/CMakeLists.txt).

set(SOCKLAB_LINKER "auto" CACHE STRING "Linker (-fuse-ld): auto (lld if installed, else gold), bfd, gold or lld")
set_property(CACHE SOCKLAB_LINKER PROPERTY STRINGS auto bfd gold lld)
option(SOCKLAB_UNITY "Compile each test program, and the grader's library, as one translation unit" ON)
option(SOCKLAB_FAST_TESTS "Debug builds: the tests, testkit, oracles and reference at -Og -g1; the programs and the socklab command at -g1" ON)

function(socklab_choose_linker)
  set(linker "${SOCKLAB_LINKER}")
  if(linker STREQUAL "auto")
    include(CheckLinkerFlag)
    check_linker_flag(CXX "-fuse-ld=lld" SOCKLAB_HAVE_LLD)
    check_linker_flag(CXX "-fuse-ld=gold" SOCKLAB_HAVE_GOLD)
    if(SOCKLAB_HAVE_LLD)
      set(linker lld)
    elseif(SOCKLAB_HAVE_GOLD)
      set(linker gold)
    else()
      set(linker bfd)
    endif()
  endif()
  if(NOT linker STREQUAL "bfd")
    add_link_options("-fuse-ld=${linker}")
  endif()
  # For the manifest: a submission build is told the linker instead of
  # checking for it again (two try_compiles, half of its configure time).
  set_property(GLOBAL PROPERTY SOCKLAB_LINKER_USED "${linker}")
  message(STATUS "socklab: linking with ${linker}")
endfunction()

function(socklab_fast_code)
  if(NOT SOCKLAB_FAST_TESTS)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    # -Wnull-dereference does nothing at -O0 (it needs the optimiser's null
    # pointer analysis); at -O1 and -Og it fires inside libstdc++'s own inline code
    # (std::streambuf), so it stays as it was: off for these targets.
    target_compile_options(${target} PRIVATE $<$<CONFIG:Debug>:-Og -g1 -Wno-null-dereference>)
  endforeach()
endfunction()

function(socklab_line_tables)
  if(NOT SOCKLAB_FAST_TESTS)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    target_compile_options(${target} PRIVATE $<$<CONFIG:Debug>:-g1>)
  endforeach()
endfunction()

function(socklab_unity)
  if(NOT SOCKLAB_UNITY)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  endforeach()
endfunction()
