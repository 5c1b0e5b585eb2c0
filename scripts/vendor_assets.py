"""Vendor every script, stylesheet, image and font the map pages load into static/vendor/.

folium and streamlit-folium point at public CDNs by default; command centres run on intranets,
so the app serves these files itself (Streamlit static serving: ./static -> /app/static/).
Each package is fetched once from the npm registry with ``npm pack`` (which checks the
registry's integrity hash), unpacked with its licence file, and marked complete with a stamp
file. Later runs do nothing and need no network, so `make run` works offline once set up.

Usage: ``python scripts/vendor_assets.py [--force]``. Exit 0 when everything is in place;
1 with one line naming the package when a fetch fails and the files are not there yet.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "static" / "vendor"

# directory under static/vendor -> (npm spec, paths inside the package to keep)
# Licence files (LICENSE*, LICENCE*, MIT-LICENCE*) and package.json (whose "license" field is the
# only licence statement of leaflet-draw) are always kept.
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "leaflet": ("leaflet@1.9.3", ("dist/",)),
    "jquery": ("jquery@3.7.1", ("dist/jquery.min.js",)),
    "bootstrap": ("bootstrap@5.2.2", ("dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css")),
    "awesome-markers": ("leaflet.awesome-markers@2.0.5", ("dist/",)),
    "fontawesome": ("@fortawesome/fontawesome-free@6.2.0", ("css/all.min.css", "webfonts/")),
    "markercluster": ("leaflet.markercluster@1.1.0", ("dist/",)),
    "heat": ("leaflet.heat@0.2.0", ("dist/",)),
    "fullscreen": ("leaflet.fullscreen@3.0.0", ("Control.FullScreen.js", "Control.FullScreen.css",
                                                  "icon-fullscreen.svg")),
    "leaflet-draw": ("leaflet-draw@1.0.4", ("dist/",)),
    "leaflet-sync": ("leaflet.sync@0.2.4", ("L.Map.Sync.js",)),  # folium DualMap: maps that pan together
}

STAMP = ".vendored"


def _keep(name: str, prefixes: tuple[str, ...]) -> bool:
    base = name.rsplit("/", 1)[-1].upper()
    if "/" not in name and (base.startswith(("LICENSE", "LICENCE", "MIT-LICENCE")) or name == "package.json"):
        return True
    return any(name == p or (p.endswith("/") and name.startswith(p)) for p in prefixes)


def _stamp_ok(target: Path, spec: str) -> bool:
    stamp = target / STAMP
    return stamp.exists() and stamp.read_text(encoding="utf-8").strip() == spec


def vendor_package(directory: str, spec: str, prefixes: tuple[str, ...], force: bool = False) -> bool:
    """Fetch and unpack one npm package into static/vendor/<directory>; True if it was fetched."""
    target = VENDOR_DIR / directory
    if not force and _stamp_ok(target, spec):
        return False
    with tempfile.TemporaryDirectory(prefix="gridgeo-vendor-") as tmp:
        proc = subprocess.run(
            ["npm", "pack", spec, "--json", "--pack-destination", tmp],
            capture_output=True, text=True, timeout=300, cwd=tmp,
        )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["npm pack failed"])[-1]
            raise RuntimeError(f"npm pack {spec} failed: {last}")
        filename = json.loads(proc.stdout)[0]["filename"].replace("@", "").replace("/", "-")
        tarball = next(Path(tmp).glob("*.tgz"), None) or Path(tmp) / filename
        staging = Path(tmp) / "out"
        kept = 0
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                if not member.isfile() or not member.name.startswith("package/"):
                    continue
                inner = member.name[len("package/"):]
                if not _keep(inner, prefixes):
                    continue
                member.name = inner
                tar.extract(member, staging, filter="data")
                kept += 1
        missing = [p for p in prefixes if not p.endswith("/") and not (staging / p).exists()]
        if missing or kept == 0:
            raise RuntimeError(f"{spec}: expected files missing from the package: {missing or prefixes}")
        (staging / STAMP).write_text(spec + "\n", encoding="utf-8")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(staging, partial)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)  # the stamp only appears together with all files
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="fetch again even when already vendored")
    args = parser.parse_args(argv)
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    fetched = []
    for directory, (spec, prefixes) in PACKAGES.items():
        try:
            if vendor_package(directory, spec, prefixes, force=args.force):
                fetched.append(spec)
        except (RuntimeError, OSError, subprocess.SubprocessError, ValueError) as exc:
            print(f"vendor_assets: {exc} (the map needs static/vendor/{directory}; "
                  "run `make setup` once with access to the npm registry)", file=sys.stderr)
            return 1
    if fetched:
        print(f"vendor_assets: vendored {', '.join(fetched)} into {VENDOR_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
