"""The store's writer lock: writers of several processes queue on a file lock beside a SQLite
database instead of polling in SQLite's busy handler."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store
from gridgeo.store.writer_lock import WriterLock

_HOLDER = """
import sys
from gridgeo.store.writer_lock import WriterLock
with WriterLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_process_waits_for_the_writer(tmp_path):
    path = str(tmp_path / "db.writer-lock")
    # a plain child interpreter (multiprocessing's spawn would re-run whatever __main__ is)
    child = subprocess.Popen([sys.executable, "-c", _HOLDER, path], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        lock = WriterLock(path)
        release_at = time.monotonic() + 0.5

        def release() -> None:
            child.stdin.write("go\n")
            child.stdin.flush()

        threading.Timer(0.5, release).start()
        with lock:  # blocks until the child lets go
            assert time.monotonic() >= release_at - 0.05
        lock.close()
    finally:
        child.kill()
        child.wait(10)


def test_a_sqlite_store_writes_under_the_file_lock(tmp_path, default_atlas):
    store = open_store(f"sqlite:///{tmp_path / 'gridgeo.sqlite'}", seed_default=True)
    point = default_atlas.grids.geometry.iloc[0].representative_point()
    result = add_events(store, [{"id": "lock-1", "reported_at": "2024-05-01T08:30:00+08:00", "lon": point.x,
                                "lat": point.y, "category": "public_order", "level": 2, "channel": "hotline"}])
    assert result[0]["result"] == "accepted"
    assert (tmp_path / "gridgeo.sqlite.writer-lock").exists()
    store.close()


def test_other_stores_take_only_the_thread_lock():
    lock = WriterLock(None)
    with lock:
        assert lock._thread.locked()
    assert not lock._thread.locked()
