"""Only the colours that changed: the answers of ``/tiles/colours`` remembered by stamp.

Every answer carries a ``stamp`` (a hash of what it holds and for whom). A client that sends the
stamp of its last answer back (``since=``) gets only the areas whose colour changed (``colours``)
and those that went back to grey (``cleared``), with ``full: false``; a wall refresh where
nothing changed is a few hundred bytes instead of every coloured area. An unknown stamp (another
worker process, evicted, another caller or grid set version) gets the full answer, ``full: true``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

HISTORY_SIZE = 256  # answers remembered per process (one per wall and window is enough)


class ColourHistory:
    """A bounded memory of recent colour answers, each keyed by its stamp."""

    def __init__(self, size: int = HISTORY_SIZE):
        self.size = size
        self._answers: OrderedDict[str, tuple[tuple, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def answer(self, key: tuple, colours: dict[str, str], since: str | None) -> dict:
        """``{"stamp", "full", "colours"[, "cleared"]}`` for ``colours`` of caller/request ``key``:
        the change since the answer stamped ``since`` when it is known for the same ``key``."""
        stamp = _stamp(key, colours)
        with self._lock:
            before = self._answers.get(since) if since else None
            self._answers[stamp] = (key, colours)
            self._answers.move_to_end(stamp)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        if before is None or before[0] != key:
            return {"stamp": stamp, "full": True, "colours": colours}
        old = before[1]
        return {"stamp": stamp, "full": False, "since": since,
                "colours": {code: c for code, c in colours.items() if old.get(code) != c},
                "cleared": sorted(code for code in old if code not in colours)}


def _stamp(key: tuple, colours: dict[str, str]) -> str:
    text = json.dumps([repr(key), sorted(colours.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
