#!/bin/sh
# Durability benchmark (docs/benchmarks.md "Durability"): what the journal costs, and that
# memory stays flat. journal_bench writes N synthetic executions through the run's journal
# writer (one frame per 100 executions) and replays them through the model and the table
# writers, as pipetrace recover does and as a live run decodes; then a real spawn storm of
# BENCH_STORM executions (default 100000) is traced, for pipetrace's own peak RSS.
#   bench/durability.sh [BUILD_DIR]   (default build; needs BUILD_DIR/tools/journal_bench)
# Exits 1 when a target is missed (peak RSS <= 64 MiB at 100k traced executions and at 1M
# synthetic ones, 1M synthetic within 1.5x the peak of 300k) or a step fails. 300k, not less:
# below it the page buffers are still growing to their bound (a page closes at 1 MiB raw, after
# ~130k rows of an 8-byte column), so a smaller run would measure that growth, not a leak.
set -eu
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "durability bench: no build directory ${1:-build}" >&2; exit 1; }
bench="$build/tools/journal_bench"
[ -x "$bench" ] || { echo "durability bench: $bench missing (make tools)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "durability bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
storm=${BENCH_STORM:-100000}
misses=0

field() { echo "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"; }
check() { # VALUE OP LIMIT: "ok" or "MISSED"
	if awk "BEGIN { exit !($1 $2 $3) }"; then echo ok; else misses=$((misses + 1)); echo MISSED; fi
}

small=$("$bench" "$dir/s" 300000)
rm -rf "$dir/s"
large=$("$bench" "$dir/l" 1000000)
rm -rf "$dir/l"
/usr/bin/time -f '%M' -o "$dir/rss" "$build/pipetrace" run -q -o "$dir/storm" -- \
	bash -c "for ((i = 0; i < $storm; i++)); do /bin/true; done"
storm_rss=$(tail -n 1 "$dir/rss")
storm_bytes=$(du -sb "$dir/storm" | cut -f1)

rss_small=$(field "$small" peak_rss_kb)
rss_large=$(field "$large" peak_rss_kb)
printf '%-52s %14s %8s\n' "durability (journal, bounded memory)" value target
printf '%-52s %11s B %8s\n' "journal bytes per execution (synthetic storm)" "$(field "$large" journal_bytes_per_execution)" -
printf '%-52s %11s us %8s\n' "cost of one frame (100 executions: LZ4 + write)" "$(field "$large" flush_us)" -
printf '%-52s %11s B %8s\n' "dataset bytes per execution (synthetic)" "$(field "$large" dataset_bytes_per_execution)" -
printf '%-52s %12s/s %8s\n' "replay (recover) rate, executions" "$(field "$large" replay_executions_per_s)" -
printf '%-52s %11s us %8s\n' "  its CPU per execution, every thread" "$(field "$large" replay_cpu_us_per_execution)" -
printf '%-52s %9s KiB %8s\n' "peak RSS, 300k synthetic executions" "$rss_small" -
r=$(check "$rss_large" '<=' "$rss_small * 1.5")
printf '%-52s %9s KiB %8s %s\n' "peak RSS, 1M synthetic executions" "$rss_large" '<=1.5x' "$r"
r=$(check "$rss_large" '<=' 65536)
printf '%-52s %9s KiB %8s %s\n' "  the same, against the bound" "$rss_large" '<=64MiB' "$r"
r=$(check "$storm_rss" '<=' 65536)
printf '%-52s %9s KiB %8s %s\n' "peak RSS of run, $storm traced executions" "$storm_rss" '<=64MiB' "$r"
printf '%-52s %11s B %8s\n' "dataset bytes per traced execution" "$((storm_bytes / storm))" -
[ "$misses" -eq 0 ]
