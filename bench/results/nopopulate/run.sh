#!/bin/bash
cd /work/main
while pgrep -x qemu-system-x86 >/dev/null; do sleep 2; done
scripts/vm-run --kernel 6.12-rt --timeout 900 --bin build/bench/cmake/bench/rtshm-bench --bin build/bench/patched/rtshm-bench-nopop \
  -- sh -c 'rtshm-bench suite --variants ad --figures 12 --label before; rtshm-bench-nopop suite --variants d --figures 12 --label after'
