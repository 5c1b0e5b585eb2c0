"""Write the pinned lock files from the installed environment (``make lock``).

requirements.lock      every runtime package: gridgeo's dependencies and its extras app, api,
                       partition and postgis, with everything they pull in;
requirements-dev.lock  what the dev extra adds on top (tests, lint, benchmarks).

Both are the closure of pyproject.toml's declarations over the installed distributions, each at
its installed version, so a lock never names a package that nothing declares.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_EXTRAS = ("app", "api", "partition", "postgis")


def closure(requirements: list[str]) -> dict[str, str]:
    """Installed name → version of ``requirements`` and everything they require (markers honoured)."""
    seen: dict[str, str] = {}
    todo = [(Requirement(r), ()) for r in requirements]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        env = {**default_environment(), "extra": ""}
        if req.marker and not any(req.marker.evaluate({**env, "extra": e}) for e in (extras or ("",))):
            continue
        dist = metadata.distribution(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in seen:
            continue
        seen[key] = dist.version
        for sub in dist.requires or []:
            sub_req = Requirement(sub)
            if sub_req.marker is None or any(sub_req.marker.evaluate({**env, "extra": e}) for e in req.extras or ("",)):
                if sub_req.marker is not None and "extra" in str(sub_req.marker) and not req.extras:
                    continue
                todo.append((sub_req, tuple(req.extras)))
    pins: dict[str, str] = {}
    for key, version in seen.items():
        pins[re.sub(r"\[.*\]$", "", key)] = version
    return pins


def write(path: Path, pins: dict[str, str], header: str) -> None:
    """One ``name==version`` a line, sorted, under a comment header."""
    lines = [f"# {header}", "# written by `make lock` (scripts/lock.py) from pyproject.toml's declarations"]
    lines += [f"{name}=={version}" for name, version in sorted(pins.items())]
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    runtime = closure(project["dependencies"] + [r for e in RUNTIME_EXTRAS for r in extras[e]])
    dev = {k: v for k, v in closure(extras["dev"]).items() if k not in runtime}
    write(ROOT / "requirements.lock", runtime, "gridgeo runtime: dependencies + extras " + ", ".join(RUNTIME_EXTRAS))
    write(ROOT / "requirements-dev.lock", dev, "gridgeo development: the dev extra on top of requirements.lock")
    print(f"requirements.lock: {len(runtime)} pins; requirements-dev.lock: {len(dev)} pins", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
