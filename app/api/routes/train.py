"""Forward, backward and update steps; per-layer arrays; the gradient check; the
stateless backprop calculator."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.api.deps import Locked, NetId, Store
from app.api.present import FastJSON, arr, history_public, parameter_layers, shape_label
from app.core.errors import ApiError
from app.schemas import ERRORS, ComputeRequest, InputsBody, Open, StepBody, TargetsBody
from engine import Trainer
from engine.activations import ACTIVATIONS
from engine.datasets import validate_inputs, validate_user_data
from engine.gradcheck import gradient_check

router = APIRouter()
OPEN = {200: {"model": Open}, **ERRORS}


def forward_layers(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"index", "z", "a"}]`` (each (m, nˡ)) from ``Trainer.forward``."""
    return [{"index": l + 1, "z": arr(z), "a": arr(a)}
            for l, (z, a) in enumerate(zip(result["zs"], result["activations"][1:],
                                           strict=True))]


def backward_layers(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Return ``[{"index", "delta", "grad_W", "grad_b"}]`` from ``Trainer.backward``."""
    return [{"index": l + 1, "delta": arr(d), "grad_W": arr(gW), "grad_b": arr(gb)}
            for l, (d, gW, gb) in enumerate(zip(result["deltas"], result["nabla_W"],
                                                result["nabla_b"], strict=True))]


@router.post("/{net_id}/forward", response_class=FastJSON, responses=OPEN)
def forward(net_id: NetId, entry: Locked, body: InputsBody | None = None) -> FastJSON:
    """Forward pass: per layer z and a, (m, n) one row per sample (default: training set)."""
    tr = entry.trainer
    X = None if body is None or body.X is None else validate_inputs(body.X, tr.layout.sizes[0])
    res = tr.forward(X)
    return FastJSON({"loss": res["loss"], "input": arr(res["activations"][0]),
                     "layers": forward_layers(res)})


@router.post("/{net_id}/backward", response_class=FastJSON, responses=OPEN)
def backward(net_id: NetId, entry: Locked, body: TargetsBody | None = None) -> FastJSON:
    """Backward pass: per-sample δ (m, n) and batch-mean ∂C/∂W, ∂C/∂b incl. regularization."""
    tr = entry.trainer
    X = Y = None
    if body is not None and (body.X is not None or body.Y is not None):
        X, Y = validate_user_data(body.X, body.Y, tr.layout.sizes[0], tr.layout.sizes[-1],
                                  tr.spec["loss"], "body")
    res = tr.backward(X, Y)
    layers = [{**f, **b} for f, b in zip(forward_layers(res), backward_layers(res), strict=True)]
    return FastJSON({"loss": res["loss"], "layers": layers})


@router.post("/{net_id}/step", response_class=FastJSON, responses=OPEN)
def step(net_id: NetId, entry: Locked, store: Store, body: StepBody | None = None) -> FastJSON:
    """Train k steps; for one step also W, b before and the gradient used."""
    tr = entry.trainer
    k = 1 if body is None else body.steps
    start = tr.t
    res = tr.step(k)
    store.save(net_id, entry)
    out: dict[str, Any] = {k2: v for k2, v in res.items() if k2 != "step_losses"}
    out["steps_done"] = tr.t - start
    layers = parameter_layers(tr)
    upd = tr.last_update
    if k == 1 and upd is not None:
        out["learning_rate_used"] = upd["eta"]
        Wb, bb = tr.layout.views(upd["theta_before"])
        gW, gb = tr.layout.views(upd["grad"])
        for l, layer in enumerate(layers):
            layer.update({"W_before": arr(Wb[l]), "b_before": arr(bb[l]),
                          "grad_W": arr(gW[l]), "grad_b": arr(gb[l])})
        out["loss_before"] = res["step_losses"][0] if tr.full_batch else None
    else:
        out["history"] = history_public(tr, since=start)
        out["step_losses"] = res["step_losses"]
    out["layers"] = layers
    return FastJSON(out)


@router.get("/{net_id}/layers/{index}", response_class=FastJSON, responses=OPEN)
def read_layer(net_id: NetId, entry: Locked,
               index: Annotated[int, Path(ge=1, le=10, examples=[1])]) -> FastJSON:
    """Everything known for layer l (training set): W, b, z, a, delta, grad_W, grad_b."""
    tr = entry.trainer
    if index > tr.layout.L:
        raise ApiError(404, "not_found", f"layer {index} does not exist; this network has "
                       f"layers 1 to {tr.layout.L}", "index")
    res = tr.backward()
    l = index - 1
    arrays = {"W": tr.net.W[l], "b": tr.net.b[l], "z": res["zs"][l],
              "a": res["activations"][index], "a_prev": res["activations"][l],
              "delta": res["deltas"][l], "grad_W": res["nabla_W"][l],
              "grad_b": res["nabla_b"][l]}
    out: dict[str, Any] = {"index": index, "activation": tr.spec["activations"][l],
                           "loss": res["loss"]}
    for name, a in arrays.items():
        out[name] = arr(a)
    out["shapes"] = {name: list(a.shape) for name, a in arrays.items()}
    out["labels"] = {name: shape_label(name, index, a) for name, a in arrays.items()}
    # For the equation panel (BP1/BP2 with numbers): σ'(zˡ) (m, nˡ), null for softmax (a
    # Jacobian, not elementwise); the targets y (m, nᴸ) at the output layer, else null.
    act = ACTIVATIONS[tr.spec["activations"][l]]
    out["sigma_prime"] = arr(act.prime(res["zs"][l], res["activations"][index])) \
        if act.elementwise else None
    out["y"] = arr(tr.data.Y) if index == tr.layout.L else None
    masks = tr.last_masks
    out["dropout_mask"] = None if not masks or masks[l] is None else arr(masks[l])
    return FastJSON(out)


@router.post("/{net_id}/gradient-check", response_class=FastJSON, responses=OPEN)
def check_gradients(net_id: NetId, entry: Locked) -> FastJSON:
    """Compare backprop with central finite differences, per layer."""
    res = gradient_check(entry.trainer)
    layers = [{k: arr(v) if hasattr(v, "shape") else v for k, v in layer.items()}
              for layer in res["layers"]]
    return FastJSON({"h": res["h"], "relative_error": res["relative_error"],
                     "passed": res["relative_error"] < 1e-6, "layers": layers})


compute_router = APIRouter()


@compute_router.post("/compute", response_class=FastJSON, responses=OPEN)
def compute(body: ComputeRequest) -> FastJSON:
    """Stateless backprop calculator: forward + backward (+ one update), nothing stored."""
    spec = body.model_dump(exclude_unset=True, exclude_none=True)
    update = spec.pop("update", False)
    tr = Trainer(spec)
    res = tr.backward()
    layers = [{**f, **b} for f, b in zip(forward_layers(res), backward_layers(res), strict=True)]
    for layer, p in zip(layers, parameter_layers(tr), strict=True):
        layer.update(W=p["W"], b=p["b"], activation=p["activation"])
    out: dict[str, Any] = {"loss": res["loss"], "input": arr(tr.data.X), "target": arr(tr.data.Y),
                           "layers": layers, "spec": tr.spec}
    if update:
        after = tr.step(1)
        upd = tr.last_update
        out["update"] = {"learning_rate": None if upd is None else upd["eta"],
                         "loss_after": after["loss"], "status": after["status"],
                         "layers": parameter_layers(tr)}
    return FastJSON(out)
