#!/bin/sh
# fetch.sh DIR SUITE... — downloads the generic amd64 kernel of each Debian suite (bookworm:
# 6.1; bookworm-backports: 6.12) into DIR/SUITE/, unpacked, through apt: a private source list
# and package lists under DIR, so the machine's own apt sources are left as they are.
# Prints each kernel's directory. Cached: a suite already unpacked is not fetched again.
set -eu
dir=$(mkdir -p "$1" && cd "$1" && pwd)
shift
apt_dir=$dir/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
list=$apt_dir/sources.list
: > "$list.new"
for suite in "$@"; do
	echo "deb http://deb.debian.org/debian $suite main" >> "$list.new"
done
mv "$list.new" "$list"
apt() {
	"$@" -o Dir::Etc::SourceList="$list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir" \
		-o Dir::Cache::archives="$apt_dir/archives" -o Debug::NoLocking=1 -o APT::Sandbox::User=root
}
updated=
for suite in "$@"; do
	out=$dir/$suite
	if [ ! -f "$out/vmlinuz" ]; then
		[ -n "$updated" ] || apt apt-get update -qq
		updated=1
		# The metapackage names the suite's current kernel image package.
		image=$(apt apt-cache depends -o APT::Default-Release="$suite" \
			"linux-image-amd64/$suite" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\(-unsigned\)\?\)$/\1/p' | head -n1)
		[ -n "$image" ] || { echo "fetch.sh: no linux-image-amd64 in $suite" >&2; exit 1; }
		rm -rf "$out.tmp" && mkdir -p "$out.tmp/deb"
		(cd "$out.tmp/deb" && apt apt-get download -qq "$image/$suite")
		dpkg-deb -x "$out.tmp"/deb/*.deb "$out.tmp/root"
		release=$(ls "$out.tmp/root/lib/modules")
		mv "$out.tmp/root/boot/vmlinuz-$release" "$out.tmp/vmlinuz"
		mv "$out.tmp/root/lib/modules/$release" "$out.tmp/modules"
		echo "$release" > "$out.tmp/release"
		rm -rf "$out.tmp/root" "$out.tmp/deb" "$out"
		mv "$out.tmp" "$out"
	fi
	echo "$out"
done
