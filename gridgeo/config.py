"""One settings object for gridgeo: the only module that reads the environment.

Every command, the service and the app call :func:`get_settings` once (or build a
:class:`Settings` themselves, e.g. in tests) and pass it on; nothing else reads ``os.environ``.

Variables (all optional):

=============================  =====================================================================
``GRIDGEO_DATABASE_URL``       the store (SQLAlchemy URL). Set = a real deployment: never seeded.
``GRIDGEO_DATA_DIR``           folder for the embedded SQLite store and caches (default ``<repo>/var``;
                               ``make run`` uses ``<repo>/var/demo`` for the demo)
``GRIDGEO_ATLAS``              name of the active atlas (default: the store's active one, else demo).
                               Any atlas but ``guangming-demo`` means real work: never seeded.
``GRIDGEO_API_TOKEN``          the admin bearer token for writes
``GRIDGEO_READ_ACCESS``        ``open``, ``localhost`` (default) or ``token``
``GRIDGEO_MAX_BODY_BYTES``     request body limit (default 2,000,000)
``GRIDGEO_HEADER_TIMEOUT_S``   seconds for a request's line and headers to arrive (default 10; then 408)
``GRIDGEO_BODY_TIMEOUT_S``     seconds for a request's body to arrive after its headers (default 30)
``GRIDGEO_KEEPALIVE_TIMEOUT_S`` seconds an idle keep-alive connection stays open (default 5)
``GRIDGEO_MAX_HEADER_BYTES``   request line + headers limit (default 65,536; then 431)
``GRIDGEO_MAX_CONNECTIONS``    open connections per worker; over it the longest-waiting idle one
                               is closed (default 4,096; keep it under ``ulimit -n``)
``GRIDGEO_MAX_INFLIGHT``       requests handled at once per worker; more get 503 (default 256)
``GRIDGEO_BACKLOG``            listen backlog (default 2,048)
``GRIDGEO_RESULT_CACHE_S``     seconds a /risk or /stats result is shared by identical calls (default 1;
                               0 = only by concurrent ones)
``GRIDGEO_TIMEZONE``           local time zone (default ``Asia/Shanghai``)
``GRIDGEO_METRIC_CRS``         metric CRS for areas and distances (default: the CGCS2000 3-degree
                               Gauss–Krüger zone whose central meridian is nearest the atlas)
``GRIDGEO_CATEGORIES``         JSON file of event categories (default: the domain's list)
``GRIDGEO_WALL_REFRESH_S``     wall display refresh in seconds (default 30)
``GRIDGEO_OIDC_ISSUER``        accept bearer JWTs of the city's identity provider with this issuer ...
``GRIDGEO_OIDC_JWKS_FILE``     ... signed by a key of this local JWKS file (offline; see gridgeo.access.idp)
``GRIDGEO_OIDC_AUDIENCE``      ... and, when set, this audience
``GRIDGEO_WALL_KEY``           API key (viewer) the wall display runs on unattended when accounts exist
``GRIDGEO_WALL_STALE_S``       wall freshness turns red when no event arrived for this long (default 900)
``GRIDGEO_WALL_HIGHLIGHT_S``   wall: a new level-I event or newly red grid stays highlighted this long
                               (default 600; it flashes for the first 60 s)
``GRIDGEO_API_URL``            the service's base URL as the BROWSER reaches it (e.g. ``http://host:8000``;
                               ``GRIDGEO_TILES_URL`` is its old name, still read): set = the wall
                               subscribes to its change stream, and the map and the wall draw large
                               atlases from its vector tiles
``GRIDGEO_TILES_MIN_GRIDS``    ... when the active atlas has more grids than this (default 5,000);
                               smaller atlases keep the GeoJSON path
``GRIDGEO_CORS_ORIGINS``       comma-separated origins (e.g. the app's ``http://host:8501``) whose pages
                               may GET ``/tiles/*`` from the service (CORS); default none
``GRIDGEO_TRUSTED_PROXIES``   comma-separated addresses or networks of reverse proxies (e.g. ``127.0.0.1``):
                               only a request whose peer is one of them has its client address taken
                               from ``X-Forwarded-For`` (sign-in throttling, loopback reads); default none
``GRIDGEO_LOGIN_HASHES``       password checks (argon2) run at once per worker (default 1); more sign-ins
                               wait, and beyond 16 waiting they get 429
``GRIDGEO_APP_SESSION_IDLE_H`` hours an app sign-in (its session cookie) lasts without use (default 8);
                               sign-out, disabling the account or a new password end it sooner
``GRIDGEO_HOTLINE_MIN_CONFIDENCE`` hotline work orders placed by address with a lower confidence (0-1) are
                               queued for a person, never guessed (default 0.8)
``GRIDGEO_HOTLINE_TABLES``     JSON file of the hotline import's word tables: ``{"categories": {word: slug},
                               "urgency": {word: level 1-4}}`` over the defaults
``GRIDGEO_SEED_DAYS``          demo only: days of simulated history (default 7)
``GRIDGEO_SEED_PER_DAY``       demo only: simulated events per day (default 1200)
``GRIDGEO_DEBUG``              show tracebacks on the command line
``GRIDGEO_I18N_STRICT``        a UI string key missing from the catalogue raises KeyError (the tests set
                               it); unset, the key is logged once and shown as it is
=============================  =====================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "var"
DEMO_ATLAS = "guangming-demo"
READ_ACCESS = ("open", "localhost", "token")

class SettingsError(ValueError):
    """A setting has a value gridgeo cannot use (the message names the variable)."""


@dataclass(frozen=True)
class Settings:
    """Configuration of one gridgeo process, read once (:func:`get_settings`) and passed in."""

    database_url: str | None = None
    data_dir: Path = field(default=DEFAULT_DATA_DIR)
    atlas: str | None = None
    api_token: str | None = None
    read_access: str = "localhost"
    max_body_bytes: int = 2_000_000
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keepalive_timeout_s: float = 5.0
    max_header_bytes: int = 65_536
    max_connections: int = 4_096
    max_inflight: int = 256
    backlog: int = 2_048
    result_cache_s: float = 1.0
    timezone: str = "Asia/Shanghai"
    metric_crs: str | None = None
    categories_file: str | None = None
    wall_refresh_s: float = 30.0
    wall_key: str | None = None
    oidc_issuer: str | None = None
    oidc_jwks_file: str | None = None
    oidc_audience: str | None = None
    wall_stale_s: float = 900.0
    wall_highlight_s: float = 600.0
    tiles_url: str | None = None
    tiles_min_grids: int = 5_000
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    login_hashes: int = 1
    app_session_idle_h: float = 8.0
    hotline_min_confidence: float = 0.8
    hotline_tables: str | None = None
    seed_days: float = 7.0
    seed_per_day: int = 1200
    debug: bool = False
    i18n_strict: bool = False
    # an imported file is refused (one line naming the file and the limit) before heavy work beyond:
    import_max_features: int = 500_000
    import_max_vertices_per_feature: int = 500_000
    import_max_vertices: int = 20_000_000
    import_max_zip_bytes: int = 512 * 1024 * 1024  # expanded size of an uploaded zip
    import_max_zip_files: int = 2_000
    # the service network (issue 23): which deadlines escalate a case one tier up (accept: not
    # accepted within escalation_accept_h of reaching its tier; resolve: not resolved by its due
    # time, then within its time limit of each escalation), how many tiers at most, and the
    # working days within which the reporter may rate the feedback step
    escalation_deadlines: tuple[str, ...] = ("accept", "resolve")
    escalation_accept_h: float = 24.0
    escalation_max_steps: int = 3
    escalation_every_s: float = 0.0  # the HTTP service escalates every N seconds (0: off; see gridgeo escalate)
    rating_working_days: int = 5

    def __post_init__(self) -> None:
        if self.read_access not in READ_ACCESS:
            raise SettingsError(f"GRIDGEO_READ_ACCESS={self.read_access!r}: use open, localhost or token")
        try:
            ZoneInfo(self.timezone)
        except (KeyError, ValueError) as exc:
            raise SettingsError(f"GRIDGEO_TIMEZONE={self.timezone!r}: not a known time zone ({exc})") from None
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        for proxy in self.trusted_proxies:
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(f"GRIDGEO_TRUSTED_PROXIES: {proxy!r} is not an IP address or network "
                                    "(e.g. 127.0.0.1 or 10.0.0.0/8)") from None
        if self.app_session_idle_h <= 0:
            raise SettingsError(f"GRIDGEO_APP_SESSION_IDLE_H={self.app_session_idle_h}: use a number of hours above 0")
        if self.login_hashes < 1:
            raise SettingsError(f"GRIDGEO_LOGIN_HASHES={self.login_hashes}: use 1 or more")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); SettingsError names a bad variable."""
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, default: float, cast=float, minimum: float = 0):
            raw = text(name)
            if raw is None:
                return default
            try:
                value = cast(raw)
            except ValueError:
                raise SettingsError(f"{name}={raw!r}: not a number") from None
            if not value >= minimum:
                raise SettingsError(f"{name}={raw!r}: use a number of at least {minimum}")
            return value

        return cls(
            database_url=text("GRIDGEO_DATABASE_URL"),
            data_dir=Path(text("GRIDGEO_DATA_DIR") or DEFAULT_DATA_DIR),
            atlas=text("GRIDGEO_ATLAS"),
            api_token=text("GRIDGEO_API_TOKEN"),
            read_access=text("GRIDGEO_READ_ACCESS") or "localhost",
            max_body_bytes=number("GRIDGEO_MAX_BODY_BYTES", 2_000_000, int, 1),
            header_timeout_s=number("GRIDGEO_HEADER_TIMEOUT_S", 10.0, float, 0.1),
            body_timeout_s=number("GRIDGEO_BODY_TIMEOUT_S", 30.0, float, 0.1),
            keepalive_timeout_s=number("GRIDGEO_KEEPALIVE_TIMEOUT_S", 5.0, float, 0.1),
            max_header_bytes=number("GRIDGEO_MAX_HEADER_BYTES", 65_536, int, 1024),
            max_connections=number("GRIDGEO_MAX_CONNECTIONS", 4_096, int, 1),
            max_inflight=number("GRIDGEO_MAX_INFLIGHT", 256, int, 1),
            backlog=number("GRIDGEO_BACKLOG", 2_048, int, 1),
            result_cache_s=number("GRIDGEO_RESULT_CACHE_S", 1.0),
            timezone=text("GRIDGEO_TIMEZONE") or "Asia/Shanghai",
            metric_crs=text("GRIDGEO_METRIC_CRS"),
            categories_file=text("GRIDGEO_CATEGORIES"),
            wall_refresh_s=max(1.0, number("GRIDGEO_WALL_REFRESH_S", 30.0)),
            wall_key=text("GRIDGEO_WALL_KEY"),
            oidc_issuer=text("GRIDGEO_OIDC_ISSUER"),
            oidc_jwks_file=text("GRIDGEO_OIDC_JWKS_FILE"),
            oidc_audience=text("GRIDGEO_OIDC_AUDIENCE"),
            wall_stale_s=number("GRIDGEO_WALL_STALE_S", 900.0, minimum=1),
            wall_highlight_s=number("GRIDGEO_WALL_HIGHLIGHT_S", 600.0),
            tiles_url=text("GRIDGEO_API_URL") or text("GRIDGEO_TILES_URL"),  # (the old name still works)
            tiles_min_grids=number("GRIDGEO_TILES_MIN_GRIDS", 5_000, int),
            cors_origins=tuple(o.strip().rstrip("/") for o in (text("GRIDGEO_CORS_ORIGINS") or "").split(",")
                               if o.strip()),
            trusted_proxies=tuple(p.strip() for p in (text("GRIDGEO_TRUSTED_PROXIES") or "").split(",")
                                  if p.strip()),
            login_hashes=number("GRIDGEO_LOGIN_HASHES", 1, int, 1),
            app_session_idle_h=number("GRIDGEO_APP_SESSION_IDLE_H", 8.0),
            hotline_min_confidence=min(1.0, number("GRIDGEO_HOTLINE_MIN_CONFIDENCE", 0.8)),
            hotline_tables=text("GRIDGEO_HOTLINE_TABLES"),
            seed_days=number("GRIDGEO_SEED_DAYS", 7.0),
            seed_per_day=number("GRIDGEO_SEED_PER_DAY", 1200, int),
            debug=bool(text("GRIDGEO_DEBUG")),
            i18n_strict=(text("GRIDGEO_I18N_STRICT") or "0").lower() not in ("0", "false", "no"),
            import_max_features=number("GRIDGEO_IMPORT_MAX_FEATURES", 500_000, int, 1),
            import_max_vertices_per_feature=number("GRIDGEO_IMPORT_MAX_VERTICES_PER_FEATURE", 500_000, int, 4),
            import_max_vertices=number("GRIDGEO_IMPORT_MAX_VERTICES", 20_000_000, int, 4),
            import_max_zip_bytes=number("GRIDGEO_IMPORT_MAX_ZIP_BYTES", 512 * 1024 * 1024, int, 1),
            import_max_zip_files=number("GRIDGEO_IMPORT_MAX_ZIP_FILES", 2_000, int, 1),
            escalation_deadlines=_deadlines(text("GRIDGEO_ESCALATION_DEADLINES")),
            escalation_accept_h=number("GRIDGEO_ESCALATION_ACCEPT_H", 24.0, float, 0.01),
            escalation_max_steps=number("GRIDGEO_ESCALATION_MAX_STEPS", 3, int),
            escalation_every_s=number("GRIDGEO_ESCALATION_EVERY_S", 0.0),
            rating_working_days=number("GRIDGEO_RATING_WORKING_DAYS", 5, int, 1),
        )

    def with_(self, **changes) -> Settings:
        """A copy with ``changes`` (e.g. a command-line option over the environment)."""
        return replace(self, **changes)

    @property
    def tz(self) -> ZoneInfo:
        """The local time zone."""
        return ZoneInfo(self.timezone)

    @property
    def store_url(self) -> str:
        """The store URL: ``database_url`` or the SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'gridgeo.sqlite'}"

    @property
    def is_real_store(self) -> bool:
        """True when the store was given by URL: it never receives synthetic grids or events."""
        return self.database_url is not None

    @property
    def demo_allowed(self) -> bool:
        """True unless the settings name a real store or an atlas that is not the demo: only then
        may the embedded store receive the synthetic demo grids and simulated events (the store's
        own active atlas is checked too, see :func:`gridgeo.services.active_atlas.is_demo_store`)."""
        return not self.is_real_store and self.atlas in (None, DEMO_ATLAS)

    def client_of(self, peer: str, forwarded_for: list[str]) -> str:
        """The client address of a request: the peer's, or, when the peer is a trusted proxy,
        the nearest ``X-Forwarded-For`` hop that is not a trusted proxy (the hops a client wrote
        itself come before it and are never used). The API's and the app's sign-in both use it."""
        if not self.trusted_proxies or not self.is_trusted_proxy(peer):
            return peer
        hops = [h.strip() for h in ",".join(forwarded_for).split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.is_trusted_proxy(hop):
                return hop
        return peer

    def is_trusted_proxy(self, address: str) -> bool:
        """True when ``address`` (a request's peer) is one of ``trusted_proxies``."""
        from ipaddress import ip_address

        try:
            ip = ip_address(address)
        except ValueError:
            return False
        return any(ip in ip_network(p, strict=False) for p in self.trusted_proxies)

    def use_tiles(self, n_grids: int) -> bool:
        """True when the pages draw an atlas of ``n_grids`` grids from the service's vector tiles
        (``tiles_url`` set and more grids than ``tiles_min_grids``), else as GeoJSON."""
        return bool(self.tiles_url) and n_grids > self.tiles_min_grids


ESCALATION_DEADLINES = ("accept", "resolve")


def _deadlines(raw: str | None) -> tuple[str, ...]:
    """GRIDGEO_ESCALATION_DEADLINES: comma-separated accept/resolve, or "none" (never escalate)."""
    if raw is None:
        return ESCALATION_DEADLINES
    if raw.lower() == "none":
        return ()
    names = tuple(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    bad = [n for n in names if n not in ESCALATION_DEADLINES]
    if bad:
        raise SettingsError(f"GRIDGEO_ESCALATION_DEADLINES={raw!r}: use accept, resolve, both (accept,resolve) "
                            "or none")
    return names


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings.from_env()
