"""Errors that carry a one-line, user-facing message and a CLI exit code."""

from __future__ import annotations


class GridgeoError(Exception):
    """An error whose message is shown to the user as is: say what and where, and what to do."""

    exit_code = 1


class InputError(GridgeoError):
    """Bad input data (a file, a feature, a field)."""

    exit_code = 1


class UsageError(GridgeoError):
    """A command was called wrongly."""

    exit_code = 2
