"""docs/reliability.md's fault matrix, read as data: its rows and the tests each row names.

Both the matrix check (test_matrix.py) and the report line at the end of a test run
(conftest.py) read the matrix here, so the document stays the one list of faults.

A row is a line of a Markdown table whose last column is headed "Test". A test is named in
that column between backticks, by its path from the repository root:
`tests/reliability/test_x.py::test_name`; `::test_other` names another test of the same file,
and a bare `tests/test_y.py` the whole file (outside tests/reliability/ only: each
test in there is named by its row).
"""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MATRIX = REPO / "docs" / "reliability.md"
RELIABILITY = "tests/reliability/"

_TICKED = re.compile(r"`([^`]+)`")
_FULL = re.compile(r"^(tests/[\w/]+\.py)(?:::(\w+))?$")
_SAME_FILE = re.compile(r"^::(\w+)$")


@dataclass(frozen=True)
class Row:
    section: str
    fault: str
    tests: tuple[str, ...]      # "path::name" or a bare "path" (the whole file)
    line: int


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def named_tests(cell: str) -> tuple[str, ...]:
    """The tests a "Test" cell names, in order, each as "path::name" or "path"."""
    found, last_file = [], None
    for token in _TICKED.findall(cell):
        token = token.strip()
        if full := _FULL.match(token):
            last_file = full.group(1)
            found.append(token)
        elif (same := _SAME_FILE.match(token)) and last_file:
            found.append(f"{last_file}::{same.group(1)}")
    return tuple(found)


def read_rows(text: str) -> list[Row]:
    """Every row of every table whose last column is "Test"."""
    rows, section, in_matrix = [], "", False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            section, in_matrix = line.lstrip("#").strip(), False
            continue
        if not line.lstrip().startswith("|"):
            in_matrix = False
            continue
        cells = _cells(line)
        if not in_matrix:                       # a table's header line
            in_matrix = cells[-1] == "Test"
            header = True
            continue
        if header:                              # its |---|---| line
            header = False
            continue
        rows.append(Row(section, cells[0], named_tests(cells[-1]), number))
    return rows


def matrix_rows(path: Path = MATRIX) -> list[Row]:
    return read_rows(path.read_text(encoding="utf-8"))


def key_of(nodeid: str) -> str:
    """A collected test's node id as a row names it: no parameters, no class."""
    path, _, rest = nodeid.split("[", 1)[0].partition("::")     # parameters may hold "::" ([::1])
    name = rest.split("::")[-1]
    return f"{path}::{name}" if name else path


def collect(paths: list[str]) -> set[str]:
    """The tests pytest collects from `paths` (run as its own process: a real collection, with
    the suite's conftest files), as keys of `key_of`."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 5):          # 5: nothing collected
        raise RuntimeError(f"collection failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {key_of(line) for line in done.stdout.splitlines() if "::" in line and line.startswith("tests/")}


def problems(rows: list[Row], collected: set[str], reliability_tests: set[str]) -> list[str]:
    """What is wrong between the matrix and the suite: a row naming no test, a named test that
    is not collected, a test in tests/reliability/ that no row names."""
    found, named = [], set()
    collected_files = {key.partition("::")[0] for key in collected}
    for row in rows:
        where = f"docs/reliability.md:{row.line} ({row.section}: {row.fault[:60]})"
        if not row.tests:
            found.append(f"{where} names no test")
        for test in row.tests:
            named.add(test)
            if "::" in test and test not in collected:
                found.append(f"{where} names {test}, which does not exist")
            elif "::" not in test and test not in collected_files:
                found.append(f"{where} names {test}, which holds no test")
    for test in sorted(reliability_tests):          # each by name: a whole-file reference is not enough
        if test not in named:
            found.append(f"{test} is in {RELIABILITY} but no row of docs/reliability.md names it")
    return found


def row_result(row: Row, outcomes: dict[str, list[str]]) -> str:
    """"not run", "failed", "skipped" or "survived": the row's tests' outcomes, worst first."""
    seen = []
    for test in row.tests:
        if "::" in test:
            seen += outcomes.get(test, [])
        else:
            seen += [o for key, got in outcomes.items() if key.partition("::")[0] == test for o in got]
    if not seen:
        return "not run"
    return "failed" if "failed" in seen else "skipped" if "skipped" in seen else "survived"


def tally(rows, outcomes: dict[str, list[str]]) -> tuple[int, int, int, int]:
    """(tried, survived, skipped, failed) rows, from each test's outcomes."""
    results = [row_result(row, outcomes) for row in rows]
    return (sum(r != "not run" for r in results), results.count("survived"), results.count("skipped"),
            results.count("failed"))
