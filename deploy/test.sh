#!/usr/bin/env bash
# Builds Canh and runs the whole test suite, as CI does:
#   1. release build (warnings are errors) -> every test: unit, e2e, browser, fault, fuzz
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build -> the unit tests
# Needs the packages of deploy/install-deps.sh --browser.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${CANH_JOBS:-$(nproc)}

echo "== release build"
cmake --preset release
cmake --build --preset release -j "$jobs"
echo "== release: all tests"
ctest --preset release -j "$jobs"

echo "== sanitizer build (ASan + UBSan)"
cmake --preset asan
cmake --build --preset asan -j "$jobs"
echo "== sanitizer: unit tests"
ctest --preset asan-unit -j "$jobs"
