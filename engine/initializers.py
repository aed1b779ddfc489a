"""Initial parameters: seeded schemes, and explicit parameters checked and flattened.

Design goal: the same scheme and seed give bit-identical parameters, and explicit arrays are
checked (shape (n_out, n_in) for W, (n_out,) for b, finite numbers) with errors that name the
layer and the field.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.errors import SpecError
from engine.network import Layout


def initialize(layout: Layout, init: dict[str, Any]) -> np.ndarray:
    """Return θ (P,) drawn by ``init["scheme"]`` from a generator seeded with ``init["seed"]``.

    Schemes (n_in, n_out of each layer): ``xavier`` U(±√(6/(n_in+n_out))), ``xavier_normal``
    N(0, 2/(n_in+n_out)), ``he`` N(0, 2/n_in), ``normal`` N(0, scale²) for weights and biases
    (Nielsen's ``network.py`` with scale 1), ``zeros`` (every unit starts identical: the
    symmetry problem). Biases start at 0 except for ``normal``.
    """
    theta = np.zeros(layout.n_params)
    scheme = init["scheme"]
    if scheme == "zeros":
        return theta
    rng = np.random.default_rng(init["seed"])
    Ws, bs = layout.views(theta)
    for W, b in zip(Ws, bs, strict=True):
        n_out, n_in = W.shape
        if scheme == "xavier":
            limit = math.sqrt(6.0 / (n_in + n_out))
            W[...] = rng.uniform(-limit, limit, W.shape)
        elif scheme == "xavier_normal":
            W[...] = rng.normal(0.0, math.sqrt(2.0 / (n_in + n_out)), W.shape)
        elif scheme == "he":
            W[...] = rng.normal(0.0, math.sqrt(2.0 / n_in), W.shape)
        else:  # normal
            W[...] = rng.normal(0.0, init["scale"], W.shape)
            b[...] = rng.normal(0.0, init["scale"], b.shape)
    return theta


def check_array(value: Any, shape: tuple[int, ...], field: str) -> np.ndarray:
    """Return ``value`` as a finite float64 array of ``shape`` or raise SpecError."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(field, f"must be a rectangular array of numbers of shape {shape}",
                        "type") from None
    if _has_bool_or_str(value):
        raise SpecError(field, "must contain numbers only", "type")
    if arr.shape != shape:
        raise SpecError(field, f"has shape {arr.shape} but must have shape {shape} "
                        + ("(W is (n_out, n_in), b is (n_out,))" if len(shape) == 2 else ""),
                        "shape")
    if not np.isfinite(arr).all():
        raise SpecError(field, "contains a value that is not a finite number", "not_finite")
    return arr


def _has_bool_or_str(value: Any) -> bool:
    if isinstance(value, bool | str):
        return True
    if isinstance(value, list | tuple):
        return any(_has_bool_or_str(v) for v in value)
    return False


def parameters_to_theta(layout: Layout, params: Any, field: str = "parameters") -> np.ndarray:
    """Return θ (P,) from ``[{"W": (n_out, n_in), "b": (n_out,)}, …]``, one entry per layer."""
    if not isinstance(params, list) or len(params) != layout.L:
        raise SpecError(field, f"must be a list of {layout.L} layers, each {{W, b}}", "shape")
    theta = np.empty(layout.n_params)
    Ws, bs = layout.views(theta)
    for l, entry in enumerate(params):
        if not isinstance(entry, dict) or set(entry) - {"W", "b"} or "W" not in entry:
            raise SpecError(f"{field}[{l}]", "must be an object with W and b", "type")
        Ws[l][...] = check_array(entry["W"], Ws[l].shape, f"{field}[{l}].W")
        bs[l][...] = check_array(entry.get("b", [0.0] * bs[l].size), bs[l].shape, f"{field}[{l}].b")
    return theta


def theta_to_parameters(layout: Layout, theta: np.ndarray) -> list[dict[str, Any]]:
    """Return θ (P,) as JSON-safe ``[{"W": [[...]], "b": [...]}, …]``."""
    Ws, bs = layout.views(theta)
    return [{"W": W.tolist(), "b": b.tolist()} for W, b in zip(Ws, bs, strict=True)]
