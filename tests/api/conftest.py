"""API test fixtures: a TestClient on a fresh SQLite database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import settings
from app.main import app

XOR_SPEC: dict[str, Any] = {
    "layers": [2, 4, 1], "activations": ["tanh", "sigmoid"], "loss": "cross_entropy",
    "init": {"scheme": "xavier", "seed": 0},
    "dataset": {"name": "xor", "samples": 100, "noise": 0.1, "seed": 1,
                "validation_fraction": 0.2},
    "optimizer": {"name": "sgd", "learning_rate": 0.5},
}
# Matt Mazur's worked example, reduced to one output: sigmoid everywhere, quadratic loss.
TINY_SPEC: dict[str, Any] = {
    "layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "quadratic",
    "parameters": [{"W": [[0.15, 0.2], [0.25, 0.3]], "b": [0.35, 0.35]},
                   {"W": [[0.4, 0.45]], "b": [0.6]}],
    "data": {"X": [[0.05, 0.1]], "Y": [[0.01]]},
    "optimizer": {"name": "sgd", "learning_rate": 0.5},
}


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "api.db"
    monkeypatch.setattr(settings, "db_path", path)
    return path


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def net_id(client: TestClient) -> str:
    r = client.post("/api/networks", json=XOR_SPEC)
    assert r.status_code == 201, r.text
    return r.json()["id"]
