#!/bin/sh
# Installs what building and testing pipetrace needs, only where it is missing (Debian 12).
# --kernels: what make test-kernels needs besides (qemu, busybox-static), and nothing else.
set -eu
cd "$(dirname "$0")/.."

missing=""
need() { dpkg -s "$1" >/dev/null 2>&1 || missing="$missing $1"; }
# man-db: the test that renders the generated pipetrace(1) with man -l; util-linux and
# libcap2-bin: unshare and capsh, for the container tests; time: /usr/bin/time, for the peak
# RSS bench/durability.sh measures; chromium: the browser the tests open pipetrace export's
# HTML page in (headless).
if [ "${1:-}" = --kernels ]; then
	packages="qemu-system-x86 busybox-static"
	apt_options=--no-install-recommends # qemu's GUI recommendations are not needed
else
	packages="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev liblz4-dev man-db util-linux libcap2-bin time chromium"
	apt_options=
fi
for pkg in $packages; do
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
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $apt_options $missing >/dev/null
fi
[ "${1:-}" != --kernels ] || exit 0

# The real Parquet readers the tests and benchmarks check output with, the terminal
# emulator the status-line test replays a terminal with, the driver of headless Chromium
# (playwright-core, with Debian's /usr/bin/chromium) and the protobuf decoder of the Perfetto
# trace (protobufjs) (committed lockfile).
if [ ! -d tests/node_modules/@duckdb/node-api ] || [ ! -d tests/node_modules/hyparquet-compressors ] ||
   [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/protobufjs ] ||
   [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
	(cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
