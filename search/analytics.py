"""Search analytics: what visitors searched for, what they found and what they clicked.

Nothing personal is kept: no address, no cookie, no session; a search is
its normalised query, filter, outcome and latency, and a click names the
search (by a random id handed out with the results) and the rank clicked.
Requests only put events on a queue: one thread writes them to SQLite in
batches, so a slow disk or a busy database never holds up a search. A damaged
database is moved aside (kept, for whoever wants its rows) and a new one
started; when none can be written at all, events are counted as dropped.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import astuple
from dataclasses import dataclass
from pathlib import Path

from common.errors import AnalyticsDamaged

log = logging.getLogger("kbsearch.analytics")

FILENAME = "analytics.sqlite3"
DEFAULT_RETENTION_DAYS = 90
BATCH = 500  # events per transaction at most
QUEUE_LIMIT = 100_000  # beyond this, events are dropped rather than memory grown
SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,            -- unix time
    query TEXT NOT NULL,         -- normalised
    subjects TEXT NOT NULL,      -- filter, comma-separated, normalised
    results INTEGER NOT NULL,
    corrected INTEGER NOT NULL,
    relaxed INTEGER NOT NULL,
    took_ms REAL NOT NULL,
    typing INTEGER NOT NULL      -- fetched while the visitor was still typing
);
CREATE INDEX IF NOT EXISTS searches_at ON searches(at);
CREATE INDEX IF NOT EXISTS searches_query ON searches(query);
CREATE TABLE IF NOT EXISTS clicks (
    search_id TEXT NOT NULL,
    at REAL NOT NULL,
    rank INTEGER NOT NULL,       -- 1 for the first result of the first page
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clicks_search ON clicks(search_id);
CREATE INDEX IF NOT EXISTS clicks_at ON clicks(at);
"""


def normalise(text: str) -> str:
    """The form a query is counted under: folded case, single spaces."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def new_search_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Search:
    id: str
    at: float
    query: str
    subjects: str
    results: int
    corrected: bool
    relaxed: bool
    took_ms: float
    typing: bool


@dataclass(frozen=True)
class Click:
    search_id: str
    at: float
    rank: int
    url: str


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the analytics database, created on first use (WAL: readers never block the writer).

    :raises sqlite3.DatabaseError: when the file is not a database or is damaged.
    """
    connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


@contextlib.contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection for reports.

    :raises AnalyticsDamaged: naming the file, when it cannot be read.
    """
    try:
        connection = connect(path)
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from exc
    try:
        yield connection
    except sqlite3.DatabaseError as exc:
        if _locked(exc):
            raise
        raise _damaged(path, exc) from exc
    finally:
        connection.close()


def _damaged(path: Path, exc: sqlite3.DatabaseError) -> AnalyticsDamaged:
    return AnalyticsDamaged(
        f"the analytics database {path} cannot be read ({exc}); searching is unaffected, and the server "
        "moves the file aside and starts a new one the next time it records a search"
    )


def _locked(exc: sqlite3.DatabaseError) -> bool:
    """Busy, not damaged: a long report holds the database, or its folder cannot be written."""
    return isinstance(exc, sqlite3.OperationalError)


def set_aside(path: Path) -> Path:
    """Rename a damaged database (and its journal files) out of the way; the new name."""
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(2)}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(aside.with_name(aside.name + suffix))
    return aside


class Recorder:
    """Queues events and writes them in batches from one background thread."""

    def __init__(self, path: Path, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.path = path
        self.retention_days = retention_days
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(QUEUE_LIMIT)
        self._thread = threading.Thread(target=self._run, name="kbsearch-analytics", daemon=True)
        self._thread.start()
        # A worker that stops (gunicorn's graceful shutdown, a reload) writes what it queued first.
        atexit.register(self.close)

    def record(self, event: Search | Click) -> None:
        """Never blocks: when the writer has fallen far behind, the event is counted as dropped."""
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            if self.dropped % 1000 == 0:
                log.warning("analytics writer is behind: %d events dropped so far", self.dropped + 1)
            self.dropped += 1

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far is written."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self.flush()
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _batches(self) -> Iterator[list]:
        while True:
            batch = [self._queue.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            yield batch
            if None in batch:
                return

    def _run(self) -> None:
        connection = self._open()
        purged_at = 0.0
        try:
            for batch in self._batches():
                events = [e for e in batch if isinstance(e, Search | Click)]
                connection = self._store(connection, events)
                if connection is not None and time.time() - purged_at > 3600:
                    connection = self._store(connection, [], purge_days=self.retention_days)
                    purged_at = time.time()
                for marker in batch:
                    if isinstance(marker, threading.Event):
                        marker.set()
        finally:
            if connection is not None:
                connection.close()

    def _open(self) -> sqlite3.Connection | None:
        """The database; a new one in place of a damaged one; ``None`` when none can be written."""
        try:
            return connect(self.path)
        except sqlite3.DatabaseError as exc:
            if _locked(exc):
                log.error("analytics are off: cannot open %s (%s)", self.path, exc)
                return None
            return self._replace(exc)

    def _replace(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection | None:
        try:
            aside = set_aside(self.path)
            connection = connect(self.path)
        except (OSError, sqlite3.DatabaseError) as again:
            log.error("analytics are off: %s is damaged (%s) and cannot be replaced (%s)", self.path, exc, again)
            return None
        log.error("analytics database %s was damaged (%s): moved to %s, recording anew", self.path, exc, aside)
        return connection

    def _store(
        self, connection: sqlite3.Connection | None, events: list, purge_days: int | None = None
    ) -> sqlite3.Connection | None:
        """Write ``events`` (or purge); a database found damaged is replaced once. The connection to go on with."""
        for replaced in (False, True):
            if connection is None:
                break
            try:
                if purge_days is None:
                    _write(connection, events)
                else:
                    purge(connection, purge_days)
                return connection
            except sqlite3.DatabaseError as exc:
                if _locked(exc) or replaced:
                    log.warning("analytics: %d events not written to %s (%s)", len(events), self.path, exc)
                    break
                connection.close()
                connection = self._replace(exc)
        self.dropped += len(events)
        return connection


def _write(connection: sqlite3.Connection, events: list) -> None:
    searches = [astuple(e) for e in events if isinstance(e, Search)]
    clicks = [astuple(e) for e in events if isinstance(e, Click)]
    for attempt in range(5):
        try:
            with connection:
                connection.executemany("INSERT OR IGNORE INTO searches VALUES (?,?,?,?,?,?,?,?,?)", searches)
                connection.executemany("INSERT INTO clicks VALUES (?,?,?,?)", clicks)
            return
        except sqlite3.OperationalError:  # locked by a long report: try again shortly
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


def purge(connection: sqlite3.Connection, days: int) -> None:
    """Forget events older than ``days``."""
    cutoff = time.time() - days * 86400
    with connection:
        connection.execute("DELETE FROM searches WHERE at < ?", (cutoff,))
        connection.execute("DELETE FROM clicks WHERE at < ?", (cutoff,))
