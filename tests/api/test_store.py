"""The store's bounds: idle expiry, the cap on networks (LRU eviction), the memory cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import engine
from app.core.errors import ApiError
from app.store import NetworkStore
from tests.api.conftest import XOR_SPEC


def _trainer() -> engine.Trainer:
    return engine.create(XOR_SPEC)


def test_idle_networks_expire(tmp_path: Path) -> None:
    store = NetworkStore(tmp_path / "s.db", idle_expiry=0.2, max_networks=100, cache_size=10)
    old = store.create(_trainer())
    time.sleep(0.3)
    fresh = store.create(_trainer())  # creating purges what has been idle too long
    with pytest.raises(ApiError) as err:
        with store.use(old):
            pass
    assert err.value.status == 404
    with store.use(fresh) as entry:
        assert entry.trainer.t == 0
    store.close()


def test_cap_evicts_least_recently_used(tmp_path: Path) -> None:
    store = NetworkStore(tmp_path / "s.db", idle_expiry=3600, max_networks=3, cache_size=10)
    ids = []
    for _ in range(3):
        ids.append(store.create(_trainer()))
        time.sleep(0.01)
    # touch the oldest so that the second becomes the least recently used
    with store.use(ids[0]) as entry:
        entry.trainer.step(2)
        store.save(ids[0], entry)
    newest = store.create(_trainer())
    count = store._db.execute("SELECT COUNT(*) FROM networks").fetchone()[0]
    assert count == 3
    with pytest.raises(ApiError):
        with store.use(ids[1]):
            pass
    for nid in (ids[0], ids[2], newest):
        with store.use(nid):
            pass
    store.close()


def test_cache_is_bounded_and_reloads_from_disk(tmp_path: Path) -> None:
    store = NetworkStore(tmp_path / "s.db", idle_expiry=3600, max_networks=100, cache_size=2)
    ids = [store.create(_trainer()) for _ in range(4)]
    with store.use(ids[0]) as entry:
        entry.trainer.step(5)
        store.save(ids[0], entry)
        theta = entry.trainer.theta.copy()
    for nid in ids[1:]:
        with store.use(nid):
            pass
    assert len(store._cache) == 2 and ids[0] not in store._cache
    with store.use(ids[0]) as entry:  # reloaded from SQLite, bit for bit
        assert entry.trainer.t == 5
        assert (entry.trainer.theta == theta).all()
        assert [p["step"] for p in entry.trainer.history.points] == [0, 1, 2, 3, 4]
    store.close()
