"""Other programs holding the warehouse, for the lock tests: a plain module (not conftest.py),
so `from holders import hold_catalog` names one file however many conftest.py the suite has."""
from __future__ import annotations


def hold_catalog(path, ready, release):
    """Another program holding the warehouse's SQLite catalog exclusively (a `sqlite3` shell in
    BEGIN EXCLUSIVE): writers must wait, then explain; readers (WAL) go on."""
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    ready.set()
    release.wait(60)
    db.execute("ROLLBACK")
    db.close()
