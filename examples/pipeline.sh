#!/bin/sh
# A small, realistic pipeline to trace (make demo): build a C program in parallel, run it to
# produce an access log, crunch the log with sort/uniq/gzip/awk, then "publish" with a step
# that fails on its first attempt and succeeds on retry. Takes ~5-15 s on 2 cores, exits 0,
# writes only inside its own temporary directory (removed on exit).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pipetrace-example.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
lines=${PIPELINE_LINES:-1500000}
# The build below is its own, not a sub-make of a `make demo` that started this script.
unset MAKEFLAGS MFLAGS MAKELEVEL

step() { echo "[pipeline] $*"; }

step "build: generating 12 C modules, compiling with make -j2"
"$here/gen-cproject.sh" "$work/src" 12 16
make -s -C "$work/src" -j2 app

step "data: generating $lines log records, ranking endpoints"
"$work/src/app" "$lines" > "$work/access.log"
cut -d' ' -f2 "$work/access.log" | sort | uniq -c | sort -rn | head -n 5 > "$work/top.txt"
sed 's/^ */  /' "$work/top.txt"
gzip -6 "$work/access.log"
gunzip -c "$work/access.log.gz" |
	awk '{ n++; ms += $4; if ($3 >= 500) err++ }
	     END { printf "  %d requests, mean latency %.1f ms, %d server errors\n", n, ms / n, err }'

# The publish target is "not ready" on the first attempt (no marker yet): the attempt fails,
# leaves the marker, and the retry succeeds. Deterministic, so every traced run shows one
# failed execution followed by a successful one. The script is one line, as its cmdline reads.
# shellcheck disable=SC2016 # $1 is the sh -c script's argument
publish='cd "$1" && { [ -e ready ] || { touch ready; echo "  publish: remote not ready" >&2; exit 75; }; }'
publish="$publish && tar -czf report.tar.gz top.txt access.log.gz"
step "publish: uploading the report (retried on failure)"
attempt=1
until sh -c "$publish" publish "$work"; do
	[ "$attempt" -lt 3 ] || { step "publish: giving up after $attempt attempts"; exit 1; }
	attempt=$((attempt + 1))
	step "publish: attempt $attempt in 1 s"
	sleep 1
done
step "done: published $(tar -tzf "$work/report.tar.gz" | wc -l) files after $attempt attempts"
