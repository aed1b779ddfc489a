"""Durable network sessions: SQLite (WAL) on disk, the live trainers in a bounded cache.

Design goal: every acknowledged change is on disk before the response leaves (a SIGKILL
loses nothing), requests to one network are serialised by that network's lock while
different networks run in parallel, and memory and disk stay bounded (idle expiry, a cap on
the number of networks with least-recently-used eviction, an in-memory cache of live
trainers). A step writes only what changed: the small state row and the history points
added or thinned since the last write; the spec (which may hold user data) is written on
creation and when it changes.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from app.core.errors import ApiError
from engine import Trainer
from engine.serialize import FORMAT

SCHEMA = """
CREATE TABLE IF NOT EXISTS networks (
    id TEXT PRIMARY KEY, spec BLOB NOT NULL, state BLOB NOT NULL,
    created REAL NOT NULL, accessed REAL NOT NULL);
CREATE INDEX IF NOT EXISTS networks_accessed ON networks(accessed);
CREATE TABLE IF NOT EXISTS points (
    id TEXT NOT NULL, step INTEGER NOT NULL, point BLOB NOT NULL,
    PRIMARY KEY (id, step)) WITHOUT ROWID;
"""
ACCESS_WRITE_INTERVAL = 60.0


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)


class Entry:
    """A live network: its trainer, its lock and what of its history is on disk."""

    def __init__(self, trainer: Trainer, persisted: set[int]) -> None:
        self.trainer = trainer
        self.lock = threading.Lock()
        self.persisted_steps = persisted
        self.users = 0
        self.deleted = False
        self.accessed_written = 0.0


class NetworkStore:
    """All networks, on disk and (the recently used ones) in memory.

    Args:
        path: the SQLite file.
        idle_expiry: seconds after which an untouched network is deleted.
        max_networks: networks kept at most (least recently used evicted).
        cache_size: live trainers kept in memory.
    """

    def __init__(self, path: Path | str, idle_expiry: float, max_networks: int,
                 cache_size: int) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.idle_expiry, self.max_networks, self.cache_size = idle_expiry, max_networks, cache_size
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives a crash of the process.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        self.purge_expired()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --------------------------------------------------------------- lifecycle
    def create(self, trainer: Trainer) -> str:
        """Store a new network and return its id (128-bit random, hex)."""
        net_id = secrets.token_hex(16)
        now = time.time()
        entry = Entry(trainer, set())
        with self._lock:
            self.purge_expired(now)
            count = self._db.execute("SELECT COUNT(*) FROM networks").fetchone()[0]
            if count >= self.max_networks:
                for (old,) in self._db.execute(
                        "SELECT id FROM networks ORDER BY accessed LIMIT ?",
                        (count - self.max_networks + 1,)).fetchall():
                    self._delete_locked(old)
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO networks VALUES (?, ?, ?, ?, ?)",
                             (net_id, self._spec(trainer), self._state(trainer), now, now))
            self._write_points(net_id, entry)
            self._db.execute("COMMIT")
            entry.accessed_written = now
            self._remember(net_id, entry)
        return net_id

    def purge_expired(self, now: float | None = None) -> int:
        """Delete networks idle longer than the expiry; return how many."""
        cutoff = (now or time.time()) - self.idle_expiry
        with self._lock:
            ids = [r[0] for r in self._db.execute(
                "SELECT id FROM networks WHERE accessed < ?", (cutoff,)).fetchall()]
            for net_id in ids:
                self._delete_locked(net_id)
        return len(ids)

    def delete(self, net_id: str) -> None:
        with self.use(net_id) as entry:
            with self._lock:
                entry.deleted = True
                self._delete_locked(net_id)

    def _delete_locked(self, net_id: str) -> None:
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM networks WHERE id = ?", (net_id,))
        self._db.execute("DELETE FROM points WHERE id = ?", (net_id,))
        self._db.execute("COMMIT")
        entry = self._cache.pop(net_id, None)
        if entry is not None:
            entry.deleted = True

    # ------------------------------------------------------------------ access
    @contextmanager
    def use(self, net_id: str) -> Iterator[Entry]:
        """Hold the network's lock for the duration of the block; 404 if it does not exist."""
        with self._lock:
            entry = self._load(net_id)
            entry.users += 1
        try:
            with entry.lock:
                if entry.deleted:
                    raise ApiError(404, "not_found", f"no network with id {net_id}", "id")
                now = time.time()
                if now - entry.accessed_written > ACCESS_WRITE_INTERVAL:
                    with self._lock:
                        self._db.execute("UPDATE networks SET accessed = ? WHERE id = ?",
                                         (now, net_id))
                    entry.accessed_written = now
                yield entry
        finally:
            with self._lock:
                entry.users -= 1

    def save(self, net_id: str, entry: Entry, spec_changed: bool = False) -> None:
        """Write the network's state (and spec if it changed) durably; call holding its lock."""
        trainer = entry.trainer
        state = self._state(trainer)
        spec = self._spec(trainer) if spec_changed else None
        with self._lock:
            if entry.deleted:
                return
            self._db.execute("BEGIN")
            if spec is not None:
                self._db.execute("UPDATE networks SET spec = ? WHERE id = ?", (spec, net_id))
            self._db.execute("UPDATE networks SET state = ?, accessed = ? WHERE id = ?",
                             (state, time.time(), net_id))
            self._write_points(net_id, entry)
            self._db.execute("COMMIT")

    def _spec(self, trainer: Trainer) -> bytes:
        """What changes only with the spec: the spec and the initial parameters."""
        return _dumps({"spec": trainer.spec, "initial_parameters": trainer.initial_parameters()})

    def _state(self, trainer: Trainer) -> bytes:
        """What a step changes (written on every save)."""
        hist = trainer.history
        return _dumps({**trainer.state_dict(),
                       "history_meta": {"capacity": hist.capacity, "stride": hist.stride}})

    def _write_points(self, net_id: str, entry: Entry) -> None:
        points = {p["step"]: p for p in entry.trainer.history.points}
        gone = entry.persisted_steps - points.keys()
        if gone:
            self._db.executemany("DELETE FROM points WHERE id = ? AND step = ?",
                                 [(net_id, s) for s in gone])
        new = [(net_id, s, _dumps(p)) for s, p in points.items()
               if s not in entry.persisted_steps]
        if new:
            self._db.executemany("INSERT OR REPLACE INTO points VALUES (?, ?, ?)", new)
        entry.persisted_steps = set(points)

    def replace_points(self, net_id: str, entry: Entry) -> None:
        """Forget what is on disk of the history (after a reset or an edit rewrote it)."""
        with self._lock:
            self._db.execute("DELETE FROM points WHERE id = ?", (net_id,))
        entry.persisted_steps = set()

    def _load(self, net_id: str) -> Entry:
        entry = self._cache.get(net_id)
        if entry is not None:
            self._cache.move_to_end(net_id)
            return entry
        row = None
        if len(net_id) == 32 and all(c in "0123456789abcdef" for c in net_id):
            row = self._db.execute("SELECT spec, state FROM networks WHERE id = ?",
                                   (net_id,)).fetchone()
        if row is None:
            raise ApiError(404, "not_found", f"no network with id {net_id}", "id")
        state = orjson.loads(row[1])
        meta = state.pop("history_meta")
        points = [orjson.loads(r[0]) for r in self._db.execute(
            "SELECT point FROM points WHERE id = ? ORDER BY step", (net_id,))]
        doc = {"format": FORMAT, **orjson.loads(row[0]), **state,
               "history": {**meta, "points": points}}
        trainer = Trainer.from_dict(doc)
        entry = Entry(trainer, {p["step"] for p in points})
        self._remember(net_id, entry)
        return entry

    def _remember(self, net_id: str, entry: Entry) -> None:
        self._cache[net_id] = entry
        while len(self._cache) > self.cache_size:
            victim = next((k for k, e in self._cache.items() if e.users == 0), None)
            if victim is None or victim == net_id:
                break
            del self._cache[victim]
