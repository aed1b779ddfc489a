"""Dependencies: the store, and a network looked up (else 404) and locked for the handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request

from app.store import Entry, NetworkStore

NetId = Annotated[str, Path(description="The network's id (32 hex digits)",
                            examples=["3f2a9c0d4b1e4f6a8c7d5e2b1a0f9e8d"])]


def get_store(request: Request) -> NetworkStore:
    """Return the application's network store."""
    return request.app.state.store


Store = Annotated[NetworkStore, Depends(get_store)]


def locked_entry(net_id: NetId, store: Store) -> Iterator[Entry]:
    """Yield the network's entry with its lock held for the handler (404 if unknown)."""
    with store.use(net_id) as entry:
        yield entry


Locked = Annotated[Entry, Depends(locked_entry, scope="function")]
