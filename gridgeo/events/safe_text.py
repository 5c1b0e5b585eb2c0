"""Text the databases can store: no NUL bytes (PostgreSQL refuses them) and no lone surrogates
(they cannot be encoded as UTF-8, neither in the database nor in a JSON answer).

One rule for every text that reaches the store: event fields, query and path parameters, plan
names, authors, comments and edit parameters. :func:`text_problem` says what is wrong with one
string; :func:`check_value` walks lists and dicts (keys too) and raises ``ValueError``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER columns (plan ids, versions); SQLite allows more


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (``None`` when it can)."""
    if "\x00" in text:
        return "must not contain NUL bytes (\\u0000); remove them"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate (invalid Unicode); send valid UTF-8 text"
    return None


def check_value(value: Any) -> Any:
    """``value`` unchanged when every string in it (dict keys too) can be stored; ValueError if not."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key)
            check_value(item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_value(item)
    return value


SafeStr = Annotated[str, AfterValidator(check_value)]
"""A str field that refuses NUL bytes and lone surrogates (422 naming the field)."""
