"""What a validation finds: ``Problem`` (one line each), ``Report`` (one file), feature labels and
formatting helpers shared by the checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from gridgeo.i18n import DEFAULT_LANG, Msg


@dataclass(frozen=True)
class Problem:
    """One problem in one file: ``feature`` is a code (str), a 1-based row number (int) or None.

    ``message`` and ``hint`` may be passed as ``gridgeo.i18n.Msg``: then they hold the English
    text and ``text(lang)``/``hint_text(lang)`` give them in the page language.

    A row number counts features from 1 (in a CSV: data rows below the header).

    ``check`` names the kind of problem (e.g. "invalid_geometry") for programs and tests.
    """

    file: str
    feature: str | int | None
    message: str
    hint: str = ""
    check: str = ""
    msg: Msg | None = field(default=None, compare=False, repr=False)
    hint_msg: Msg | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # ``message`` and ``hint`` may be given as catalogue messages: kept in ``msg``/``hint_msg``
        # for the pages (``text(lang)``), while ``message``/``hint`` hold the English the CLI prints
        for text, kept in (("message", "msg"), ("hint", "hint_msg")):
            value = getattr(self, text)
            if isinstance(value, Msg):
                object.__setattr__(self, kept, value)
                object.__setattr__(self, text, value.render("en"))

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """What is wrong, in ``lang`` (the English ``message`` when it has no catalogue message)."""
        return self.msg.render(lang) if self.msg is not None else self.message

    def hint_text(self, lang: str = DEFAULT_LANG) -> str:
        """What to do, in ``lang``."""
        return self.hint_msg.render(lang) if self.hint_msg is not None else self.hint

    def __str__(self) -> str:
        where = self.file or "<layer>"
        if isinstance(self.feature, int):
            where += f": row {self.feature}"
        elif self.feature is not None:
            where += f": feature {self.feature}"
        return f"{where}: {self.message}" + (f" — {self.hint}" if self.hint else "")


def _id_column(gdf: pd.DataFrame, kind: str | None = None) -> str | None:
    preferred = ("id", "code") if kind == "events" else ("code", "id")
    return next((c for c in preferred if c in gdf.columns), None)


def feature_labels(gdf: pd.DataFrame, kind: str | None = None) -> list[str | int]:
    """How each feature is named in a problem: its code (or event id), else its 1-based row."""
    col = _id_column(gdf, kind)
    if col is None:
        return list(range(1, len(gdf) + 1))
    values = gdf[col].to_numpy(dtype=object)
    return [str(v) if v is not None and not pd.isna(v) and str(v).strip() else i + 1
            for i, v in enumerate(values)]


def _fmt_m2(value: float) -> str:
    return f"{value:,.0f} m²" if value >= 10 else f"{value:.2f} m²"


@dataclass
class Report:
    """The outcome of validating one file: the problems, the kind used and the data read."""

    path: str
    kind: str | None
    kind_reason: str
    problems: list[Problem] = field(default_factory=list)
    frame: gpd.GeoDataFrame | None = None
    parent_frame: gpd.GeoDataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _problem_from_error(source: str, exc: Exception) -> Problem:
    text = str(exc)
    if text.startswith(source + ": "):
        text = text[len(source) + 2:]
    what, _, hint = text.rpartition("; ")
    return Problem(source, None, what or text, hint if what else "", "unreadable")
