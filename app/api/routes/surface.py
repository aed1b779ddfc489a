"""Loss surfaces, the loss along one weight, neuron heatmaps and the optimizer race.

These computations can take a while, so each takes a snapshot of the network under its lock
and computes on the snapshot after releasing it: training never waits for a surface.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from app.api.deps import NetId, Store
from app.api.present import FastJSON, arr, heatmaps_public
from app.schemas import ERRORS, Open, RaceBody, SliceBody, SurfaceBody
from engine import Trainer
from engine.heatmap import neuron_heatmaps
from engine.race import race
from engine.surface import loss_slice, loss_surface

router = APIRouter()
OPEN = {200: {"model": Open}, **ERRORS}


def snapshot(store: Store, net_id: str) -> Trainer:
    """Return a snapshot of the network taken under its lock."""
    with store.use(net_id) as entry:
        return entry.trainer.snapshot()


def plane_public(info: dict[str, Any], plane: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"plane": plane}
    if "explained_variance" in info:
        out["explained_variance"] = info["explained_variance"]
    if "seed" in info:
        out["seed"] = info["seed"]
    return out


@router.post("/{net_id}/loss-surface", response_class=FastJSON, responses=OPEN)
def read_loss_surface(net_id: NetId, body: SurfaceBody, store: Store) -> FastJSON:
    """Full-batch loss on a plane through θ, loss[i][j] at θ + α[j]·d1 + β[i]·d2, and the
    recorded path projected on it."""
    tr = snapshot(store, net_id)
    plane = body.plane.model_dump()
    res = loss_surface(tr, plane, body.span, body.resolution)
    return FastJSON({"alpha": arr(res["alpha"]), "beta": arr(res["beta"]),
                     "loss": arr(res["loss"]), "path": res["path"], "step": tr.t,
                     "current_loss": tr.metrics()["loss"], **plane_public(res, plane)})


@router.post("/{net_id}/loss-slice", response_class=FastJSON, responses=OPEN)
def read_loss_slice(net_id: NetId, body: SliceBody, store: Store) -> FastJSON:
    """The loss along one parameter w (others fixed), its slope ∂C/∂w and the next step."""
    tr = snapshot(store, net_id)
    param = body.param.model_dump()
    res = loss_slice(tr, param, body.span, body.resolution)
    return FastJSON({"param": param, "values": arr(res["values"]), "loss": arr(res["loss"]),
                     "current_loss": tr.metrics()["loss"], "step": tr.t,
                     **{k: res[k] for k in ("value", "slope", "learning_rate", "next_value")},
                     "note": "slope is dC/dw at the current value; the next SGD step moves w "
                             "by -learning_rate * slope (the full step also moves the other "
                             "parameters)"})


@router.get("/{net_id}/heatmaps", response_class=FastJSON, responses=OPEN)
def read_heatmaps(net_id: NetId, store: Store,
                  resolution: Annotated[int, Query(ge=2, le=201, examples=[50])] = 50,
                  encoding: Annotated[Literal["uint8", "float"], Query()] = "uint8") -> FastJSON:
    """Every neuron's output over the input plane, in one batched forward pass.

    uint8 encoding: per neuron, base64 of res×res bytes (row i = y index, column j = x index);
    value = lo + byte/255·(hi − lo).
    """
    tr = snapshot(store, net_id)
    res = neuron_heatmaps(tr, resolution)
    out = heatmaps_public(res, tr.spec["activations"], encoding)
    return FastJSON({**out, "resolution": resolution, "step": tr.t})


@router.post("/{net_id}/race", response_class=FastJSON, responses=OPEN)
def run_race(net_id: NetId, body: RaceBody, store: Store) -> FastJSON:
    """Run several optimizers from the current weights; their paths on one loss surface."""
    tr = snapshot(store, net_id)
    opts = [o.model_dump(exclude_none=True) for o in body.optimizers]
    plane = None if body.plane is None else body.plane.model_dump()
    res = race(tr, opts, body.steps, plane, body.span, body.resolution)
    return FastJSON({"alpha": arr(res["alpha"]), "beta": arr(res["beta"]),
                     "loss": arr(res["loss"]), "runs": res["runs"], "kind": res["kind"],
                     **plane_public(res, plane or {"kind": "pca"})})
