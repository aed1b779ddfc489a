"""Optimizer race: several optimizers from the same starting weights on one loss surface.

Design goal: a fair comparison you can see. Every racer starts from the current θ with the
same data, batches and seed, differs only in its optimizer, and records every step; the
paths are projected on one plane through the common start (PCA of all paths together by
default) over which the true loss surface is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.errors import SpecError
from engine.history import History
from engine.spec import check_work
from engine.surface import pca_directions, plane_directions, project_path, surface_grid
from engine.trainer import Trainer

#: floats of recorded θ allowed over all racers
RACE_BUDGET = 4_000_000


def race(trainer: Trainer, optimizers: list[dict[str, Any]], steps: int,
         plane: dict[str, Any] | None, span: float, resolution: int) -> dict[str, Any]:
    """Return the surface around the current θ and each optimizer's path on it.

    Args:
        trainer: the network; its current θ is the common start (it is not changed).
        optimizers: optimizer specs, e.g. ``{"name": "adam", "learning_rate": 0.01}``.
        steps: updates per racer.
        plane: a plane request (see ``surface.plane_directions``) or None for the PCA of
            all paths.
    Returns:
        {"alpha", "beta" (res,), "loss" (res, res), "runs": [{"optimizer", "path",
        "losses", "status", "diverged_at_step"}], plane fields}
    """
    P = trainer.layout.n_params
    if len(optimizers) * (steps + 1) * P > RACE_BUDGET:
        raise SpecError("steps", f"racers × (steps + 1) × parameters must stay under "
                        f"{RACE_BUDGET}; lower steps or the number of optimizers", "out_of_range")
    check_work("steps", float(len(optimizers)) * steps * trainer.batch_size
               * trainer.layout.n_weights + float(resolution) ** 2 * trainer.data.n
               * trainer.layout.n_weights, "racers × steps × batch × weights + the surface",
               "use fewer steps, racers or a lower resolution")
    start = trainer.parameters()
    racers = []
    for opt in optimizers:
        spec = {k: v for k, v in trainer.spec.items() if k != "parameters"}
        r = Trainer({**spec, "parameters": start, "optimizer": opt, "early_stopping": None})
        r.history = History(P, capacity=steps + 2)
        r.history.record(0, r.theta, **r.metrics())
        r.step(steps)
        racers.append(r)
    trajectories = []
    for r in racers:
        pts = [p for p in r.history.points if p["step"] < r.t]
        pts.append({"step": r.t, "theta": r.theta, **r.metrics()})
        trajectories.append(pts)
    centre = trainer.theta.copy()
    if plane is None or plane.get("kind") == "pca":
        stacked = np.stack([p["theta"] for pts in trajectories for p in pts])
        d1, d2, ratios = pca_directions(np.vstack([stacked, centre[None]]))
        info: dict[str, Any] = {"d1": d1, "d2": d2, "first_layer": 1, "kind": "pca",
                                "explained_variance": ratios}
    else:
        info = {**plane_directions(trainer, plane), "kind": plane["kind"]}
    grid, loss = surface_grid(trainer, info, span, resolution)
    runs = []
    for opt, r, pts in zip(optimizers, racers, trajectories, strict=True):
        thetas = np.stack([p["theta"] for p in pts])
        runs.append({"optimizer": r.spec["optimizer"], "requested": opt,
                     "path": project_path(thetas, pts, centre, info["d1"], info["d2"]),
                     "status": r.status, "diverged_at_step": r.diverged_at_step})
    return {"alpha": grid, "beta": grid, "loss": loss, "runs": runs, **info}
