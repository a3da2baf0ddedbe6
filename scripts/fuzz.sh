#!/usr/bin/env bash
# Builds the fuzz preset (Clang, libFuzzer, ASan + UBSan) and runs every fuzz target for a
# bounded time on a fresh working corpus seeded from the committed one (samples, corpus/
# and regressions/ under tests/fuzz), with its dictionary (tests/fuzz/TARGET.dict) if any. Exits non-zero if any target reports a crash, leak,
# timeout, out-of-memory or sanitizer error; the input that did it is kept as
# build-fuzz/fuzz-work/TARGET/crash-* (or leak-*, timeout-*, oom-*).
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60; JOBS=N for the build)
#        FUZZ_TARGETS="fuzz_packet fuzz_responder" scripts/fuzz.sh 30   (a subset)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [SECONDS_PER_TARGET]  (a positive whole number)" >&2
  exit 2
fi

cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j "${JOBS:-2}"

build=build-fuzz/tests/fuzz
targets=(${FUZZ_TARGETS:-fuzz_intel_hex fuzz_cyacd2 fuzz_srec fuzz_elf fuzz_mtbdfu fuzz_script_plan fuzz_packet fuzz_stream_transport fuzz_responder})
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
summary=()
for t in "${targets[@]}"; do
  work="build-fuzz/fuzz-work/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  # Seeds as listed by tests/fuzz/CMakeLists.txt; copies, so the fuzzer never writes into the repository.
  while IFS= read -r seed; do
    [ -n "$seed" ] && cp "$seed" "$work/corpus/$(basename "$seed")"
  done <"$build/$t.seeds"

  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")

  echo "== $t: ${seconds}s"
  status=0
  "$build/$t" "$work/corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" -print_final_stats=1 >"$work/log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  line="$t: ${runs:-?} runs, ${rate:-?} exec/s, corpus $(ls "$work/corpus" | wc -l) files"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    line="$line, FAILED (exit $status; see $work/log)"
    grep -E "^(==[0-9]+==ERROR|SUMMARY|fuzz check failed|.*fuzz check failed|artifact_prefix|Test unit written)" \
      "$work/log" | head -20 >&2 || true
  fi
  summary+=("$line")
  echo "$line"
done

echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
