"""docs/reliability.md and tests/reliability/ say the same thing: every row of the fault matrix
names tests that exist, and every test of tests/reliability/ is some row's test."""
from __future__ import annotations

import pytest

from tests.reliability.fault_matrix import REPO, RELIABILITY, collect, matrix_rows, problems, read_rows, tally


@pytest.fixture(scope="module")
def suite():
    rows = matrix_rows()
    files = sorted({t.partition("::")[0] for row in rows for t in row.tests} - {RELIABILITY})
    present = [f for f in files if (REPO / f).is_file()]
    return rows, collect([RELIABILITY, *present]), collect([RELIABILITY])


def test_every_row_names_tests_that_exist_and_every_reliability_test_has_a_row(suite):
    rows, collected, reliability_tests = suite
    assert len(rows) >= 40
    assert reliability_tests and all(t.startswith(RELIABILITY) for t in reliability_tests)
    assert problems(rows, collected, reliability_tests) == []


DOC = """\
# Matrix

| Fault | What happens | Test |
|---|---|---|
| A | fine | `tests/reliability/test_a.py::test_one`, `::test_two` |
| B | a whole file elsewhere | `tests/test_b.py` |
| C | nothing named | the test is yet to come |

| Not | a matrix |
|---|---|
| `tests/reliability/test_a.py::test_ghost` | ignored |
"""


def test_the_check_fails_on_a_missing_test_an_untracked_test_and_a_row_without_test():
    rows = read_rows(DOC)
    assert [(r.fault, r.tests) for r in rows] == [
        ("A", ("tests/reliability/test_a.py::test_one", "tests/reliability/test_a.py::test_two")),
        ("B", ("tests/test_b.py",)),
        ("C", ())]
    collected = {"tests/reliability/test_a.py::test_one", "tests/reliability/test_a.py::test_three",
                 "tests/test_b.py::test_x"}
    found = problems(rows, collected, {t for t in collected if t.startswith(RELIABILITY)})
    assert [p.split(") ", 1)[-1] if p.startswith("docs/") else p for p in found] == [
        "names tests/reliability/test_a.py::test_two, which does not exist",
        "names no test",
        "tests/reliability/test_a.py::test_three is in tests/reliability/ but no row of docs/reliability.md names it"]
    assert problems(rows[:2], collected | {"tests/reliability/test_a.py::test_two"},
                    {"tests/reliability/test_a.py::test_one", "tests/reliability/test_a.py::test_two"}) == []


def test_the_report_line_counts_rows_not_tests():
    rows = read_rows(DOC)
    outcomes = {"tests/reliability/test_a.py::test_one": ["passed"], "tests/reliability/test_a.py::test_two": ["passed"],
                "tests/test_b.py::test_x": ["passed", "skipped"]}
    assert tally(rows, outcomes) == (2, 1, 1, 0)
    outcomes["tests/reliability/test_a.py::test_two"] = ["failed"]
    assert tally(rows, outcomes) == (2, 0, 1, 1)
    assert tally(rows, {}) == (0, 0, 0, 0)
