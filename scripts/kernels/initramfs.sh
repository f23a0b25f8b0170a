#!/bin/sh
# initramfs.sh KERNEL_DIR OUT — an initramfs for a kernel unpacked by fetch.sh: busybox-static,
# the kernel's own virtio-pci and 9p modules (uncompressed, listed in load order: each module's
# depends= field first; modules the kernel has built in are skipped), and init.sh as /init.
set -eu
kernel=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
busybox=$(command -v busybox) || { echo "initramfs.sh: busybox-static is missing" >&2; exit 1; }
file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	{ echo "initramfs.sh: $busybox is not static; install busybox-static" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/host" "$tmp/tmp"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init.sh" "$tmp/init"
chmod +x "$tmp/init"

# add NAME — copies module NAME after the modules it depends on, once. (Only the positional
# parameters are a function's own in sh: they carry the name through the recursion.)
add() {
	set -- "$(echo "$1" | tr - _)"
	grep -qx "$1" "$tmp/modules/order" && return 0
	path=$(find "$kernel/modules/kernel" -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" |
		head -n 1)
	[ -n "$path" ] || return 0 # built in
	case $path in
	*.xz) xz -dc "$path" > "$tmp/modules/$1.ko" ;;
	*.zst) zstd -qdc "$path" > "$tmp/modules/$1.ko" ;;
	*) cp "$path" "$tmp/modules/$1.ko" ;;
	esac
	# The .modinfo section's depends= string.
	for dep in $(tr '\0' '\n' < "$tmp/modules/$1.ko" | sed -n 's/^depends=//p' | tr , ' '); do
		add "$dep"
	done
	echo "$1" >> "$tmp/modules/order"
}
: > "$tmp/modules/order"
for module in virtio_pci 9pnet_virtio 9p; do
	add "$module"
done
(cd "$tmp" && find . | "$busybox" cpio -o -H newc 2>/dev/null) |
	gzip -1 > "$out"
