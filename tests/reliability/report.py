"""The fault matrix's line at the end of a test run (issue 17): pytest hooks.

When tests that docs/reliability.md's rows name have run, pytest's report ends with
`Fault matrix: N faults tried, N survived with nothing lost` (and `(S skipped, F failed)` when any were):
a row was tried when at least one of its named tests ran, and survived when every one of its
tests that ran passed. A skipped or xfailed test is no survival: its row counts as skipped
(unless another of its tests failed: then as failed).

These hooks are registered by tests/conftest.py, the conftest of the whole suite: pytest calls
a conftest's test-running hooks only for the tests under its folder, and rows also name tests
outside tests/reliability/ (the desk's, the property tests). A run that runs no test a row
names prints no line.
"""
from __future__ import annotations

import os
from pathlib import Path

from tests.reliability.fault_matrix import key_of, matrix_rows, row_result, tally

# Set to a file path, the run also writes each row's result there as a Markdown table (the
# closing note of issue 17 quotes it): `PRODESC_FAULT_MATRIX_REPORT=matrix.md python -m pytest -q`.
REPORT_VARIABLE = "PRODESC_FAULT_MATRIX_REPORT"

_outcomes: dict[str, list[str]] = {}


def pytest_runtest_logreport(report):
    """One outcome per phase that says something: the call's, or a setup/teardown that did not pass."""
    if report.when != "call" and report.passed:
        return
    if getattr(report, "wasxfail", None) is not None and not report.failed:
        outcome = "skipped"                 # an open fault (xfail) did not survive
    else:
        outcome = report.outcome
    _outcomes.setdefault(key_of(report.nodeid), []).append(outcome)


def pytest_unconfigure(config):
    """After pytest's own last line ("N passed in ..."), so the run's report ends with the matrix."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if not _outcomes or reporter is None:
        return
    tried, survived, skipped, failed = tally(matrix_rows(), _outcomes)
    if tried:
        others = f" ({skipped} skipped, {failed} failed)" if skipped or failed else ""
        reporter.write_line(f"Fault matrix: {tried} faults tried, {survived} survived with nothing lost{others}")
    if report := os.environ.get(REPORT_VARIABLE):
        lines = ["| section | fault | result |", "|---|---|---|"]
        for row in matrix_rows():
            fault = row.fault.replace("|", "\\|")
            lines.append(f"| {row.section} | {fault} | {row_result(row, _outcomes)} |")
        Path(report).write_text("\n".join(lines) + "\n", encoding="utf-8")
