#!/bin/sh
# Runs the whole suite: every tests/*.test.mjs under node's test runner, against the build in
# $1 (default build/test). Ends with the line CI reads: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
build=${1:-build/test}
export PIPETRACE_BUILD="$(cd "$build" && pwd)"
export PIPETRACE_FUZZ="$(pwd)/build/fuzz/fuzz_parquet_reader"
out=$(mktemp)
{ node --test --test-reporter=tap tests/*.test.mjs 2>&1; echo $? > "$out.status"; } | tee "$out"
status=$(cat "$out.status")
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -n 1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -n 1)
rm -f "$out" "$out.status"
echo "${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${passed:-0}" -gt 0 ]
