#!/bin/bash
# The before/after of docs/benchmarks.md ("MAP_POPULATE on a pinned mapping"):
# the unchanged librtshm (from make bench's build) and a copy with the diff in
# this folder, run in one guest boot. Run from the repository root after
# `make bench` (which builds build/bench/cmake).
set -e
cd "$(dirname "$0")/../../.."
P=build/bench/patched
rm -rf $P && mkdir -p $P && cp -r libuser/src $P/src
patch -s -p1 -d $P <bench/results/nopopulate/kernel_backend-no-populate.diff
(cd $P && for f in src/*.cpp; do g++ -std=c++23 -O2 -fPIC -I../../../include -Isrc -c "$f" -o "$(basename "$f" .cpp).o"; done &&
	g++ -shared -o librtshm.so.0 ./*.o -Wl,-soname,librtshm.so.0 -lpthread && ln -sf librtshm.so.0 librtshm.so &&
	g++ -std=c++23 -O2 -DRTSHM_BENCH_HAVE_LIB=1 -I../../../include ../../../bench/rtshm_bench.cpp \
		-o rtshm-bench-nopop -L. -lrtshm -Wl,-rpath,"$PWD" -lrt)
while pgrep -x qemu-system-x86 >/dev/null; do sleep 2; done
scripts/vm-run --kernel 6.12-rt --timeout 900 --bin build/bench/cmake/bench/rtshm-bench --bin $P/rtshm-bench-nopop \
  -- sh -c 'rtshm-bench suite --variants ad --figures 12 --label before; rtshm-bench-nopop suite --variants d --figures 12 --label after'
