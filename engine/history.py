"""A bounded record of training: per recorded step the losses, accuracies and parameters θ.

Design goal: constant memory however long a net trains, with no work on most steps. Steps
are recorded when ``step % stride == 0``; once ``capacity`` points are held, every other
point is dropped and the stride doubles, so the record always spans the whole run at an even
spacing. Step 0 (the initial parameters) is always kept. The loss-surface path and the
loss curves are drawn from this record.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: floats of θ kept in the trajectory at most (memory bound per network)
THETA_BUDGET = 1_000_000
MAX_POINTS = 1000
MIN_POINTS = 50


class History:
    """Recorded points of one training run.

    Args:
        n_params: P, the length of θ.
        capacity: points kept at most (default: chosen from ``THETA_BUDGET`` and P).
    """

    def __init__(self, n_params: int, capacity: int | None = None) -> None:
        if capacity is None:
            capacity = max(MIN_POINTS, min(MAX_POINTS, THETA_BUDGET // max(n_params, 1)))
        self.capacity = int(capacity)
        self.stride = 1
        self.points: list[dict[str, Any]] = []

    def due(self, step: int) -> bool:
        """Return whether ``step`` is to be recorded."""
        return step % self.stride == 0 and (not self.points or self.points[-1]["step"] < step)

    def record(self, step: int, theta: np.ndarray, loss: float, **metrics: float | None) -> None:
        """Record a point; θ (P,) is copied. ``metrics``: validation_loss, accuracy, ..."""
        self.points.append({"step": int(step), "theta": theta.copy(), "loss": float(loss),
                            **metrics})
        if len(self.points) > self.capacity:
            self.stride *= 2
            self.points = [p for p in self.points if p["step"] % self.stride == 0]

    def truncate_after(self, step: int) -> None:
        """Drop points recorded after ``step`` (used when a diverged step is rolled back)."""
        self.points = [p for p in self.points if p["step"] <= step]

    def thetas(self) -> np.ndarray:
        """Return the recorded parameters, shape (T, P)."""
        return np.stack([p["theta"] for p in self.points]) if self.points else np.zeros((0, 0))

    def series(self, key: str) -> list[Any]:
        """Return one field of every point, e.g. ``series("loss")``."""
        return [p.get(key) for p in self.points]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; ``from_dict`` restores it exactly."""
        return {"capacity": self.capacity, "stride": self.stride,
                "points": [{**p, "theta": p["theta"].tolist()} for p in self.points]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], n_params: int) -> History:
        hist = cls(n_params, data["capacity"])
        hist.stride = int(data["stride"])
        hist.points = [{**p, "theta": np.asarray(p["theta"], dtype=np.float64)}
                       for p in data["points"]]
        return hist
