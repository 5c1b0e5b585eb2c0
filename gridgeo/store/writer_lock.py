"""One writer at a time on a store, across threads and, for a SQLite file, across processes.

SQLite lets one write transaction run at a time; a second writer that finds the database locked
polls in SQLite's busy handler, sleeping 1, 2, 5, 10 … 100 ms between tries. Two server worker
processes writing small transactions back to back spend most of their time in those sleeps.
Writers of one process queue on a ``threading.Lock``; writers of several processes queue on an
exclusive ``flock`` of a file beside the database, so the kernel wakes the next one as soon as
the lock is released.
"""

from __future__ import annotations

import fcntl
import os
import threading


class WriterLock:
    """Context manager: the thread lock, then (for ``path``) the cross-process file lock."""

    def __init__(self, path: str | None = None):
        self._thread = threading.Lock()
        self._path = path
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own file
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        return self._fd

    def __enter__(self) -> WriterLock:
        self._thread.acquire()
        if self._path:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX)
            except OSError:  # no lock file (read-only folder): SQLite's own locking still holds
                self._path = None
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._path and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread.release()

    def close(self) -> None:
        """Close the lock file (the store is closing)."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
