"""The fault matrix's line at the end of a test run (issue 17).

When tests that docs/reliability.md's rows name have run, pytest ends with
`Fault matrix: N faults tried, N survived with nothing lost (S skipped, F failed)`:
a row was tried when at least one of its named tests ran, and survived when every one of its
tests that ran passed. A skipped or xfailed test is no survival: its row counts as skipped
(unless another of its tests failed: then as failed).

This conftest is loaded whenever anything under tests/reliability/ is collected, so also by
the whole suite (`python -m pytest -q` from the repository root), and counts there the rows
of tests outside this folder too; a run that collects nothing under tests/reliability/ does not
load it and prints no line.
"""
from __future__ import annotations

from tests.reliability.fault_matrix import key_of, matrix_rows, tally

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


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    tried, survived, skipped, failed = tally(matrix_rows(), _outcomes)
    if tried:
        terminalreporter.write_sep("=", f"Fault matrix: {tried} faults tried, {survived} survived with nothing lost "
                                        f"({skipped} skipped, {failed} failed)")
