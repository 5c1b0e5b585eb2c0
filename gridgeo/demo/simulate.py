"""Synthetic but realistic petition events, and lifecycle advancement, for demos and load tests.

* Arrivals: a non-homogeneous Poisson process whose rate follows a daily rhythm in China
  Standard Time (quiet at night, peaks mid-morning and mid-afternoon, a smaller evening peak).
* Places: hot spots around the atlas's basic units (``atlas.units``): urban villages weigh 3,
  industrial parks 2, residential compounds 1, times the square root of their households;
  points scatter ~100 m around the unit; 10 % fall anywhere in a populated grid; about 1 % are
  reported outside the district (out of area).
* What: the category mix depends on the unit kind (labour and work safety near industrial
  parks, property and neighbour disputes in compounds, urban-village and public-order matters in
  urban villages); levels are skewed to 3-4 (about 3 % / 12 % / 40 % / 45 %).
* How: channels app, hotline, grid worker, volunteer (平安员), hall; most app reports come in
  GCJ-02 (as phone map SDKs send them) and a few hotline ones in BD-09.

All randomness comes from one ``numpy.random.Generator`` seeded by ``seed``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from gridgeo.analysis.stats import local_tz
from gridgeo.atlas.model import Atlas
from gridgeo.geo.crs import from_wgs84
from gridgeo.services import intake

# relative arrival rate by local hour (normalised to mean 1 below)
_RHYTHM = np.array([0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.9, 1.5, 1.9, 2.0, 1.7,
                    1.1, 1.3, 1.7, 1.8, 1.6, 1.3, 1.0, 1.1, 1.0, 0.7, 0.45, 0.25])
RHYTHM = _RHYTHM / _RHYTHM.mean()

CATEGORY_MIX: dict[str, dict[str, float]] = {
    "compound": {"neighbour_dispute": 0.28, "property": 0.30, "environment": 0.14, "public_order": 0.08,
                 "labour": 0.04, "work_safety": 0.03, "land": 0.02, "petition": 0.03, "urban_village": 0.0,
                 "other": 0.08},
    "urban_village": {"neighbour_dispute": 0.20, "property": 0.05, "environment": 0.14, "public_order": 0.16,
                      "labour": 0.08, "work_safety": 0.05, "land": 0.08, "petition": 0.04, "urban_village": 0.15,
                      "other": 0.05},
    "industrial_park": {"neighbour_dispute": 0.05, "property": 0.04, "environment": 0.14, "public_order": 0.07,
                        "labour": 0.38, "work_safety": 0.22, "land": 0.02, "petition": 0.03, "urban_village": 0.0,
                        "other": 0.05},
}
DEFAULT_MIX = {"neighbour_dispute": 0.22, "property": 0.14, "environment": 0.14, "public_order": 0.1,
               "labour": 0.14, "work_safety": 0.08, "land": 0.04, "petition": 0.04, "urban_village": 0.04,
               "other": 0.06}
KIND_WEIGHT = {"urban_village": 3.0, "industrial_park": 2.0, "compound": 1.0}
LEVEL_P = np.array([0.03, 0.12, 0.40, 0.45])
CHANNEL_P = {"app": 0.35, "hotline": 0.25, "grid_worker": 0.2, "volunteer": 0.12, "hall": 0.08}
LIST_P = {"immediate": 0.7, "staged": 0.25, "explained": 0.05}

TEXTS: dict[str, tuple[str, ...]] = {
    "neighbour_dispute": ("{place}邻里因漏水问题发生纠纷", "{place}楼上噪音扰民引发争执", "{place}邻居占用公共通道"),
    "labour": ("{place}工人反映被拖欠工资", "{place}企业未签劳动合同", "{place}员工加班费争议"),
    "property": ("{place}业主反映物业费上涨", "{place}电梯长期故障物业未修", "{place}停车位分配争议"),
    "work_safety": ("{place}厂房消防通道堵塞", "{place}工地未佩戴安全防护", "{place}仓库电线私拉乱接"),
    "public_order": ("{place}夜间聚集喧哗", "{place}发现可疑人员", "{place}商铺门前打架"),
    "environment": ("{place}工厂排放异味", "{place}夜间施工噪音", "{place}垃圾堆放未清运"),
    "urban_village": ("{place}出租屋消防隐患", "{place}违建加层", "{place}握手楼间电线杂乱"),
    "land": ("{place}土地整备补偿争议", "{place}拆迁安置诉求"),
    "petition": ("{place}群众拟赴市上访", "{place}集体诉求反映历史遗留问题"),
    "other": ("{place}群众咨询政策", "{place}其他诉求"),
}


def _arrival_offsets(rng: np.random.Generator, start: datetime, duration: float, n: int | None,
                     rate: float | None) -> np.ndarray:
    """Seconds after ``start`` of each arrival, sorted (thinning against the daily rhythm)."""
    peak = RHYTHM.max()
    if n is None:
        n = int(rng.poisson((rate or 0.0) * duration))  # expected count at the mean rate
    out: list[np.ndarray] = []
    got = 0
    start_local = pd.Timestamp(start).tz_convert(local_tz())
    start_hour = start_local.hour + start_local.minute / 60 + start_local.second / 3600
    while got < n:
        cand = rng.uniform(0.0, duration, size=max(2 * (n - got), 16))
        hours = ((start_hour + cand / 3600.0) % 24).astype(int)
        keep = cand[rng.uniform(0.0, peak, size=len(cand)) < RHYTHM[hours]]
        out.append(keep[: n - got])
        got += len(out[-1])
    return np.sort(np.concatenate(out)) if out else np.array([])


def _hot_spot_places(atlas: Atlas):
    """Where events cluster: the atlas's basic units (an imported atlas may lack units, or their
    kind, households or name: then its grids stand in)."""
    units = atlas.units if atlas.units is not None and len(atlas.units) else atlas.grids
    cols = {"kind": "other", "households": 1, "name": ""}
    missing = {c: v for c, v in cols.items() if c not in units.columns}
    return units.assign(**missing) if missing else units


def generate_events(atlas: Atlas, n: int | None = None, *, rate: float | None = None,
                    duration: float | None = None, seed: int = 0, start: datetime | None = None,
                    id_prefix: str | None = None, out_of_area_share: float = 0.01,
                    gcj02_share_of_app: float = 0.7) -> list[dict[str, Any]]:
    """Synthetic events as clients would send them (dicts ready for ``gridgeo.services.intake.add_events`` or
    ``POST /api/v1/events``), sorted by report time.

    Give ``n`` (exact count) or ``rate`` (mean events per second over the day; count is
    Poisson). ``duration`` is the span in seconds (default one day); ``start`` defaults to
    ``now - duration`` so that the events end now. Ids are ``<id_prefix>-<serial>`` (default
    prefix ``sim<seed>``).
    """
    if n is None and rate is None:
        raise ValueError("give n (a count) or rate (events per second)")
    rng = np.random.default_rng(seed)
    duration = float(duration if duration is not None else 86400.0)
    start = start or (datetime.now(UTC) - timedelta(seconds=duration))
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    offsets = _arrival_offsets(rng, start, duration, n, rate)
    count = len(offsets)
    prefix = id_prefix or f"sim{seed}"
    if count == 0:
        return []

    units = _hot_spot_places(atlas)
    kinds = units["kind"].astype(str).to_numpy()
    households = pd.to_numeric(units["households"], errors="coerce").fillna(0).clip(lower=1).to_numpy()
    weight = np.array([KIND_WEIGHT.get(k, 1.0) for k in kinds]) * np.sqrt(households)
    pick = rng.choice(len(units), size=count, p=weight / weight.sum())
    upts = units.geometry.representative_point()
    lon = upts.x.to_numpy()[pick] + rng.normal(0.0, 0.001, count)
    lat = upts.y.to_numpy()[pick] + rng.normal(0.0, 0.0009, count)
    place = units["name"].astype(str).to_numpy()[pick]
    kind = kinds[pick]

    # background: anywhere in a populated grid
    grids = atlas.grids
    bg = rng.uniform(size=count) < 0.10
    if bg.any() and len(grids):
        gw = pd.to_numeric(grids.get("population", pd.Series(1, index=grids.index)), errors="coerce")
        gw = gw.fillna(1).clip(lower=1).to_numpy()
        gpick = rng.choice(len(grids), size=int(bg.sum()), p=gw / gw.sum())
        gpts = grids.geometry.representative_point()
        lon[bg] = gpts.x.to_numpy()[gpick] + rng.normal(0.0, 0.0012, int(bg.sum()))
        lat[bg] = gpts.y.to_numpy()[gpick] + rng.normal(0.0, 0.0011, int(bg.sum()))
        place[bg] = grids["name"].astype(str).to_numpy()[gpick]
        kind[bg] = "other"

    # out of area: a few km beyond the district's bounding box
    out = rng.uniform(size=count) < out_of_area_share
    if out.any():
        x0, y0, x1, y1 = atlas.district.total_bounds
        side = rng.integers(0, 2, int(out.sum()))
        lon[out] = np.where(side == 0, x0 - rng.uniform(0.02, 0.08, int(out.sum())),
                            x1 + rng.uniform(0.02, 0.08, int(out.sum())))
        lat[out] = rng.uniform(y0, y1, int(out.sum()))
        place[out] = "辖区外"

    cats = np.empty(count, dtype=object)
    for k in np.unique(kind):
        mix = CATEGORY_MIX.get(k, DEFAULT_MIX)
        sel = kind == k
        names = list(mix)
        p = np.array([mix[c] for c in names])
        cats[sel] = rng.choice(names, size=int(sel.sum()), p=p / p.sum())
    levels = rng.choice([1, 2, 3, 4], size=count, p=LEVEL_P)
    severe = np.isin(cats, ["work_safety", "petition"])  # these skew one step more severe
    levels = np.where(severe & (rng.uniform(size=count) < 0.3), np.maximum(levels - 1, 1), levels)
    channels = rng.choice(list(CHANNEL_P), size=count, p=list(CHANNEL_P.values()))
    list_types = rng.choice(list(LIST_P), size=count, p=list(LIST_P.values()))

    crs = np.full(count, "WGS84", dtype=object)
    crs[(channels == "app") & (rng.uniform(size=count) < gcj02_share_of_app)] = "GCJ02"
    crs[(channels == "hotline") & (rng.uniform(size=count) < 0.05)] = "BD09"
    out_lon, out_lat = lon.copy(), lat.copy()
    for name in ("GCJ02", "BD09"):
        sel = crs == name
        if sel.any():
            out_lon[sel], out_lat[sel] = from_wgs84(lon[sel], lat[sel], name)

    times = pd.Timestamp(start) + pd.to_timedelta(offsets, unit="s")
    times_local = times.tz_convert(local_tz())
    text_pick = rng.integers(0, 1000, count)
    events = []
    for i in range(count):
        templates = TEXTS[cats[i]]
        events.append({
            "id": f"{prefix}-{i:07d}",
            "reported_at": times_local[i].isoformat(timespec="seconds"),
            "lon": round(float(out_lon[i]), 7), "lat": round(float(out_lat[i]), 7), "crs": str(crs[i]),
            "category": str(cats[i]), "level": int(levels[i]), "channel": str(channels[i]),
            "list_type": str(list_types[i]),
            "text": templates[text_pick[i] % len(templates)].format(place=place[i]),
        })
    return events


# lifecycle -------------------------------------------------------------------------------------
# mean hours spent in a status before the next move, by level (1 = most severe, fastest)
MEAN_HOURS: dict[str, dict[int, float]] = {
    "reported": {1: 0.2, 2: 0.5, 3: 1.0, 4: 2.0},
    "accepted": {1: 1.5, 2: 5.0, 3: 14.0, 4: 30.0},
    "escalated": {1: 3.0, 2: 8.0, 3: 16.0, 4: 24.0},
    "resolved": {1: 8.0, 2: 12.0, 3: 12.0, 4: 12.0},
    "confirmed": {1: 24.0, 2: 36.0, 3: 48.0, 4: 48.0},
}
# where an event goes next from each status, with probabilities
NEXT: dict[str, dict[str, float]] = {
    "reported": {"accepted": 0.95, "rejected": 0.03, "escalated": 0.02},
    "accepted": {"resolved": 0.93, "escalated": 0.05, "rejected": 0.02},
    "escalated": {"accepted": 0.6, "resolved": 0.4},
    "resolved": {"confirmed": 0.95, "accepted": 0.05},
    "confirmed": {"feedback": 1.0},
}
ACTORS = {"accepted": "受理员", "resolved": "网格员", "escalated": "街道综治中心", "rejected": "受理员",
          "confirmed": "社区党群服务中心", "feedback": "上报人"}


def plan_lifecycles(frame: pd.DataFrame, until: datetime, seed: int = 0, pace: float = 1.0,
                    since: datetime | None = None) -> list[tuple]:
    """Moves ``(id, to_status, actor, note, at)`` that happen to the events of ``frame`` (id,
    status, level, reported_at, updated_at) up to ``until``.

    Each event waits an exponential time (mean from MEAN_HOURS, divided by ``pace``) in its
    status, counted from ``since`` (or its last update), then moves to a next status drawn from
    NEXT; chained until ``until``.
    """
    rng = np.random.default_rng(seed)
    moves: list[tuple] = []
    if not len(frame):
        return moves
    until_s = pd.Timestamp(until).timestamp()
    last = frame["updated_at"] if "updated_at" in frame else frame["reported_at"]
    starts = pd.to_datetime(last, utc=True)
    starts_s = (starts - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    if since is not None:
        starts_s = np.maximum(starts_s, pd.Timestamp(since).timestamp())
    # draws in bulk: a unit exponential and a uniform per possible step (at most 6 per event)
    steps = 6 * len(frame)
    expo = rng.exponential(1.0, steps)
    unif = rng.uniform(0.0, 1.0, steps)
    options = {k: (list(v), np.cumsum(list(v.values()))) for k, v in NEXT.items()}
    k = 0
    for eid, status, level, t in zip(frame["id"], frame["status"], frame["level"].astype(int), starts_s,
                                     strict=True):
        while status in NEXT and k < steps:
            t = t + expo[k] * MEAN_HOURS[status][level] * 3600.0 / pace
            if t > until_s:
                break
            names, cum = options[status]
            status = names[min(int(np.searchsorted(cum, unif[k] * cum[-1], side="right")), len(names) - 1)]
            k += 1
            at = datetime.fromtimestamp(round(t, 6), tz=UTC)
            moves.append((eid, status, ACTORS[status], None, at))
        k += 1
    return moves


def seed_store(store, atlas: Atlas, days: float = 30, per_day: int = 1200, seed: int = 0,
               now: datetime | None = None) -> int:
    """Fill a store with ``days`` of simulated history ending ``now`` (lifecycles advanced to
    ``now``). Returns how many new events were stored."""
    now = now or datetime.now(UTC)
    events = generate_events(atlas, n=int(days * per_day), duration=days * 86400.0, seed=seed,
                             start=now - timedelta(days=days), id_prefix=f"hist{seed}")
    stored = 0
    for i in range(0, len(events), 5000):
        results = intake.add_events(store, events[i:i + 5000], actor="simulator", now=now)
        stored += sum(r["result"] == "accepted" for r in results)
    frame = store.events_frame(extra=True, now=now)
    frame = frame[frame["id"].str.startswith(f"hist{seed}-")]
    frame = frame.assign(updated_at=frame["reported_at"])
    moves = plan_lifecycles(frame, now, seed=seed)
    for i in range(0, len(moves), 20000):
        store.transition_many(moves[i:i + 20000])
    return stored
