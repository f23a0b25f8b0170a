#!/bin/sh
# boot.sh KERNEL_DIR INITRAMFS RESULTS_DIR SCRIPT chroot|bare — boots the kernel in qemu (TCG:
# KVM is not assumed), runs SCRIPT (a path on this machine) inside as init.sh says, with
# RESULTS_DIR shared writable, and returns once the guest has powered off. The guest's console
# goes to RESULTS_DIR/console.log; SCRIPT's exit status to RESULTS_DIR/guest.status.
set -eu
kernel=$1 initramfs=$2 results=$3 script=$4 root=$5
mkdir -p "$results"
rm -f "$results/guest.status"
# A guest that never powers off (a hung test) is stopped: TCG boots in 10-20 s, the script runs
# a few traced commands.
timeout "${PIPETRACE_GUEST_TIMEOUT:-900}" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
	-nographic -no-reboot -monitor none -serial "file:$results/console.log" \
	-kernel "$kernel/vmlinuz" -initrd "$initramfs" \
	-append "console=ttyS0 panic=-1 quiet pipetrace.script=$script pipetrace.root=$root ${PIPETRACE_GUEST_ARGS:-}" \
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap" \
	< /dev/null
[ -f "$results/guest.status" ] || {
	echo "boot.sh: the guest ($kernel) did not finish; see $results/console.log" >&2
	exit 1
}
