# Warnings are set per target, never globally, so that a student's lab can
# warn without failing while the project's own code treats them as errors.

function(socklab_warnings target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "AS_ERRORS" "" "")
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
  if(arg_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
