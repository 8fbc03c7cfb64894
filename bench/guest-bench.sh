#!/bin/sh
# SPDX-License-Identifier: MIT
# guest-bench.sh: the benchmark run inside the QEMU guest (scripts/bench hands
# it to scripts/vm-run, which has already loaded rtshm.ko).
#
#   sh guest-bench.sh VARIANTS PRESSURE_VARIANTS SCALE PRESSURE_SECONDS IDLE_SECONDS TOUCH_PAGES \
#       [FIGURES [ROUNDS [SYNC]]]
#
# 1. figures 1-5 for VARIANTS (figure 5 in ROUNDS rounds);
# 2. zram swap (modules copied to /opt/rtshm/mods, loaded in file-name order),
#    then figure 6 for PRESSURE_VARIANTS.
# 3. rtshm-sync-bench on the kernel and the POSIX backend (SYNCBENCH lines),
#    unless SYNC is 0.
# Results are the BENCHJSON lines on stdout.
variants=${1:-abcde}
pvariants=${2:-bad}
scale=${3:-1}
pseconds=${4:-10}
iseconds=${5:-3}
touch=${6:-64}
figures=${7:-12345}
rounds=${8:-1}
sync=${9:-1}
# The POSIX backend's broker (variant e, the posix sync bench), started by
# the library on first use.
RTSHM_RTSHMD=$(command -v rtshmd || true)
export RTSHM_RTSHMD

echo "guest-bench: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs," \
	"$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
[ -e /dev/rtshm ] || echo "guest-bench: /dev/rtshm is missing (module not loaded)"

rtshm-bench suite --variants "$variants" --figures "$figures" --label guest --scale "$scale" \
	--rounds "$rounds"
rc=$?

if [ -n "$pvariants" ] && [ "$pvariants" != "-" ]; then
	for m in $(ls /opt/rtshm/mods/*.ko 2>/dev/null | sort); do
		insmod "$m" || echo "guest-bench: insmod $m failed"
	done
	if [ -e /sys/block/zram0/disksize ]; then
		echo 1G >/sys/block/zram0/disksize &&
			mkswap /dev/zram0 >/dev/null &&
			swapon /dev/zram0 &&
			echo "guest-bench: zram swap: $(cat /sys/block/zram0/comp_algorithm 2>/dev/null)," \
				"$(awk '/SwapTotal/ {print int($2/1024)}' /proc/meminfo) MiB"
	else
		echo "guest-bench: no /sys/block/zram0: figure 6 runs without swap"
	fi
	rtshm-bench pressure --variants "$pvariants" --label guest --seconds "$pseconds" \
		--idle-seconds "$iseconds" --touch-pages "$touch" || rc=1
fi
# 3. events, mutexes and semaphores against their Linux baselines, on each
#    backend (issue 12).
if [ "$sync" != 0 ] && command -v rtshm-sync-bench >/dev/null; then
	for b in kernel posix; do
		echo "SYNCBENCH == backend $b"
		# Through a file: busybox sh has no pipefail, and a pipe into sed
		# would report sed's status, not the benchmark's.
		RTSHM_BACKEND=$b rtshm-sync-bench "${SYNC_ROUNDS:-2000}" >/tmp/sync-bench.out 2>&1 || rc=1
		sed 's/^/SYNCBENCH /' /tmp/sync-bench.out
	done
fi
exit $rc
