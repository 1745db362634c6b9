# For a submission build: the project build's compiled support, testkit and
# test archives, as imported targets, read from its socklab-manifest.json.
if(NOT SOCKLAB_PROJECT_BUILD OR NOT EXISTS "${SOCKLAB_PROJECT_BUILD}/socklab-manifest.json")
  message(FATAL_ERROR "A submission build needs SOCKLAB_PROJECT_BUILD: a configured and built project build")
endif()
file(READ "${SOCKLAB_PROJECT_BUILD}/socklab-manifest.json" SOCKLAB_PROJECT_MANIFEST)
string(JSON support_library GET "${SOCKLAB_PROJECT_MANIFEST}" support_library)
string(JSON testkit_library GET "${SOCKLAB_PROJECT_MANIFEST}" testkit_library)

add_library(socklab::support STATIC IMPORTED)
set_target_properties(socklab::support PROPERTIES
  IMPORTED_LOCATION "${support_library}"
  INTERFACE_INCLUDE_DIRECTORIES "${PROJECT_SOURCE_DIR}/support/include")

add_library(socklab::testkit STATIC IMPORTED)
set_target_properties(socklab::testkit PROPERTIES
  IMPORTED_LOCATION "${testkit_library}"
  INTERFACE_INCLUDE_DIRECTORIES "${PROJECT_SOURCE_DIR}/testkit/include"
  INTERFACE_LINK_LIBRARIES "socklab::support;nlohmann_json::nlohmann_json")

# An executable needs a source; the tests and main() come from libraries.
set(SOCKLAB_LINK_ONLY_SOURCE "${PROJECT_BINARY_DIR}/link-only.cpp")
file(WRITE "${SOCKLAB_LINK_ONLY_SOURCE}" "// The tests and main() of this program are in the libraries it links.\n")
