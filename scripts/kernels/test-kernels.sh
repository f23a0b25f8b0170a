#!/bin/sh
# test-kernels.sh BUILD — make test-kernels: boots Debian 12's kernel (bookworm, 6.1),
# bookworm-backports' (6.12) and Debian 11's (bullseye, 5.10: older than the minimum, it must
# get the one-line refusal) in qemu, runs guest.sh inside each, chrooted into this machine's
# root, with BUILD's pipetrace and test tools; runs the static binary (build/static) from a root
# of busybox alone on 6.1; then checks every guest's results on this machine with DuckDB
# (tests/kernels/matrix.test.mjs). Kernels are cached in build/kernels; PIPETRACE_KERNEL_SUITES
# names other suites.
set -eu
cd "$(dirname "$0")/../.."
build=$(cd "$1" && pwd)
here=$(pwd)/scripts/kernels
work=$(pwd)/build/kernels
suites=${PIPETRACE_KERNEL_SUITES:-bookworm bookworm-backports bullseye}
results=$work/results
rm -rf "$results" "$work/stage"
mkdir -p "$results" "$work/stage"
# The guests run copies: a rebuild meanwhile does not change what they run.
cp "$build/pipetrace" "$work/stage/pipetrace"
cp -r "$build/tools" "$work/stage/tools"
cp build/static/pipetrace "$work/stage/pipetrace-static"

for kernel in $("$here/fetch.sh" "$work" $suites); do
	suite=$(basename "$kernel")
	"$here/initramfs.sh" "$kernel" "$kernel/initramfs.gz"
	echo "test-kernels: $(cat "$kernel/release"): the suite's core, chrooted into this machine's root"
	PIPETRACE_GUEST_ARGS="pipetrace.binary=$work/stage/pipetrace pipetrace.tools=$work/stage/tools" \
		"$here/boot.sh" "$kernel" "$kernel/initramfs.gz" "$results/$suite" "$here/guest.sh" chroot
	if [ "$suite" = bookworm ]; then
		echo "test-kernels: $(cat "$kernel/release"): the static binary, in a root of busybox alone"
		PIPETRACE_GUEST_ARGS="pipetrace.binary=/host$work/stage/pipetrace-static" \
			"$here/boot.sh" "$kernel" "$kernel/initramfs.gz" "$results/$suite-static" \
			"$here/guest.sh" bare
	fi
done
PIPETRACE_KERNEL_RESULTS=$results node --test --test-reporter=spec tests/kernels/matrix.test.mjs
