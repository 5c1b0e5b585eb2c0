"""Errors that carry a one-line, user-facing message and a CLI exit code."""

from __future__ import annotations

from gridgeo.i18n import Msg


class GridgeoError(Exception):
    """An error whose message is shown to the user as is: say what and where, and what to do.

    The message may be a catalogue message (``Msg``): then ``str(exc)`` is its English (what the
    CLI prints) and ``exc.msg`` / ``gridgeo.i18n.render(exc, lang)`` give it in a page's language.
    """

    exit_code = 1

    def __init__(self, *args) -> None:
        self.msg = args[0] if args and isinstance(args[0], Msg) else None
        super().__init__(*((self.msg.render("en"), *args[1:]) if self.msg is not None else args))


class InputError(GridgeoError):
    """Bad input data (a file, a feature, a field)."""

    exit_code = 1


class UsageError(GridgeoError):
    """A command was called wrongly."""

    exit_code = 2
