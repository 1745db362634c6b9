# socklab_add_chapter(<slug> TITLE <t> ARTICLE <heading> PROGRAM <name>
#                     SOURCES <lab file>... TESTS <test file>...
#                     [PROGRAM_SOURCES <file>...] [PROGRAM_LIBRARIES <target>...])
#
# Wires one chapter's trees together.  For slug S with lab files F...:
#   lab-S              static library from ${SOCKLAB_LABS_DIR}/S/F... (the student's code)
#   ref-S              static library from solutions/S/F...           (the reference)
#   tests-S-lab        tests/S/<TESTS> linked with lab-S: what the grader runs
#                      (tests are listed in the order of TESTS: the handout's order)
#   tests-S-ref        the same test objects linked with ref-S: registered with CTest
#   gates/S: ...       a CTest test: the stubs compile with the project's warnings as errors
#   oracle-S           bin/oracle/oracle-S, a link to the one oracle program of
#                      every chapter (tests/oracle.cpp, linked with each ref-S:
#                      socklab_add_oracle below): answers differential tests
#   program-S-lab/ref  programs/S/main.cpp (and PROGRAM_SOURCES, also in
#                      programs/S), compiled once, linked with each and PROGRAM_LIBRARIES,
#                      named PROGRAM, in bin/lab and bin/ref (project builds only)
# The test sources are compiled once and linked twice.  A submission build
# compiles only the lab libraries: it links the project build's archives of
# the tests, support and testkit (SOCKLAB_PROJECT_BUILD), so grading a class
# compiles the project's code once, not once per student.

set_property(GLOBAL PROPERTY SOCKLAB_MANIFEST_CHAPTERS "")

function(socklab_add_chapter slug)
  cmake_parse_arguments(PARSE_ARGV 1 ch "" "TITLE;ARTICLE;PROGRAM" "SOURCES;TESTS;PROGRAM_SOURCES;PROGRAM_LIBRARIES")
  foreach(required IN ITEMS TITLE ARTICLE PROGRAM SOURCES TESTS)
    if(NOT ch_${required})
      message(FATAL_ERROR "socklab_add_chapter(${slug}): ${required} is missing")
    endif()
  endforeach()

  set(lab_dir "${SOCKLAB_LABS_DIR}/${slug}")
  set(solution_dir "${PROJECT_SOURCE_DIR}/solutions/${slug}")
  set(test_dir "${PROJECT_SOURCE_DIR}/tests/${slug}")
  set(program_dir "${PROJECT_SOURCE_DIR}/programs/${slug}")

  # The student's code.  Warnings are shown but never fail a student's build.
  list(TRANSFORM ch_SOURCES PREPEND "${lab_dir}/" OUTPUT_VARIABLE lab_sources)
  add_library(lab-${slug} STATIC ${lab_sources})
  target_include_directories(lab-${slug} PUBLIC "${lab_dir}")
  target_link_libraries(lab-${slug} PUBLIC socklab::support)
  socklab_warnings(lab-${slug})

  if(SOCKLAB_SUBMISSION_BUILD)
    # The project build compiled the tests already: link its archive of them
    # (whole, since nothing refers to a Catch2 test by name).
    string(JSON archive GET "${SOCKLAB_PROJECT_MANIFEST}" tests_archives ${slug})
    add_library(tests-${slug}-archive STATIC IMPORTED)
    set_target_properties(tests-${slug}-archive PROPERTIES IMPORTED_LOCATION "${archive}")
    add_executable(tests-${slug}-lab "${SOCKLAB_LINK_ONLY_SOURCE}")
    target_link_libraries(tests-${slug}-lab PRIVATE
      "$<LINK_LIBRARY:WHOLE_ARCHIVE,tests-${slug}-archive>" lab-${slug} socklab::testkit Catch2::Catch2WithMain)
    socklab_add_extra_tests(${slug} "${lab_dir}" "${test_dir}")
  else()
    # The graded tests, compiled once against the lab's header and linked
    # twice below; the archive is what submission builds link.
    list(TRANSFORM ch_TESTS PREPEND "${test_dir}/" OUTPUT_VARIABLE test_sources)
    add_library(tests-${slug}-objects OBJECT ${test_sources})
    target_include_directories(tests-${slug}-objects PRIVATE "${lab_dir}" "${test_dir}")
    target_link_libraries(tests-${slug}-objects PRIVATE socklab::testkit Catch2::Catch2)
    target_compile_definitions(tests-${slug}-objects PRIVATE
      SOCKLAB_ORACLE_PATH="${SOCKLAB_ORACLE_DIR}/oracle-${slug}")
    socklab_warnings(tests-${slug}-objects AS_ERRORS)
    socklab_fast_code(tests-${slug}-objects)
    socklab_unity(tests-${slug}-objects)
    add_library(tests-${slug}-archive STATIC $<TARGET_OBJECTS:tests-${slug}-objects>)

    add_executable(tests-${slug}-lab $<TARGET_OBJECTS:tests-${slug}-objects>)
    target_link_libraries(tests-${slug}-lab PRIVATE lab-${slug} socklab::testkit Catch2::Catch2WithMain)
    set_property(GLOBAL APPEND PROPERTY SOCKLAB_MANIFEST_ARCHIVES
      "\"${slug}\": \"$<TARGET_FILE:tests-${slug}-archive>\"")
    set_property(GLOBAL APPEND PROPERTY SOCKLAB_MANIFEST_REFERENCES
      "\"${slug}\": \"$<TARGET_FILE:ref-${slug}>\"")
  endif()

  set(entry "{\"slug\": \"${slug}\", \"title\": \"${ch_TITLE}\", \"article\": \"${ch_ARTICLE}\",
      \"program\": \"${ch_PROGRAM}\", \"lab_files\": [\"${ch_SOURCES}\"],
      \"tests_lab_target\": \"tests-${slug}-lab\", \"tests_lab\": \"$<TARGET_FILE:tests-${slug}-lab>\"")

  if(NOT SOCKLAB_SUBMISSION_BUILD)
    list(TRANSFORM ch_SOURCES PREPEND "${solution_dir}/" OUTPUT_VARIABLE ref_sources)
    add_library(ref-${slug} STATIC ${ref_sources})
    target_include_directories(ref-${slug} PUBLIC "${lab_dir}")
    target_link_libraries(ref-${slug} PUBLIC socklab::support)
    socklab_warnings(ref-${slug} AS_ERRORS)
    socklab_fast_code(ref-${slug})

    add_executable(tests-${slug}-ref $<TARGET_OBJECTS:tests-${slug}-objects>)
    target_link_libraries(tests-${slug}-ref PRIVATE ref-${slug} socklab::testkit Catch2::Catch2WithMain)

    set_property(GLOBAL APPEND PROPERTY SOCKLAB_ORACLE_CHAPTERS "${slug}")
    add_dependencies(tests-${slug}-lab socklab_oracle)
    add_dependencies(tests-${slug}-ref socklab_oracle)

    # The programs are for people; grading a submission does not need them.
    # Like the tests, they are compiled once (against the lab's header) and
    # linked twice, with each library.
    list(TRANSFORM ch_PROGRAM_SOURCES PREPEND "${program_dir}/" OUTPUT_VARIABLE program_sources)
    add_library(program-${slug}-objects OBJECT "${program_dir}/main.cpp" ${program_sources})
    target_include_directories(program-${slug}-objects PRIVATE "${lab_dir}")
    target_link_libraries(program-${slug}-objects PRIVATE
      socklab::support socklab::command_line fmt::fmt ${ch_PROGRAM_LIBRARIES})
    socklab_warnings(program-${slug}-objects AS_ERRORS)
    socklab_line_tables(program-${slug}-objects)
    socklab_command_line_pch(program-${slug}-objects SKIP ${program_sources})

    add_executable(program-${slug}-lab $<TARGET_OBJECTS:program-${slug}-objects>)
    target_link_libraries(program-${slug}-lab PRIVATE lab-${slug} socklab::command_line fmt::fmt ${ch_PROGRAM_LIBRARIES})
    set_target_properties(program-${slug}-lab PROPERTIES
      OUTPUT_NAME ${ch_PROGRAM} RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin/lab")

    add_executable(program-${slug}-ref $<TARGET_OBJECTS:program-${slug}-objects>)
    target_link_libraries(program-${slug}-ref PRIVATE ref-${slug} socklab::command_line fmt::fmt ${ch_PROGRAM_LIBRARIES})
    set_target_properties(program-${slug}-ref PROPERTIES
      OUTPUT_NAME ${ch_PROGRAM} RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin/ref")
    # For the docs site's page of the programs' --help (docs/CMakeLists.txt).
    set_property(GLOBAL APPEND PROPERTY SOCKLAB_PROGRAM_REFS "${slug}")

    # One label and one time-out, as single values: Catch2 2.13's
    # catch_discover_tests drops properties that follow a list value.
    catch_discover_tests(tests-${slug}-ref
      TEST_PREFIX "${slug}/"
      EXTRA_ARGS -w NoAssertions
      PROPERTIES LABELS ${slug} TIMEOUT 60)
    # The starter stubs compile without warnings (label gates; SocklabWarnings.cmake).
    socklab_add_stub_check(${slug} ${lab_sources})

    string(APPEND entry ",
      \"tests_ref_target\": \"tests-${slug}-ref\", \"tests_ref\": \"$<TARGET_FILE:tests-${slug}-ref>\",
      \"tests_archive_target\": \"tests-${slug}-archive\",
      \"oracle_target\": \"socklab_oracle\",
      \"program_lab_target\": \"program-${slug}-lab\", \"program_lab\": \"$<TARGET_FILE:program-${slug}-lab>\",
      \"program_ref_target\": \"program-${slug}-ref\", \"program_ref\": \"$<TARGET_FILE:program-${slug}-ref>\"")
  endif()
  get_property(extra_entry GLOBAL PROPERTY SOCKLAB_EXTRA_ENTRY_${slug})
  string(APPEND entry "${extra_entry}}")
  string(REPLACE ";" "\", \"" entry "${entry}")
  set_property(GLOBAL APPEND PROPERTY SOCKLAB_MANIFEST_CHAPTERS "${entry}")
endfunction()

# For a submission build with SOCKLAB_EXTRA_TESTS (socklab grade --extra-tests
# DIR): an instructor's hidden tests DIR/<slug>/*_test.cpp are compiled into
# the chapter's graded program, and into tests-<slug>-extra-ref with the project
# build's reference library, from which the grader lists them: never from a
# program holding the student's code.
function(socklab_add_extra_tests slug lab_dir test_dir)
  if(NOT SOCKLAB_EXTRA_TESTS)
    return()
  endif()
  file(GLOB extra_sources CONFIGURE_DEPENDS "${SOCKLAB_EXTRA_TESTS}/${slug}/*_test.cpp")
  if(NOT extra_sources)
    return()
  endif()
  add_library(tests-${slug}-extra OBJECT ${extra_sources})
  target_include_directories(tests-${slug}-extra PRIVATE "${lab_dir}" "${test_dir}")
  target_link_libraries(tests-${slug}-extra PRIVATE socklab::testkit Catch2::Catch2)
  target_compile_definitions(tests-${slug}-extra PRIVATE
    SOCKLAB_ORACLE_PATH="${SOCKLAB_PROJECT_BUILD}/bin/oracle/oracle-${slug}")
  socklab_fast_code(tests-${slug}-extra)
  target_sources(tests-${slug}-lab PRIVATE $<TARGET_OBJECTS:tests-${slug}-extra>)

  string(JSON reference GET "${SOCKLAB_PROJECT_MANIFEST}" reference_libraries ${slug})
  add_library(ref-${slug} STATIC IMPORTED)
  set_target_properties(ref-${slug} PROPERTIES IMPORTED_LOCATION "${reference}"
    INTERFACE_LINK_LIBRARIES socklab::support)
  add_executable(tests-${slug}-extra-ref $<TARGET_OBJECTS:tests-${slug}-extra>)
  target_link_libraries(tests-${slug}-extra-ref PRIVATE ref-${slug} socklab::testkit Catch2::Catch2WithMain)
  set_property(GLOBAL PROPERTY SOCKLAB_EXTRA_ENTRY_${slug} ",
      \"extra_tests_ref_target\": \"tests-${slug}-extra-ref\",
      \"extra_tests_ref\": \"$<TARGET_FILE:tests-${slug}-extra-ref>\"")
endfunction()

# The oracle of every chapter's differential tests (project builds only; after
# the chapters): tests/oracle.cpp linked with every reference library, and a
# link oracle-<slug> to it per chapter, by which name it answers for that
# chapter.  One program, because compiling nlohmann::json's templates once
# instead of once per chapter saves about 13 s of CPU in a clean build.
function(socklab_add_oracle)
  get_property(slugs GLOBAL PROPERTY SOCKLAB_ORACLE_CHAPTERS)
  add_executable(socklab_oracle "${PROJECT_SOURCE_DIR}/tests/oracle.cpp")
  target_include_directories(socklab_oracle PRIVATE "${PROJECT_SOURCE_DIR}/tests")
  target_link_libraries(socklab_oracle PRIVATE socklab::testkit)
  foreach(slug IN LISTS slugs)
    target_link_libraries(socklab_oracle PRIVATE ref-${slug})
    add_custom_command(TARGET socklab_oracle POST_BUILD
      COMMAND "${CMAKE_COMMAND}" -E create_symlink oracle oracle-${slug}
      WORKING_DIRECTORY "${SOCKLAB_ORACLE_DIR}"
      VERBATIM)
  endforeach()
  socklab_warnings(socklab_oracle AS_ERRORS)
  socklab_fast_code(socklab_oracle)
  set_target_properties(socklab_oracle PROPERTIES OUTPUT_NAME oracle RUNTIME_OUTPUT_DIRECTORY "${SOCKLAB_ORACLE_DIR}")
endfunction()

# Writes socklab-manifest.json in the build folder: what the `socklab` command
# knows about the chapters, their targets and where their files are.
function(socklab_write_manifest)
  get_property(chapters GLOBAL PROPERTY SOCKLAB_MANIFEST_CHAPTERS)
  list(JOIN chapters ",\n    " chapters_json)
  if(SOCKLAB_SUBMISSION_BUILD)
    set(submission true)
  else()
    set(submission false)
  endif()
  get_property(archives GLOBAL PROPERTY SOCKLAB_MANIFEST_ARCHIVES)
  list(JOIN archives ", " archives_json)
  get_property(references GLOBAL PROPERTY SOCKLAB_MANIFEST_REFERENCES)
  list(JOIN references ", " references_json)
  # What a submission build links instead of compiling (project builds only).
  set(libraries "")
  if(NOT SOCKLAB_SUBMISSION_BUILD)
    get_property(linker GLOBAL PROPERTY SOCKLAB_LINKER_USED)
    set(libraries "
  \"support_library\": \"$<TARGET_FILE:socklab_support>\",
  \"testkit_library\": \"$<TARGET_FILE:socklab_testkit>\",
  \"tests_archives\": {${archives_json}},
  \"reference_libraries\": {${references_json}},
  \"build_type\": \"${CMAKE_BUILD_TYPE}\",
  \"cxx_flags\": \"${CMAKE_CXX_FLAGS}\",
  \"exe_linker_flags\": \"${CMAKE_EXE_LINKER_FLAGS}\",
  \"cxx_compiler\": \"${CMAKE_CXX_COMPILER}\",
  \"linker\": \"${linker}\",")
  endif()
  file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/socklab-manifest.json" CONTENT "{
  \"source_dir\": \"${PROJECT_SOURCE_DIR}\",
  \"build_dir\": \"${PROJECT_BINARY_DIR}\",
  \"labs_dir\": \"${SOCKLAB_LABS_DIR}\",
  \"submission_build\": ${submission},${libraries}
  \"chapters\": [
    ${chapters_json}
  ]
}
")
endfunction()
