"""Gradient check: backpropagation against central finite differences, per layer.

Design goal: the explorer checks its own gradients. For every parameter θᵢ the numeric
derivative (C(θ + h eᵢ) − C(θ − h eᵢ)) / 2h is computed on the full training set without
dropout (the same cost ``Trainer.backward`` differentiates), batched over parameters with
the forward pass shared up to each layer, and compared with backprop's ∂C/∂θᵢ by the relative
error ‖g_num − g_bp‖ / (‖g_num‖ + ‖g_bp‖).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.spec import check_work
from engine.surface import batched_costs

if TYPE_CHECKING:
    from engine.trainer import Trainer

H = 1e-5


def relative_error(numeric: np.ndarray, backprop: np.ndarray) -> float:
    """Return ‖n − b‖ / (‖n‖ + ‖b‖), 0 when both are 0."""
    denom = float(np.linalg.norm(numeric) + np.linalg.norm(backprop))
    return 0.0 if denom == 0.0 else float(np.linalg.norm(numeric - backprop) / denom)


def numeric_gradient(trainer: Trainer, h: float = H) -> np.ndarray:
    """Return the central-difference gradient of the training cost, shape (P,)."""
    layout = trainer.layout
    base = trainer.theta.copy()
    grad = np.empty(layout.n_params)
    for layer in range(1, layout.L + 1):
        idx = np.flatnonzero(layout.layer_mask(layer))
        signs = np.tile([h, -h], len(idx))
        cols = np.repeat(idx, 2)

        def make(s: int, e: int, cols: np.ndarray = cols, signs: np.ndarray = signs
                 ) -> np.ndarray:
            T = np.repeat(base[None, :], e - s, axis=0)
            T[np.arange(e - s), cols[s:e]] += signs[s:e]
            return T

        costs = batched_costs(trainer, make, 2 * len(idx), first_layer=layer)
        grad[idx] = (costs[0::2] - costs[1::2]) / (2.0 * h)
    return grad


def gradient_check(trainer: Trainer, h: float = H) -> dict[str, Any]:
    """Return per-layer numeric and backprop gradients with their relative errors.

    Returns:
        {"h", "layers": [{"index", "numeric_W" (nˡ, nˡ⁻¹), "backprop_W", "numeric_b" (nˡ,),
        "backprop_b", "relative_error_W", "relative_error_b", "relative_error"}], "relative_error"}
    """
    layout = trainer.layout
    check_work("network", 2.0 * layout.n_params * trainer.data.n * layout.n_weights,
               "2 × parameters × samples × weights", "check a smaller net or fewer samples")
    numeric = numeric_gradient(trainer, h)
    bp = trainer.backward()["grad"]
    nW, nb = trainer.layout.views(numeric)
    bW, bb = trainer.layout.views(bp)
    layers = []
    for l in range(trainer.layout.L):
        layers.append({
            "index": l + 1, "numeric_W": nW[l], "backprop_W": bW[l], "numeric_b": nb[l],
            "backprop_b": bb[l], "relative_error_W": relative_error(nW[l], bW[l]),
            "relative_error_b": relative_error(nb[l], bb[l]),
            "relative_error": relative_error(np.concatenate([nW[l].ravel(), nb[l]]),
                                             np.concatenate([bW[l].ravel(), bb[l]])),
        })
    return {"h": h, "layers": layers, "relative_error": relative_error(numeric, bp)}
