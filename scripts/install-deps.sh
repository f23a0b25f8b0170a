#!/bin/sh
# Installs what building and testing pipetrace needs, only where it is missing (Debian 12).
set -eu
cd "$(dirname "$0")/.."

missing=""
need() { dpkg -s "$1" >/dev/null 2>&1 || missing="$missing $1"; }
# man-db: the test that renders the generated pipetrace(1) with man -l. chromium: the browser
# the tests open pipetrace export's HTML page in (headless).
for pkg in make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev man-db chromium; do
	need "$pkg"
done
command -v node >/dev/null 2>&1 || need nodejs
command -v npm >/dev/null 2>&1 || need npm
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "pipetrace: missing packages:$missing; run this as root or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "Installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# The real Parquet readers the tests and benchmarks check output with, the terminal
# emulator the status-line test replays a terminal with, the driver of headless Chromium
# (playwright-core, with Debian's /usr/bin/chromium) and the protobuf decoder of the Perfetto
# trace (protobufjs) (committed lockfile).
if [ ! -d tests/node_modules/@duckdb/node-api ] || [ ! -d tests/node_modules/hyparquet-compressors ] ||
   [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/protobufjs ] ||
   [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
	(cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
