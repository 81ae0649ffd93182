#!/usr/bin/env python3
"""Sums the TRX files written by scripts/test.sh and prints the summary line last.

usage: trx-summary.py RESULTS_DIR NAME=EXIT_STATUS...

Each NAME is a test project whose TRX files are RESULTS_DIR/NAME/*.trx and whose `dotnet test`
exited with EXIT_STATUS. Outcomes are counted per test result (each theory case counts), not
from the summary counters, so a TRX cut short by a crash still counts what did run. A run that
exited non-zero without any failed test in its TRX (crashed test host, hang, missing TRX) counts
as one failure: a broken run must never read as green.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
PASSED = {"Passed"}
SKIPPED = {"NotExecuted", "Inconclusive", "Pending", "Disconnected", "Warning"}


def first_line(text):
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""


def read_run(directory):
    passed = failed = skipped = 0
    failures, problems = [], []
    files = sorted(glob.glob(os.path.join(directory, "**", "*.trx"), recursive=True))
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            problems.append(f"unreadable {os.path.basename(path)}: {error}")
            continue
        for result in root.iter(NS + "UnitTestResult"):
            outcome = result.get("outcome", "")
            if outcome in PASSED:
                passed += 1
            elif outcome in SKIPPED:
                skipped += 1
            else:  # Failed, Error, Timeout, Aborted, ...
                failed += 1
                message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
                failures.append(f"{result.get('testName')}: {first_line(message.text if message is not None else outcome)}")
    return files, passed, failed, skipped, failures, problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    results_dir, runs = argv[1], argv[2:]
    total_passed = total_failed = total_skipped = 0
    broken = False
    print("==> results")
    for run in runs:
        name, _, status = run.rpartition("=")
        status = int(status) if status.lstrip("-").isdigit() else 1
        files, passed, failed, skipped, failures, problems = read_run(os.path.join(results_dir, name))
        if status != 0 and failed == 0:
            # The run broke outside any test: count it so the summary cannot read as green.
            failed = 1
            failures.append(f"{name}: dotnet test exited with {status} without a failed test"
                            + (" and wrote no TRX file" if not files else "") + " (crash, hang or build problem; see the log above)")
        print(f"    {name}: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
        for problem in problems:
            print(f"      {problem}")
            broken = True
        for failure in failures:
            print(f"      FAILED {failure}")
        total_passed += passed
        total_failed += failed
        total_skipped += skipped

    if total_passed + total_failed + total_skipped == 0:
        print("      no tests ran")
        broken = True
    summary = f"{total_passed} passed, {total_failed} failed"
    if total_skipped:
        summary += f", {total_skipped} skipped"
    print(summary)
    return 1 if broken or total_failed or total_passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
