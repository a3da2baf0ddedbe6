#!/usr/bin/env bash
# The demo: start dfu-sim on a pseudo-terminal, program the sample application over
# --uart, verify it, and show that the simulator's flash now holds the image.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sim_pid=
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$build/dfu-sim" --pty --flash "$work/flash.bin" > "$work/sim.out" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/sim.out" ] && break; sleep 0.05; done
pty=$(head -n1 "$work/sim.out")
echo "dfu-sim is listening on $pty"
echo

set -x
"$build/dfuhost" info --uart "$pty" --product-id 01020304
"$build/dfuhost" program "$root/samples/blinky.hex" --uart "$pty" --product-id 01020304
"$build/dfuhost" verify "$root/samples/blinky.cyacd2" --uart "$pty"
{ set +x; } 2>/dev/null

echo
size=$(stat -c %s "$root/samples/blinky.bin")
if cmp -s -n "$size" "$work/flash.bin" "$root/samples/blinky.bin"; then
  echo "Result: the simulator's flash at 0x10000000 holds samples/blinky.bin byte for byte ($size bytes)."
else
  echo "Result: the simulator's flash differs from samples/blinky.bin" >&2
  exit 1
fi
