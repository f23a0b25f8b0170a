#!/bin/sh
# Export benchmark (docs/export.md): pipetrace export of a synthetic run of 100,000 executions
# (report_fixture DIR tree 100000: a random process tree, two cpu_samples each) to each format,
# best of 3, with CPU time and file size; then the HTML page's time to first render in headless
# Chromium (bench/export-render.mjs), best of 3, against a target of 3 s.
#   bench/export.sh [BUILD_DIR]     (default build; needs BUILD_DIR/pipetrace and its tools)
# Exits 1 when the target is missed or a step fails.
set -eu
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "export bench: no build directory ${1:-build}" >&2; exit 1; }
cd "$(dirname "$0")/.."
executions=${EXPORT_BENCH_EXECUTIONS:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/tools/report_fixture" "$dir/run" tree "$executions"

# best FORMAT — the best of 3 exports: "seconds cpu_seconds bytes".
best() {
	for i in 1 2 3; do
		/usr/bin/time -f "%e %U %S" -o "$dir/time" "$build/pipetrace" export "$dir/run" \
			--format "$1" -o "$dir/out.$1"
		awk -v bytes="$(stat -c %s "$dir/out.$1")" '{ print $1, $2 + $3, bytes }' "$dir/time"
	done | sort -n | head -n 1
}

echo "Export of $executions executions (report_fixture tree), best of 3"
printf '  %-10s %9s %9s %12s %10s\n' format seconds "CPU s" bytes "per exec"
for format in html perfetto chrome; do
	best "$format" | awk -v f="$format" -v n="$executions" \
		'{ printf "  %-10s %9.2f %9.2f %12d %9.0f B\n", f, $1, $2, $3, $3 / n }'
done
render=$(node bench/export-render.mjs "$dir/out.html") ||
	{ echo "export bench: the headless Chromium run failed (chromium, tests/node_modules?)" >&2; exit 1; }
awk -v ms="$render" 'BEGIN {
	met = ms <= 3000
	printf "  HTML time to first render in headless Chromium: %.0f ms (target <= 3000 ms): %s\n", ms, met ? "met" : "NOT met"
	exit !met
}'
