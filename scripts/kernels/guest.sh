#!/bin/sh
# guest.sh OUT — what make test-kernels runs inside each booted kernel (init.sh), as root: the
# core of the suite, each case's dataset, stdout, stderr and exit status left in OUT/CASE.* for
# tests/kernels/matrix.test.mjs to check on the host with DuckDB. The kernel command line
# (boot.sh, test-kernels.sh) names the pipetrace binary (pipetrace.binary=), the test tools'
# folder (pipetrace.tools=; none in a bare root, which has no libc for them) and the root the
# script runs in (pipetrace.root=chroot|bare).
out=$1
arg() { sed -n "s/.*pipetrace\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
pipetrace=$(arg binary)
tools=$(arg tools)
uname -r > "$out/kernel"

# run_case NAME CMD... — CMD's stdout, stderr and exit status as OUT/NAME.{stdout,stderr,status}.
run_case() {
	name=$1
	shift
	"$@" > "$out/$name.stdout" 2> "$out/$name.stderr"
	echo $? > "$out/$name.status"
}
trace() {
	name=$1
	shift
	run_case "$name" "$pipetrace" run -q -o "$out/$name" "$@"
}

run_case probes "$pipetrace" probes
# A traced spawn loop.
trace spawn -- /bin/sh -c 'i=0; while [ $i -lt 100 ]; do /bin/true; i=$((i + 1)); done'
# CPU against getrusage: the rusage tool prints what its waited-for descendants used.
if [ -n "$tools" ]; then
	trace cpu -- "$tools/rusage" /bin/sh -c "\"$tools/spin\" 300 2; i=0; while [ \$i -lt 30 ]; do /bin/true; i=\$((i + 1)); done"
fi
# Exit codes: CMD's own, a signal's, and pipetrace's for a command that is not there.
trace exit7 -- /bin/sh -c 'exit 7'
trace killed -- /bin/sh -c 'kill -9 $$'
trace missing -- /nonexistent/command
# Every probe's table.
trace probes_all --probes cpu,files,net -- /bin/sh -c \
	"cat /proc/version > /dev/null; ${tools:+$tools/netconnect udp 127.0.0.1 9}"
# A pid namespace of its own, as in a container.
if [ "$(arg root)" = chroot ]; then
	run_case container unshare --pid --fork --mount-proc "$pipetrace" run -q -o "$out/container" -- \
		/bin/sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done; exit 3'
fi
