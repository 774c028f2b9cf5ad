"""Failures as types.

A `UserError` is something the person running a command can fix (a missing file,
a bad date, a locked database): the CLI prints its message as one line and exits
non-zero. Any other exception is a bug and is shown as one, with its traceback.
`TransientFetchError` marks what is worth retrying (a timeout, a 5xx): Prefect's
`retry_condition_fn` retries only those.
"""
from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; its message is one line, in the user's language."""

    exit_code = 2


class ConfigError(UserError):
    """A configuration file is wrong: the message names the file and the line."""


class DatabaseLocked(UserError):
    """The database stayed locked by another program for longer than we waited."""

    exit_code = 3


class TransientFetchError(Exception):
    """A network failure worth retrying (timeout, connection reset, HTTP 5xx)."""
