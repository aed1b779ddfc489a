"""Turn engine results into JSON-ready dicts (the boundary where arrays become lists).

Design goal: one place decides how every array leaves the server: float64, C order, the
(m, n) / (n_out, n_in) convention, and non-finite values as null (orjson writes NaN and
±Infinity as null, so no response can contain them).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import orjson
from starlette.responses import JSONResponse

from engine import Trainer
from engine.activations import ACTIVATIONS


class FastJSON(JSONResponse):
    """JSON via orjson: NumPy arrays serialised natively, NaN/±Infinity written as null."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY
                            | orjson.OPT_NON_STR_KEYS)


def arr(x: np.ndarray) -> np.ndarray:
    """Return x as a C-contiguous float64 array (what orjson serialises)."""
    return np.ascontiguousarray(x, dtype=np.float64)


def shape_label(name: str, layer: int, a: np.ndarray) -> str:
    """Return a label like ``W² (2×3)`` as the inspector shows it."""
    sup = str(layer).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{name}{sup} ({'×'.join(str(n) for n in a.shape)})"


def network_public(net_id: str, trainer: Trainer) -> dict[str, Any]:
    """Return the GET /api/networks/{id} document."""
    d = trainer.data
    return {
        "id": net_id, "spec": trainer.spec, **trainer.summary(),
        "steps_per_epoch": trainer.steps_per_epoch, "batch_size": trainer.batch_size,
        "data_info": {"kind": d.kind, "classes": d.classes, "n_train": d.n,
                      "n_validation": int(d.X_val.shape[0]), "bounds": d.bounds(),
                      "threshold": d.threshold},
        "layers": parameter_layers(trainer),
        "convention": "W is (n_out, n_in), b is (n_out,); batches are (m, n), one row per "
                      "sample: Z = A W^T + b",
    }


def parameter_layers(trainer: Trainer, theta: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Return ``[{"index", "activation", "W", "b"}]`` for θ (default: the current θ)."""
    Ws, bs = trainer.layout.views(trainer.theta if theta is None else theta)
    names = trainer.spec["activations"]
    return [{"index": l + 1, "activation": names[l], "W": arr(W), "b": arr(b)}
            for l, (W, b) in enumerate(zip(Ws, bs, strict=True))]


def history_public(trainer: Trainer, since: int = -1) -> dict[str, list[Any]]:
    """Return the recorded loss history (steps after ``since``, ending with the current
    step) as parallel lists."""
    pts = [p for p in trainer.history.points if since < p["step"] < trainer.t]
    if trainer.t > since:
        pts.append({"step": trainer.t, **trainer.summary()})
    keys = ("step", "loss", "validation_loss", "accuracy", "validation_accuracy")
    return {k: [p.get(k) for p in pts] for k in keys}


def quantize(values: np.ndarray, lo: float, hi: float) -> str:
    """Return values mapped linearly from [lo, hi] to 0..255, as base64 of uint8 bytes."""
    span = hi - lo if hi > lo else 1.0
    q = np.clip(np.rint((values - lo) * (255.0 / span)), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def heatmaps_public(result: dict[str, Any], activations: list[str], encoding: str
                    ) -> dict[str, Any]:
    """Return heatmaps per layer and neuron, quantised to uint8 (documented) or as floats."""
    layers = []
    for l, maps in enumerate(result["layers"]):
        rng = ACTIVATIONS[activations[l - 1]].range if l else (-np.inf, np.inf)
        neurons = []
        for m in maps:
            lo, hi = rng
            if not (np.isfinite(lo) and np.isfinite(hi)):
                finite = m[np.isfinite(m)]
                lo = float(finite.min()) if finite.size else 0.0
                hi = float(finite.max()) if finite.size else 1.0
            entry: dict[str, Any] = {"lo": float(lo), "hi": float(hi)}
            entry["data"] = quantize(m, lo, hi) if encoding == "uint8" else arr(m)
            neurons.append(entry)
        layers.append({"index": l, "neurons": neurons})
    pred = result["prediction"]
    return {
        "bounds": result["bounds"], "axes": [arr(a) for a in result["axes"]],
        "encoding": encoding, "layers": layers,
        "prediction": None if pred is None else base64.b64encode(
            pred.astype(np.uint8).tobytes()).decode("ascii"),
    }
