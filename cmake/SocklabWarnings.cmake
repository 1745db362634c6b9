# Warnings are set per target, never globally, so that a student's lab can
# warn without failing while the project's own code treats them as errors.

# The one list of warnings: socklab_warnings gives it to targets, and the
# starter-stub check (cmake/SocklabStubCheck.cmake) compiles the stubs with it.
set(SOCKLAB_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
  -Wimplicit-fallthrough)

function(socklab_warnings target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "AS_ERRORS" "" "")
  target_compile_options(${target} PRIVATE ${SOCKLAB_WARNING_FLAGS})
  # GCC 12's optimiser (Release, RelWithDebInfo) raises -Wnull-dereference inside
  # libstdc++'s std::streambuf and -Wrestrict inside std::string's char_traits:
  # false positives in the standard library's own inline code, never in ours.
  # At -O0 (Debug, what the tests and CI build) neither fires, so they stay on there.
  set(optimised_gcc "$<AND:$<CXX_COMPILER_ID:GNU>,$<NOT:$<CONFIG:Debug>>>")
  target_compile_options(${target} PRIVATE "$<${optimised_gcc}:-Wno-null-dereference>"
                                           "$<${optimised_gcc}:-Wno-restrict>")
  if(arg_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# For a project build: CTest test "gates/<slug>: the starter stubs compile
# without warnings" (label gates), which compiles the chapter's lab files as
# lab-<slug> does (its include folders, the C++ standard) but with -Werror.
# The lab library itself only shows its warnings: a student's code never fails
# to build over one.  Outside CI (CI=true), labs/ may hold a student's work, so
# there a warning only skips the test (see the script).
function(socklab_add_stub_check slug)
  set(sources ${ARGN})
  add_test(NAME "gates/${slug}: the starter stubs compile without warnings"
    COMMAND "${CMAKE_COMMAND}"
      "-DCOMPILER=${CMAKE_CXX_COMPILER}"
      "-DFLAGS=${CMAKE_CXX${CMAKE_CXX_STANDARD}_STANDARD_COMPILE_OPTION};${SOCKLAB_WARNING_FLAGS};-Werror"
      "-DINCLUDES=$<TARGET_PROPERTY:lab-${slug},INCLUDE_DIRECTORIES>"
      "-DSOURCES=${sources}"
      -P "${PROJECT_SOURCE_DIR}/cmake/SocklabStubCheck.cmake")
  set_tests_properties("gates/${slug}: the starter stubs compile without warnings" PROPERTIES
    LABELS gates TIMEOUT 60 SKIP_REGULAR_EXPRESSION "SOCKLAB-SKIP:")
endfunction()
