#!/usr/bin/env python3
"""Checks every `dfuhost --json` run the end-to-end tests captured (DFUHOST_JSON_CAPTURE)
against docs/dfuhost-events.schema.json, and the rules a schema cannot state: the `result`
is the last line and the only one, its exit_code is the process's, and `recoveries`
equals the number of `recovery` events before it.

usage: validate_events.py SCHEMA CAPTURE [MIN_RUNS]
"""
import json
import sys

import jsonschema


def runs(path):
    """(header, [stdout lines]) per captured run."""
    header, lines = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# run "):
                if header is not None:
                    yield header, lines
                header, lines = line, []
            elif header is not None:
                lines.append(line)
    if header is not None:
        yield header, lines


def check_run(validator, header, lines):
    """The problems of one run, as text."""
    exit_code = int(header.split("exit_code=", 1)[1].split(":", 1)[0])
    if exit_code >= 128 and exit_code != 130:
        return []  # killed by the test's timeout or a signal it sent: no contract to hold
    problems, events = [], []
    for n, line in enumerate(lines, 1):
        try:
            event = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {n} is not JSON ({e}): {line[:200]}")
            continue
        for error in validator.iter_errors(event):
            problems.append(f"line {n}: {error.message} (at {'/'.join(map(str, error.absolute_path)) or 'top'}): "
                            f"{line[:300]}")
        events.append(event)
    results = [i for i, e in enumerate(events) if isinstance(e, dict) and e.get("event") == "result"]
    if len(results) != 1:
        problems.append(f"{len(results)} result events, expected exactly one")
    elif results[0] != len(events) - 1:
        problems.append(f"the result is line {results[0] + 1} of {len(events)}, not the last")
    if results:
        result = events[results[-1]]
        if result.get("exit_code") != exit_code:
            problems.append(f"result.exit_code {result.get('exit_code')} but the process exited {exit_code}")
        recoveries = sum(1 for e in events if isinstance(e, dict) and e.get("event") == "recovery")
        if "recoveries" in result and result["recoveries"] != recoveries:
            problems.append(f"result.recoveries is {result['recoveries']} but {recoveries} recovery events came")
    return problems


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    min_runs = int(argv[3]) if len(argv) == 4 else 1
    count, lines_seen, failed = 0, 0, 0
    for header, lines in runs(argv[2]):
        count += 1
        lines_seen += len(lines)
        problems = check_run(validator, header, lines)
        if problems:
            failed += 1
            print(header)
            for p in problems:
                print("  " + p)
    print(f"{count} --json runs, {lines_seen} lines checked against {argv[1]}; {failed} runs break the contract")
    if count < min_runs:
        print(f"expected at least {min_runs} captured runs: is DFUHOST_JSON_CAPTURE set for the e2e tests?")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
