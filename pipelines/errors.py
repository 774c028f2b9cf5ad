"""Failures as types.

A `UserError` is something the person running a command can fix (a missing file,
a bad date, a locked database): the CLI prints its message as one line and exits
non-zero. Any other exception is a bug and is shown as one, with its traceback.
`TransientFetchError` marks what is worth retrying (a timeout, a 5xx): Prefect's
`retry_condition_fn` retries only those. Messages are in Spanish, the team's language.
"""
from __future__ import annotations

import errno
import os


class UserError(Exception):
    """A problem the user can fix; its message is one line, in the user's language."""

    exit_code = 2


class ConfigError(UserError):
    """A configuration file is wrong: the message names the file and the line."""


class DatabaseLocked(UserError):
    """The database stayed locked by another program for longer than we waited."""

    exit_code = 3


class DiskFull(UserError):
    """The disk the warehouse (or the staged pages) is written to is full: the change being written
    was rolled back, what was committed before is intact. Not a bug: one line, free space, run again."""


def no_space_left(exc: BaseException) -> bool:
    """An error that says the disk is full: ENOSPC from Python, or its words inside DuckDB's or SQLite's."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return os.strerror(errno.ENOSPC) in str(exc) or "database or disk is full" in str(exc)


class FetchFailed(UserError):
    """No feed or sitemap could be read (the network or the proxy is down): the run fetched
    nothing. Not a bug: the CLI says so in one line and exits 1."""

    exit_code = 1


class TransientFetchError(FetchFailed):
    """A network failure worth retrying (timeout, connection reset, HTTP 5xx)."""
