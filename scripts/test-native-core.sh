#!/usr/bin/env bash
# Builds the native core (no N-API) with its standalone test under AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs it. Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/core-test
mkdir -p "$out"
CXX=${CXX:-g++}
"$CXX" -std=c++17 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all -D_GLIBCXX_ASSERTIONS \
  -Inative native/core/*.cc native/test/core_test.cc -o "$out/core_test"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$out/core_test" test/fixtures/rule-cases.tsv
