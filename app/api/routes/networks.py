"""Network sessions: create, read, change, reset, delete, export and import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from app.api.deps import Locked, NetId, Store
from app.api.present import FastJSON, arr, network_public
from app.schemas import (
    ERRORS,
    DataBody,
    HyperParameters,
    NetworkCreate,
    NetworkPublic,
    Open,
    ParametersBody,
)
from engine import Trainer

router = APIRouter()
OK = {200: {"model": NetworkPublic}, **ERRORS}


def _spec(body: NetworkCreate) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude_none=True)


@router.post("", status_code=201, response_class=FastJSON,
             responses={201: {"model": NetworkPublic}, **ERRORS})
def create_network(body: NetworkCreate, store: Store) -> FastJSON:
    """Create a network and return it with its id."""
    trainer = Trainer(_spec(body))
    net_id = store.create(trainer)
    return FastJSON(network_public(net_id, trainer), status_code=201)


@router.post("/import", status_code=201, response_class=FastJSON,
             responses={201: {"model": NetworkPublic}, **ERRORS})
def import_network(store: Store, doc: dict[str, Any] = Body(  # noqa: B008
        ..., examples=[{"format": "backprop-explorer/1", "spec": {"...": "from export"}}])
        ) -> FastJSON:
    """Create a network from a document made by export (spec, parameters, state, history)."""
    trainer = Trainer.from_dict(doc)
    net_id = store.create(trainer)
    return FastJSON(network_public(net_id, trainer), status_code=201)


@router.get("/{net_id}", response_class=FastJSON, responses=OK)
def read_network(net_id: NetId, entry: Locked) -> FastJSON:
    """Return the network's spec, step, losses, status and parameters."""
    return FastJSON(network_public(net_id, entry.trainer))


@router.patch("/{net_id}", response_class=FastJSON, responses=OK)
def update_network(net_id: NetId, body: HyperParameters, entry: Locked, store: Store
                   ) -> FastJSON:
    """Change hyper-parameters, keeping the weights (a new init re-initializes)."""
    patch = body.model_dump(exclude_unset=True)
    patch = {k: v for k, v in patch.items() if v is not None or k == "batch_size"}
    if isinstance(patch.get("optimizer"), dict):
        patch["optimizer"] = {k: v for k, v in patch["optimizer"].items() if v is not None}
    entry.trainer.update_hyper(patch)
    if "init" in patch:
        store.replace_points(net_id, entry)
    store.save(net_id, entry, spec_changed=True)
    return FastJSON(network_public(net_id, entry.trainer))


@router.put("/{net_id}/parameters", response_class=FastJSON, responses=OK)
def replace_parameters(net_id: NetId, body: ParametersBody, entry: Locked, store: Store
                       ) -> FastJSON:
    """Replace every weight and bias (W as (n_out, n_in)); the step count stays."""
    entry.trainer.set_parameters([p.model_dump() for p in body.parameters])
    store.save(net_id, entry)
    return FastJSON(network_public(net_id, entry.trainer))


@router.get("/{net_id}/data", response_class=FastJSON,
            responses={200: {"model": Open}, **ERRORS})
def read_data(net_id: NetId, entry: Locked) -> FastJSON:
    """Return the training and validation data: X (m, n0), Y (m, nL)."""
    d = entry.trainer.data
    return FastJSON({"X": arr(d.X), "Y": arr(d.Y), "X_val": arr(d.X_val), "Y_val": arr(d.Y_val),
                     "kind": d.kind, "classes": d.classes, "bounds": d.bounds(),
                     "threshold": d.threshold})


@router.put("/{net_id}/data", response_class=FastJSON, responses=OK)
def replace_data(net_id: NetId, body: DataBody, entry: Locked, store: Store) -> FastJSON:
    """Replace the data set (e.g. points added by clicking); the weights stay."""
    entry.trainer.set_data(body.model_dump(exclude_none=True))
    store.replace_points(net_id, entry)
    store.save(net_id, entry, spec_changed=True)
    return FastJSON(network_public(net_id, entry.trainer))


@router.post("/{net_id}/reset", response_class=FastJSON, responses=OK)
def reset_network(net_id: NetId, entry: Locked, store: Store) -> FastJSON:
    """Go back to the initial weights at step 0, so the same run can be replayed."""
    entry.trainer.reset()
    store.replace_points(net_id, entry)
    store.save(net_id, entry)
    return FastJSON(network_public(net_id, entry.trainer))


@router.delete("/{net_id}", status_code=204, responses={204: {"description": "Deleted"},
                                                        **ERRORS})
def delete_network(net_id: NetId, store: Store) -> Response:
    """Delete the network."""
    store.delete(net_id)
    return Response(status_code=204)


@router.get("/{net_id}/export", response_class=FastJSON,
            responses={200: {"model": Open}, **ERRORS})
def export_network(net_id: NetId, entry: Locked) -> FastJSON:
    """Return a self-contained document (spec, parameters, optimizer state, history)."""
    return FastJSON(entry.trainer.to_dict())
