#!/usr/bin/env bash
# Mutation sweep: plants each small bug of a list, one at a time, in a scratch copy of the
# sources and says whether the test suite notices (the mutation is "killed") or stays green
# (it "survived"). It measures the suite, not the code: a survivor is a slip a maintainer
# could make today without a test failing. Slow (a rebuild and a test run per mutation), so
# not part of CI; README.md ("Mutation sweep") has the latest score and what each survivor means.
#
# usage: scripts/mutate.sh [--list FILE] [--only REGEX] [--from LINE] [--limit SECONDS] [--no-baseline] [--check]
#   --list FILE    the mutations (default tests/mutations/mutations.txt; format described there)
#   --only REGEX   only the mutations whose list line matches REGEX (Python re.search)
#   --from LINE    only the mutations on list line LINE and after (to resume an interrupted sweep)
#   --limit S      time limit per mutation for the build and both test runs together (default 900);
#                  a mutation that is still running then counts as killed by timeout (it hung the suite)
#   --no-baseline  skip the unmutated run of the whole suite (only when you know it is green)
#   --check        only check that every snippet occurs exactly once, then stop
# JOBS=N (default 2) for the build and ctest. Run it niced: nice -n 10 scripts/mutate.sh
#
# The scratch copy is build-mutate/src (the tracked and untracked-not-ignored files of this
# working tree), built in build-mutate/src/build with ccache (the Cortex-M firmware off); the
# working tree is never touched.
# Each mutation: apply it, rebuild incrementally, run the mutation's own ctest subset, and
# only if that passes the whole non-soak suite; then put the file back. Report lines go to
# stdout and build-mutate/report.txt; each run's ctest log to build-mutate/logs/N.log.
# Exit status: 0 when the sweep ran (whatever the score), 1 when the baseline or a mutant did
# not build or the baseline failed, 2 for a bad command line or a stale list.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

list=tests/mutations/mutations.txt
only=""
from=0
limit=900
baseline=1
check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --list) list="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --from) from="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    --no-baseline) baseline=0; shift ;;
    --check) check_only=1; shift ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mutate.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$from" =~ ^[0-9]+$ ]] || { echo "mutate.sh: --from wants a line number of the list" >&2; exit 2; }
[[ "$limit" =~ ^[0-9]+$ ]] && [ "$limit" -gt 0 ] || { echo "mutate.sh: --limit wants a positive number of seconds" >&2; exit 2; }
[ -f "$list" ] || { echo "mutate.sh: no mutation list at $list" >&2; exit 2; }
jobs="${JOBS:-2}"

# Applies, checks or restores one mutation. Kept in Python: the snippets are code full of
# characters (&, \, |, quotes) that sed or bash substitution would take for syntax.
mutation_tool() {
  python3 - "$@" <<'PY'
import os, re, sys

SEP = "@@"

def parse(path):
    """Yields (line_number, line_text, file, original, replacement, regex) for each mutation."""
    with open(path, encoding="utf-8") as f:
        for ln, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [x.strip() for x in line.split(SEP)]
            if len(fields) != 4 or not fields[0] or not fields[1] or not fields[3]:
                sys.exit(f"{path}:{ln}: expected 'FILE {SEP} ORIGINAL {SEP} REPLACEMENT {SEP} CTEST_REGEX' "
                         f"(replacement may be empty), found: {line}")
            yield (ln, line, *fields)

def selected(path, only, first=0):
    return [m for m in parse(path) if (not only or re.search(only, m[1])) and m[0] >= first]

cmd, path = sys.argv[1], sys.argv[2]
if cmd == "check":
    # Every snippet exactly once in the working tree: a list gone stale after a refactor fails
    # here, naming the line to fix, instead of "surviving" a mutation that was never planted.
    src, only = sys.argv[3], sys.argv[4]
    bad = 0
    for ln, _, file, orig, repl, _ in selected(path, only):
        target = os.path.join(src, file)
        if not os.path.isfile(target):
            print(f"{path}:{ln}: {file} does not exist", file=sys.stderr)
            bad += 1
            continue
        n = open(target, encoding="utf-8").read().count(orig)
        if n != 1:
            print(f"{path}:{ln}: the snippet occurs {n} times in {file} (must be exactly once): {orig}",
                  file=sys.stderr)
            bad += 1
        elif orig == repl:
            print(f"{path}:{ln}: the replacement equals the original", file=sys.stderr)
            bad += 1
    sys.exit(1 if bad else 0)
if cmd == "list":
    # One line per mutation: line number, file, regex (tab-separated; the snippets stay in Python).
    for ln, _, file, orig, repl, regex in selected(path, sys.argv[3], int(sys.argv[4])):
        print(f"{ln}\t{file}\t{regex}")
    sys.exit(0)
if cmd == "describe":
    ln = int(sys.argv[3])
    for m in parse(path):
        if m[0] == ln:
            print(f"{m[2]}: '{m[3]}' -> '{m[4]}'")
    sys.exit(0)
if cmd == "apply":
    # apply LIST LINE SRC_DIR: rewrites the file in place (a fresh mtime, so ninja rebuilds it).
    ln, src = int(sys.argv[3]), sys.argv[4]
    for m in parse(path):
        if m[0] == ln:
            target = os.path.join(src, m[2])
            text = open(target, encoding="utf-8").read()
            if text.count(m[3]) != 1:
                sys.exit(f"{path}:{ln}: the snippet no longer occurs exactly once in the scratch copy of {m[2]}")
            open(target, "w", encoding="utf-8").write(text.replace(m[3], m[4]))
            sys.exit(0)
    sys.exit(f"{path}:{ln}: no mutation on this line")
sys.exit(f"mutation_tool: unknown command {cmd}")
PY
}

echo "Checking $list against the working tree"
mutation_tool check "$list" "$root" "$only" || { echo "mutate.sh: the mutation list is stale (lines above); fix it first" >&2; exit 2; }
mapfile -t mutations < <(mutation_tool list "$list" "$only" "$from")
[ ${#mutations[@]} -gt 0 ] || { echo "mutate.sh: no mutation selected" >&2; exit 2; }
echo "${#mutations[@]} mutations, each snippet found exactly once"
[ "$check_only" -eq 1 ] && exit 0

scratch="$root/build-mutate"
src="$scratch/src"
build="$src/build"  # inside the copy: the same relative paths as build/ in the tree, so ccache hits
logs="$scratch/logs"
report="$scratch/report.txt"
mkdir -p "$src" "$logs"
: >"$report"

# The scratch copy: only files whose content differs are rewritten, so ninja rebuilds what
# changed since the last sweep and nothing else.
sync_scratch() {
  (cd "$root" && git ls-files -z -co --exclude-standard) | while IFS= read -r -d '' f; do
    [ -f "$root/$f" ] || continue
    if ! cmp -s "$root/$f" "$src/$f"; then
      mkdir -p "$src/$(dirname "$f")"
      cp "$root/$f" "$src/$f"
    fi
  done
}
restore_file() { cp "$root/$1" "$src/$1"; }  # a fresh mtime: ninja rebuilds the mutant's objects away

export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}"
export CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-$(command -v ccache || true)}"
export CMAKE_C_COMPILER_LAUNCHER="${CMAKE_C_COMPILER_LAUNCHER:-$(command -v ccache || true)}"

sync_scratch
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDFUHOST_FIRMWARE=OFF >"$logs/configure.log" 2>&1 ||
    { echo "mutate.sh: configure failed, see $logs/configure.log" >&2; exit 1; }
fi
echo "Building the unmutated scratch copy"
cmake --build "$build" -j "$jobs" >"$logs/build-baseline.log" 2>&1 ||
  { echo "mutate.sh: the unmutated sources do not build, see $logs/build-baseline.log" >&2; exit 1; }

# The whole non-soak suite; the firmware under qemu is not the host's code under test.
suite_args=(--test-dir "$build" -j "$jobs" -E "soak" -LE "qemu" --timeout 300)
if [ "$baseline" -eq 1 ]; then
  echo "Running the unmutated suite (a red baseline would make every mutation look killed)"
  if ! ctest "${suite_args[@]}" >"$logs/baseline.log" 2>&1; then
    echo "mutate.sh: the unmutated suite fails, see $logs/baseline.log" >&2
    exit 1
  fi
fi

say() { echo "$*" | tee -a "$report"; }
left() { echo $((limit - (SECONDS - start))); }  # seconds of this mutation's limit still to go
killed=0 survived=0 invalid=0 i=0
survivors=()
for m in "${mutations[@]}"; do
  IFS=$'\t' read -r line file regex <<<"$m"
  i=$((i + 1))
  what="$(mutation_tool describe "$list" "$line")"
  log="$logs/$line.log"
  start=$SECONDS
  if ! mutation_tool apply "$list" "$line" "$src"; then
    invalid=$((invalid + 1))
    say "[$i/${#mutations[@]}] $list:$line $what"
    say "      NOT APPLIED (see the message above)"
    continue
  fi
  verdict=""
  if ! timeout "$(left)" cmake --build "$build" -j "$jobs" >"$log" 2>&1; then
    verdict="DOES NOT BUILD"
    invalid=$((invalid + 1))
  else
    # The mutation's own tests first; the whole suite only when they did not notice.
    for stage in subset suite; do
      if [ "$stage" = subset ]; then args=(--test-dir "$build" -j "$jobs" -R "$regex" -E soak --timeout 300 --stop-on-failure)
      else args=("${suite_args[@]}" --stop-on-failure); fi
      t=$(left)
      if [ "$t" -le 0 ]; then verdict="KILLED (timeout before the $stage ran)"; break; fi
      echo "== $stage" >>"$log"
      timeout --kill-after=10 "$t" ctest "${args[@]}" >>"$log" 2>&1
      rc=$?
      if [ "$stage" = subset ] && grep -q "No tests were found" "$log"; then
        verdict="LIST ERROR (regex '$regex' selects no test)"; invalid=$((invalid + 1)); break
      fi
      if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then verdict="KILLED by timeout ($stage ran past ${limit}s: the mutant hangs)"; break; fi
      if grep -q "(Timeout)" "$log"; then verdict="KILLED by timeout (a test in the $stage hung)"; break; fi
      if [ $rc -ne 0 ]; then
        first=$(grep -m1 -E '^\s*[0-9]+ - .*\((Failed|Subprocess|SEGFAULT|Child aborted|Exception)' "$log" | sed -E 's/^\s*[0-9]+ - //')
        verdict="KILLED by the $stage${first:+: $first}"; break
      fi
    done
    [ -z "$verdict" ] && verdict="SURVIVED"
  fi
  case "$verdict" in
    KILLED*) killed=$((killed + 1)) ;;
    SURVIVED) survived=$((survived + 1)); survivors+=("$list:$line $what") ;;
  esac
  say "[$i/${#mutations[@]}] $list:$line $what"
  say "      $verdict ($((SECONDS - start)) s)"
  restore_file "$file"
done
# Leave the scratch build matching the sources, so the next sweep starts from a clean state.
cmake --build "$build" -j "$jobs" >"$logs/build-final.log" 2>&1

scored=$((killed + survived))
say ""
say "killed $killed, survived $survived, not scored $invalid (did not build or bad regex)"
if [ $scored -gt 0 ]; then say "score: $killed/$scored = $((100 * killed / scored))%"; fi
for s in "${survivors[@]}"; do say "survivor: $s"; done
[ "$invalid" -eq 0 ] || exit 1
exit 0
