"""Assemble the training and validation arrays a network trains on, from a canonical spec.

Design goal: one place turns ``data`` (user arrays) or ``dataset`` (a seeded generator) into
X (m, n0), Y (m, nL) and their validation parts, with targets encoded for the output layer,
so the trainer never needs to know where the data came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import datasets
from engine.errors import SpecError
from engine.spec import check_number


@dataclass
class TrainingData:
    """Arrays and facts about them.

    X: training inputs (n, n0); Y: training targets (n, nL); X_val, Y_val: validation
    (n_val, n0), (n_val, nL), possibly empty. ``kind`` is "classification" or "regression";
    ``classes`` the number of classes (None for regression).
    """

    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    kind: str
    classes: int | None
    #: a single-output classifier predicts class 1 where a > threshold
    threshold: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    def bounds(self) -> list[list[float]]:
        """Return per input feature [lo, hi] covering all points with a 10 % margin."""
        allx = np.vstack([self.X, self.X_val]) if self.X_val.size else self.X
        lo, hi = allx.min(axis=0), allx.max(axis=0)
        pad = np.maximum(0.1 * (hi - lo), 1e-3)
        return [[float(a), float(b)] for a, b in zip(lo - pad, hi + pad, strict=True)]


def _looks_like_classes(Y: np.ndarray, loss: str) -> tuple[int | None, float]:
    """Return (class count, decision threshold) if Y holds class labels, else (None, 0.5).

    Labels are one-hot rows or a single column of 0/1 (threshold 0.5) or −1/+1 (threshold 0).
    """
    if loss == "log_likelihood":
        return int(Y.shape[1]), 0.5
    values = set(np.unique(Y).tolist())
    for labels, threshold in (({0.0, 1.0}, 0.5), ({-1.0, 1.0}, 0.0)):
        if values <= labels:
            return (2 if Y.shape[1] == 1 else int(Y.shape[1])), threshold
    return None, 0.5


def build_data(spec: dict[str, Any]) -> TrainingData:
    """Return the TrainingData for a canonical spec (``data`` or ``dataset``)."""
    n_in, n_out = spec["layers"][0], spec["layers"][-1]
    output, loss = spec["activations"][-1], spec["loss"]
    if "data" in spec:
        return _user_data(spec["data"], n_in, n_out, loss)
    ds = spec["dataset"]
    name = ds["name"]
    if name not in datasets.DATASETS:
        raise SpecError("dataset.name", f"must be one of {', '.join(datasets.DATASETS)}; "
                        f"got {name!r}", "invalid_choice")
    meta = datasets.DATASETS[name]
    if meta["inputs"] != n_in:
        raise SpecError("layers[0]", f"the {name} data set has {meta['inputs']} inputs, "
                        f"so layers[0] must be {meta['inputs']}", "mismatch")
    X, raw = datasets.make_dataset(name, ds["samples"], ds["noise"], ds["seed"])
    if meta["kind"] == "classification":
        Y = datasets.encode_targets(raw, n_out, output, meta["classes"])
    else:
        if n_out != 1:
            raise SpecError("layers", f"the {name} data set has one target, so the output "
                            "layer must have 1 neuron", "mismatch")
        if loss != "quadratic":
            raise SpecError("loss", f"the {name} data set is a regression; use the "
                            "quadratic loss", "mismatch")
        Y = raw
    X, Y, Xv, Yv = datasets.split_validation(X, Y, ds["validation_fraction"], ds["seed"])
    threshold = 0.0 if output == "tanh" else 0.5
    return TrainingData(X, Y, Xv, Yv, meta["kind"], meta["classes"], threshold, {"dataset": name})


def _user_data(data: dict[str, Any], n_in: int, n_out: int, loss: str) -> TrainingData:
    if "X" not in data or "Y" not in data:
        raise SpecError("data", "needs both X and Y", "missing")
    X, Y = datasets.validate_user_data(data["X"], data["Y"], n_in, n_out, loss, "data")
    fraction = data.get("validation_fraction", 0.0)
    if "X_val" in data or "Y_val" in data:
        if "X_val" not in data or "Y_val" not in data:
            raise SpecError("data", "X_val and Y_val go together", "missing")
        Xv, Yv = datasets.validate_user_data(data["X_val"], data["Y_val"], n_in, n_out, loss,
                                             "data")
    elif fraction:
        check_number(fraction, "data.validation_fraction", 0, 0.9)
        seed = check_number(data.get("seed", 0), "data.seed", 0, 2**32 - 1, integer=True)
        X, Y, Xv, Yv = datasets.split_validation(X, Y, fraction, seed)
    else:
        Xv, Yv = np.zeros((0, n_in)), np.zeros((0, n_out))
    classes, threshold = _looks_like_classes(np.vstack([Y, Yv]), loss)
    kind = "classification" if classes else "regression"
    return TrainingData(X, Y, Xv, Yv, kind, classes, threshold, {"dataset": None})
