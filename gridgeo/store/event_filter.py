"""EventFilter: which stored events a query asks for (time range, bbox, area codes, level,
category, status, ...), how many and in which order.

The API's ``GET /api/v1/events`` builds one from its query parameters
(:class:`gridgeo.api.routers.events.EventsQuery`), the store consumes it
(:meth:`gridgeo.store.sql.Store.events`). Core module: no FastAPI, no SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FILTER_COLUMNS: tuple[str, ...] = ("grid_code", "community_code", "street_code", "level", "category", "status",
                                   "channel", "list_type", "dispatch_target", "hall_code", "station_code")
AREA_COLUMNS: tuple[str, ...] = ("grid_code", "community_code", "street_code")


def _values(value: Any) -> tuple | None:
    """A filter value as a tuple of accepted values (None: no filter on the column)."""
    if value is None:
        return None
    return tuple(value) if isinstance(value, list | tuple | set | frozenset) else (value,)


@dataclass(frozen=True)
class EventFilter:
    """Events reported in [``start``, ``end``) (None: open), inside ``bbox`` (min_lon, min_lat,
    max_lon, max_lat; WGS84) and, per column of FILTER_COLUMNS, with one of the given values
    (None: any). At most ``limit`` rows, oldest first (``newest_first``: newest first)."""

    start: Any = None
    end: Any = None
    bbox: tuple[float, float, float, float] | None = None
    grid_code: tuple | None = None
    community_code: tuple | None = None
    street_code: tuple | None = None
    level: tuple[int, ...] | None = None
    category: tuple | None = None
    status: tuple | None = None
    channel: tuple | None = None
    list_type: tuple | None = None
    dispatch_target: tuple | None = None
    hall_code: tuple | None = None  # the responsible hall and the nearest station (the service network)
    station_code: tuple | None = None
    limit: int | None = None
    newest_first: bool = False

    def __post_init__(self) -> None:
        for column in FILTER_COLUMNS:  # one value or several: stored as a tuple
            object.__setattr__(self, column, _values(getattr(self, column)))
        if self.level is not None:
            object.__setattr__(self, "level", tuple(int(v) for v in self.level))
        if self.bbox is not None:
            object.__setattr__(self, "bbox", tuple(float(v) for v in self.bbox))
        if self.limit is not None:
            object.__setattr__(self, "limit", int(self.limit))

    @classmethod
    def of(cls, start: Any = None, end: Any = None, **fields: Any) -> EventFilter:
        """The filter from keyword arguments; ValueError naming an unknown filter column."""
        known = {f.name for f in dataclasses.fields(cls)}
        for key in fields:
            if key not in known:
                raise ValueError(f"unknown filter {key!r}: use one of {', '.join(FILTER_COLUMNS)}")
        return cls(start=start, end=end, **fields)

    def column_filters(self) -> Iterable[tuple[str, tuple]]:
        """(column, accepted values) for every column filtered on."""
        return ((c, getattr(self, c)) for c in FILTER_COLUMNS if getattr(self, c) is not None)

    def areas(self) -> dict[str, list | None]:
        """The area-code filters (grid, community, street) as lists (None: not filtered)."""
        return {c: None if getattr(self, c) is None else list(getattr(self, c)) for c in AREA_COLUMNS}

    def narrowed(self, areas: dict[str, Any]) -> EventFilter:
        """The same filter with ``areas`` (e.g. narrowed to a caller's territory) as area filters."""
        return dataclasses.replace(self, **{c: areas.get(c) for c in AREA_COLUMNS})
