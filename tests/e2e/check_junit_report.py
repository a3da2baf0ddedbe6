#!/usr/bin/env python3
"""Reads a `dfuhost --report FILE.xml` back with junitparser (Debian: python3-junitparser)
and checks every field against what the run's --json device results said.

usage: check_junit_report.py REPORT.xml EXPECT.json

EXPECT.json: {"tests": N, "failures": F, "action": "program", "exit_code": E,
              "cases": [{"name", "ok", "exit_code", "phase", "error", "rows_done", "rows_total"}]}
"""
import json
import sys

from junitparser import Failure, JUnitXml, TestSuite

EXIT_NAMES = {0: "ok", 1: "internal_error", 2: "usage", 3: "input_invalid", 4: "transport_open",
              5: "no_response", 6: "device_error", 7: "verify_failed", 8: "identity_mismatch",
              130: "interrupted"}


def main(report, expect_path):
    with open(expect_path, encoding="utf-8") as f:
        expect = json.load(f)
    problems = []

    def check(what, got, want):
        if got != want:
            problems.append(f"{what}: {got!r}, expected {want!r}")

    xml = JUnitXml.fromfile(report)
    suites = list(xml) if not isinstance(xml, TestSuite) else [xml]
    check("test suites", len(suites), 1)
    suite = suites[0]
    check("suite name starts", suite.name.split(" ")[:2], ["dfuhost", expect["action"]])
    check("suite tests", suite.tests, expect["tests"])
    check("suite failures", suite.failures, expect["failures"])
    check("suite errors", suite.errors, 0)
    if not suite.timestamp or "T" not in suite.timestamp:
        problems.append(f"suite timestamp {suite.timestamp!r} is not ISO 8601")
    if not suite.time or suite.time <= 0:
        problems.append(f"suite time {suite.time!r}")
    props = {p.name: p.value for p in suite.properties()}
    check("property exit_code", props.get("exit_code"), str(expect["exit_code"]))
    if not props.get("dfuhost_version"):
        problems.append("no dfuhost_version property")
    if not props.get("command_line", "").startswith("dfuhost") and "dfuhost" not in props.get("command_line", ""):
        problems.append(f"command_line property {props.get('command_line')!r}")

    cases = {case.name: case for case in suite}
    check("test case names", sorted(cases), sorted(c["name"] for c in expect["cases"]))
    for want in expect["cases"]:
        case = cases.get(want["name"])
        if case is None:
            continue
        name = want["name"]
        check(f"{name} classname", case.classname, "dfuhost." + expect["action"])
        if case.time is None or case.time <= 0:
            problems.append(f"{name}: time {case.time!r}")
        failures = [r for r in case.result if isinstance(r, Failure)]
        if want["ok"]:
            check(f"{name} failures", len(failures), 0)
            check(f"{name} passed", case.is_passed, True)
        else:
            check(f"{name} failures", len(failures), 1)
            if failures:
                check(f"{name} failure message", failures[0].message, want["error"])
                check(f"{name} failure type", failures[0].type, EXIT_NAMES[want["exit_code"]])
                text = failures[0].text or ""
                if f"exit code {want['exit_code']} in phase {want['phase']}" not in text:
                    problems.append(f"{name}: failure text {text!r}")
        out = dict(line.split(": ", 1) for line in (case.system_out or "").splitlines() if ": " in line)
        check(f"{name} phase", out.get("phase"), want["phase"])
        check(f"{name} exit_code", out.get("exit_code"), str(want["exit_code"]))
        check(f"{name} rows", out.get("rows"), f"{want['rows_done']}/{want['rows_total']}")
        if "T" not in out.get("started", ""):
            problems.append(f"{name}: started {out.get('started')!r}")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
