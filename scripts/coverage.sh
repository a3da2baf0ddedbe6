#!/usr/bin/env bash
# Line and branch coverage of the host and responder code by the normal test suite (the soaks
# and the qemu tests left out, as in `make test` on a machine without QEMU): builds the
# coverage preset (gcov, -O0) in build-coverage/, clears old counters, runs ctest, then gcovr
# prints one line per file of core/, formats/, transports/ and device-firmware/core/ and the
# totals, and names the files under 80 % of lines. The figures are in README.md ("Coverage").
#
# usage: scripts/coverage.sh            (make coverage; JOBS=N for the build and ctest)
# Writes build-coverage/coverage.json (gcovr's JSON summary) beside the printed table.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
jobs="${JOBS:-2}"
command -v gcovr >/dev/null || { echo "coverage.sh: gcovr is missing (scripts/install-deps.sh --coverage)" >&2; exit 1; }

cmake --preset coverage >/dev/null
cmake --build build-coverage -j "$jobs"
find build-coverage -name '*.gcda' -delete  # counts from this run only
ctest --test-dir build-coverage -E soak -LE qemu -j "$jobs" --output-on-failure

# Throw branches are the compiler's exception paths (every call that may throw has one), and
# unreachable ones are those gcov marks so: counting them would only measure the C++ ABI.
gcovr --root "$root" -j "$jobs" \
  --filter "$root/core/" --filter "$root/formats/" --filter "$root/transports/" --filter "$root/device-firmware/core/" \
  --exclude-throw-branches --exclude-unreachable-branches \
  --json-summary build-coverage/coverage.json build-coverage >/dev/null

python3 - build-coverage/coverage.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def pct(covered, total):
    return f"{100.0 * covered / total:5.1f}%" if total else "    - "
print(f"{'file':<48} {'lines':>16} {'branches':>16}")
low = []
for f in sorted(s["files"], key=lambda f: f["filename"]):
    line = f"{f['line_covered']}/{f['line_total']}"
    branch = f"{f['branch_covered']}/{f['branch_total']}"
    print(f"{f['filename']:<48} {pct(f['line_covered'], f['line_total'])} {line:>9} "
          f"{pct(f['branch_covered'], f['branch_total'])} {branch:>9}")
    if f["line_total"] and f["line_covered"] < 0.8 * f["line_total"]:
        low.append(f"{f['filename']} ({pct(f['line_covered'], f['line_total']).strip()})")
print(f"{'TOTAL':<48} {pct(s['line_covered'], s['line_total'])} {s['line_covered']:>4}/{s['line_total']:<4} "
      f"{pct(s['branch_covered'], s['branch_total'])} {s['branch_covered']:>4}/{s['branch_total']:<4}")
print("under 80 % of lines: " + (", ".join(low) if low else "none"))
PY
