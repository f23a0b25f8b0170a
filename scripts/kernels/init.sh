#!/bin/busybox sh
# /init of the test-kernels guest (initramfs.sh): loads the 9p modules, mounts the host's root
# (read-only) and the results share, runs the guest script given on the kernel command line,
# and powers off. pipetrace.root=chroot runs it chrooted into the host's root (its programs
# and libraries); pipetrace.root=bare runs it here, in a root of busybox alone.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for module in $(cat /modules/order); do
	insmod "/modules/$module.ko" || echo "init: insmod $module failed"
done
arg() { sed -n "s/.*pipetrace\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
script=$(arg script) mode=$(arg root)
opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$opts,ro" root /host
mount -t tmpfs tmp /tmp
mkdir -p /tmp/results
mount -t 9p -o "$opts" results /tmp/results
ip link set lo up 2>/dev/null
if [ "$mode" = chroot ]; then
	mount -t proc proc /host/proc
	mount -t sysfs sys /host/sys
	mount -t devtmpfs dev /host/dev
	mount -t tmpfs tmp /host/tmp
	mkdir -p /host/tmp/results
	mount --bind /tmp/results /host/tmp/results
	for fs in "bpf /sys/fs/bpf" "cgroup2 /sys/fs/cgroup" "tracefs /sys/kernel/tracing"; do
		set -- $fs
		mount -t "$1" "$1" "/host$2" 2>/dev/null
	done
	chroot /host /bin/sh -c "cd /tmp && PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp /bin/sh $script /tmp/results"
else
	for fs in "bpf /sys/fs/bpf" "cgroup2 /sys/fs/cgroup" "tracefs /sys/kernel/tracing"; do
		set -- $fs
		mount -t "$1" "$1" "$2" 2>/dev/null
	done
	(cd /tmp && /bin/sh "/host$script" /tmp/results)
fi
echo "$?" > /tmp/results/guest.status
sync
umount /tmp/results 2>/dev/null
poweroff -f
