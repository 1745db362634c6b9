#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# from the bundle made by `./socklab gradescope-bundle` (unpacked in
# /autograder/source).  It installs the Debian packages the project needs and
# builds the project: the reference, the compiled tests and the grader, so that
# grading a submission compiles only the student's files.
#
# The image must offer the packages of Debian 12 (see the README's "For
# instructors"): CMake 3.25, fmt 9, Catch2 2.13.
set -euo pipefail

source_dir=${SOCKLAB_AUTOGRADER_ROOT:-/autograder}/source
cd "$source_dir/socklab"
./socklab setup          # installs the Debian packages, configures build/default
cmake --build build/default
