"""Built-in data sets, target encoding, validation splits and checks of user-supplied data.

Design goal: small, reproducible data sets whose inputs are O(1) (2-D inputs lie roughly in
[-1, 1]²), so training behaves the same for the same arguments — bit for bit — and every bad
caller input is reported as a :class:`SpecError` naming the field and the limit.

``noise`` is a fraction (0..1) of the data's scale, like TensorFlow Playground's noise slider
(Playground's 50 % equals 0.5 here). All randomness comes from ``np.random.default_rng(seed)``.
"""

from __future__ import annotations

import copy
import csv
import numbers
from functools import lru_cache
from pathlib import Path

import numpy as np

from engine.errors import SpecError

MAX_SAMPLES = 10_000
MAX_VALIDATION_FRACTION = 0.9
IRIS_PATH = Path(__file__).parent / "data" / "iris.csv"
IRIS_SPECIES = ("setosa", "versicolor", "virginica")


def _entry(kind, inputs, classes, en, zh, samples, noise, max_samples=MAX_SAMPLES):
    return {"kind": kind, "inputs": inputs, "classes": classes, "description": en,
            "description_zh": zh, "defaults": {"samples": samples, "noise": noise},
            "max_samples": max_samples}


DATASETS: dict[str, dict] = {
    "circle": _entry("classification", 2, 2, "A disc of one class inside a ring of the other.",
                     "一个类别的圆盘被另一个类别的圆环包围。", 200, 0.0),
    "xor": _entry("classification", 2, 2, "Points labelled by the sign of x1·x2, like XOR.",
                  "按 x1·x2 的符号标注的点，类似异或。", 200, 0.0),
    "gaussian": _entry("classification", 2, 2, "Two Gaussian clusters, one per class.",
                       "两个高斯簇，每个类别一个。", 200, 0.0),
    "spiral": _entry("classification", 2, 2, "Two interleaved spiral arms, one per class.",
                     "两条交错的螺旋臂，每个类别一条。", 200, 0.0),
    "moons": _entry("classification", 2, 2, "Two interleaving half circles, one per class.",
                    "两个交错的半圆，每个类别一个。", 200, 0.1),
    "spiral3": _entry("classification", 2, 3, "Three interleaved spiral arms, one per class.",
                      "三条交错的螺旋臂，每个类别一条。", 300, 0.0),
    "blobs3": _entry("classification", 2, 3, "Three Gaussian blobs, one per class.",
                     "三个高斯团，每个类别一个。", 300, 0.1),
    "sine": _entry("regression", 1, None, "Learn y = sin(πx) for x in [-1, 1].",
                   "在 x ∈ [-1, 1] 上学习 y = sin(πx)。", 100, 0.05),
    "plane": _entry("regression", 2, None, "Learn the plane y = (x1 + 2·x2)/3 on [-1, 1]².",
                    "在 [-1, 1]² 上学习平面 y = (x1 + 2·x2)/3。", 200, 0.05),
    "iris": _entry("classification", 4, 3,
                   "Fisher's 150 iris flowers: four standardized measurements, three species.",
                   "Fisher 的 150 朵鸢尾花：四个标准化测量值，三个品种。", 150, 0.0, 150),
}


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)


def _alternating(m: int, c: int) -> np.ndarray:
    return (np.arange(m) % c).astype(np.int64)


def _spiral(rng, m, arms, turns, noise):
    y = _alternating(m, arms)
    r = np.empty(m)
    for k in range(arms):  # radius runs 0..1 along each arm
        idx = np.flatnonzero(y == k)
        r[idx] = np.arange(idx.size) / max(idx.size, 1)
    t = turns * 2 * np.pi * r + 2 * np.pi * y / arms
    x = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return x + 0.2 * noise * rng.uniform(-1, 1, (m, 2)), y


def _blobs(rng, m, centers, noise):
    y = _alternating(m, len(centers))
    std = 0.15 + 0.4 * noise
    return np.asarray(centers, dtype=np.float64)[y] + std * rng.standard_normal((m, 2)), y


@lru_cache(maxsize=1)
def _iris_raw() -> tuple[np.ndarray, np.ndarray]:
    with IRIS_PATH.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[k]) for k in ("sepal_length", "sepal_width", "petal_length",
                                         "petal_width")] for r in rows], dtype=np.float64)
    y = np.array([IRIS_SPECIES.index(r["species"]) for r in rows], dtype=np.int64)
    return x, y


def _generate(name: str, m: int, noise: float, rng: np.random.Generator):
    if name == "circle":  # class 0 inside r < 0.5, class 1 in the ring 0.7 < r < 1
        y = _alternating(m, 2)
        r = np.where(y == 0, rng.uniform(0.0, 0.5, m), rng.uniform(0.7, 1.0, m))
        a = rng.uniform(0, 2 * np.pi, m)
        x = np.column_stack([r * np.cos(a), r * np.sin(a)])
        return x + noise * rng.uniform(-1, 1, (m, 2)), y
    if name == "xor":  # class 1 where x1·x2 > 0; points kept 0.06 away from the axes
        y = _alternating(m, 2)
        s1 = rng.choice([-1.0, 1.0], m)
        s2 = np.where(y == 1, s1, -s1)
        mag = rng.uniform(0.06, 1.0, (m, 2))
        x = np.column_stack([s1 * mag[:, 0], s2 * mag[:, 1]])
        return x + noise * rng.uniform(-1, 1, (m, 2)), y
    if name == "gaussian":
        return _blobs(rng, m, [(-0.4, -0.4), (0.4, 0.4)], noise)
    if name == "blobs3":
        angles = np.deg2rad([90.0, 210.0, 330.0])
        return _blobs(rng, m, np.column_stack([0.55 * np.cos(angles), 0.55 * np.sin(angles)]),
                      noise)
    if name == "spiral":
        return _spiral(rng, m, 2, 1.75, noise)
    if name == "spiral3":
        return _spiral(rng, m, 3, 1.25, noise)
    if name == "moons":  # scikit-learn's moons, centred and scaled by 1/1.5
        y = _alternating(m, 2)
        t = rng.uniform(0, np.pi, m)
        x = np.where(y[:, None] == 0, np.column_stack([np.cos(t), np.sin(t)]),
                     np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
        x = (x - [0.5, 0.25]) / 1.5
        return x + 0.5 * noise * rng.standard_normal((m, 2)), y
    if name == "sine":
        x = rng.uniform(-1, 1, (m, 1))
        return x, np.sin(np.pi * x) + noise * rng.uniform(-1, 1, (m, 1))
    if name == "plane":
        x = rng.uniform(-1, 1, (m, 2))
        return x, (x[:, :1] + 2 * x[:, 1:]) / 3 + noise * rng.uniform(-1, 1, (m, 1))
    raw, y = _iris_raw()  # iris: z-score over all 150 rows, ignores noise
    x = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    idx = np.arange(150) if m == 150 else rng.permutation(150)[:m]
    return x[idx], y[idx].copy()


def _check_seed(seed) -> None:
    if not _is_int(seed) or not 0 <= seed < 2**32:
        raise SpecError("dataset.seed", f"dataset.seed must be an integer from 0 to "
                        f"{2**32 - 1}; got {seed!r}.", "out_of_range")


def make_dataset(name: str, samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return a built-in data set generated from ``seed``.

    Args:
        name: a key of :data:`DATASETS`.
        samples: number of rows m, 1..``max_samples`` (10000; iris 150).
        noise: 0..1, fraction of the data's scale (iris ignores it).
        seed: integer 0 <= seed < 2**32.

    Returns:
        X: float64 (m, n_in). Targets: for classification int64 (m,) class indices 0..C-1
        (classes balanced, counts differ by at most one — iris subsets are random); for
        regression float64 (m, 1).
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise SpecError("dataset.name", f"unknown data set {name!r}; valid names are "
                        f"{', '.join(DATASETS)}.")
    limit = DATASETS[name]["max_samples"]
    if not _is_int(samples) or not 1 <= samples <= limit:
        raise SpecError("dataset.samples", f"dataset.samples must be an integer from 1 to "
                        f"{limit} for {name}; got {samples!r}.", "out_of_range")
    if not _is_real(noise) or not 0 <= noise <= 1:  # NaN fails the comparison too
        raise SpecError("dataset.noise", f"dataset.noise must be a number from 0 to 1; "
                        f"got {noise!r}.", "out_of_range")
    _check_seed(seed)
    x, y = _generate(name, int(samples), float(noise), np.random.default_rng(int(seed)))
    return np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y)


def encode_targets(labels: np.ndarray, n_outputs: int, output_activation: str,
                   classes: int) -> np.ndarray:
    """Return targets Y encoded for a network's output layer.

    Args:
        labels: int class indices 0..classes-1, shape (m,).
        n_outputs: neurons in the output layer (1 is allowed only when classes == 2).
        output_activation: output activation name; ``"tanh"`` encodes as -1/+1, others 0/1.
        classes: number of classes C.

    Returns:
        Y: float64 (m, n_outputs) — one column of 0/1 (tanh: -1/+1) when n_outputs == 1 and
        C == 2, otherwise one-hot rows (tanh: +1 for the class, -1 elsewhere).
    """
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    low = -1.0 if output_activation == "tanh" else 0.0
    if n_outputs == 1 and classes == 2:
        return np.where(labels == 1, 1.0, low).astype(np.float64).reshape(-1, 1)
    if n_outputs == classes:
        y = np.full((labels.size, classes), low, dtype=np.float64)
        y[np.arange(labels.size), labels] = 1.0
        return y
    allowed = f"1 or {classes}" if classes == 2 else f"{classes}"
    raise SpecError("layers", f"the output layer has {n_outputs} neurons but must have "
                    f"{allowed} neurons for this data set ({classes} classes).", "shape")


def split_validation(X: np.ndarray, Y: np.ndarray, fraction: float, seed: int):
    """Return a seeded shuffle of the rows split into training and validation parts.

    Args:
        X: inputs (m, n_in).  Y: targets (m, n_out) or labels (m,).
        fraction: 0 <= fraction < 1; the last round(fraction·m) shuffled rows are validation.
        seed: integer seed of the shuffle.

    Returns:
        (X_train (m-k, n_in), Y_train (m-k, ...), X_val (k, n_in), Y_val (k, ...)),
        k = round(fraction·m); fraction 0 gives empty (0, n) validation arrays.
    """
    if not _is_real(fraction) or not 0 <= fraction < 1:
        raise SpecError("dataset.validation_fraction", "dataset.validation_fraction must be at "
                        f"least 0 and less than 1; got {fraction!r}.", "out_of_range")
    _check_seed(seed)
    m = len(X)
    k = round(fraction * m)
    if m - k < 1:
        raise SpecError("dataset.validation_fraction", f"dataset.validation_fraction {fraction} "
                        f"leaves no training sample out of {m}; at least 1 must remain.",
                        "out_of_range")
    perm = np.random.default_rng(seed).permutation(m)
    tr, va = perm[: m - k], perm[m - k:]
    return X[tr], Y[tr], X[va], Y[va]


def _matrix(value, name: str) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.ndim == 2 and value.dtype.kind in "iuf":
        rows = value
    else:
        rows = value.tolist() if isinstance(value, np.ndarray) else value
        if not isinstance(rows, list | tuple) or not all(isinstance(r, list | tuple)
                                                         for r in rows):
            raise SpecError(name, f"{name} must be a 2-D list of rows of numbers.")
        if len(rows) > MAX_SAMPLES:
            raise SpecError(name, f"{name} has {len(rows)} rows; the limit is {MAX_SAMPLES}.",
                            "out_of_range")
        for i, row in enumerate(rows):
            if len(row) != len(rows[0]):
                raise SpecError(name, f"{name} is not rectangular: row {i} has {len(row)} "
                                f"values but row 0 has {len(rows[0])}.", "shape")
            for j, v in enumerate(row):
                if not _is_real(v):
                    raise SpecError(name, f"{name}[{i}][{j}] must be a number; got {v!r}.")
    if not 1 <= len(rows) <= MAX_SAMPLES:
        raise SpecError(name, f"{name} has {len(rows)} rows; it must have 1 to {MAX_SAMPLES}.",
                        "out_of_range")
    try:
        arr = np.array(rows, dtype=np.float64)
    except (OverflowError, ValueError, TypeError) as exc:
        raise SpecError(name, f"{name} holds a value that is not a float64 number.") from exc
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise SpecError(name, f"{name} rows must have at least one value.", "shape")
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise SpecError(name, f"{name} row {i}, column {j} is not finite ({arr[i, j]}); "
                        "all values must be finite numbers.")
    return arr


def validate_inputs(X, n_inputs: int, field: str = "X") -> np.ndarray:
    """Return inputs X as float64 (m, n_inputs) after the same checks as ``validate_user_data``."""
    x = _matrix(X, field)
    if x.shape[1] != n_inputs:
        raise SpecError(field, f"{field} has {x.shape[1]} columns but the network has "
                        f"{n_inputs} inputs.", "shape")
    return x


def validate_user_data(X, Y, n_inputs: int, n_outputs: int, loss: str,
                       field: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Return user data as float64 arrays after checking it fits the network and the loss.

    Args:
        X: rows of numbers, shape (m, n_inputs), 1 <= m <= 10000.
        Y: rows of numbers, shape (m, n_outputs).
        n_inputs, n_outputs: sizes of the network's input and output layers.
        loss: loss name; ``"log_likelihood"`` needs one-hot rows, ``"cross_entropy"`` values
            in [0, 1].
        field: prefix of the field names in errors (``f"{field}.X"``, ``f"{field}.Y"``).

    Returns:
        (X float64 (m, n_inputs), Y float64 (m, n_outputs)).
    """
    fx, fy = f"{field}.X", f"{field}.Y"
    x, y = _matrix(X, fx), _matrix(Y, fy)
    if x.shape[1] != n_inputs:
        raise SpecError(fx, f"{fx} has {x.shape[1]} columns but the network has {n_inputs} "
                        "inputs.", "shape")
    if y.shape[1] != n_outputs:
        raise SpecError(fy, f"{fy} has {y.shape[1]} columns but the network has {n_outputs} "
                        "outputs.", "shape")
    if len(y) != len(x):
        raise SpecError(fy, f"{fy} has {len(y)} rows but {fx} has {len(x)}; they must match.",
                        "shape")
    if loss == "log_likelihood":
        ok = np.all((y == 0) | (y == 1), axis=1) & (y.sum(axis=1) == 1)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise SpecError(fy, f"{fy} row {i} is not one-hot; the log_likelihood loss needs "
                            "exactly one 1 and the rest 0 in every row.")
    elif loss == "cross_entropy" and not np.all((y >= 0) & (y <= 1)):
        i, j = (int(v) for v in np.argwhere((y < 0) | (y > 1))[0])
        raise SpecError(fy, f"{fy} row {i}, column {j} is {y[i, j]}; the cross_entropy loss "
                        "needs every target in [0, 1].", "out_of_range")
    return x, y


def describe_datasets() -> list[dict]:
    """Return a JSON-safe description of every built-in data set for GET /api/datasets.

    Returns:
        list of dicts with name, kind, inputs, classes, description, description_zh, defaults,
        max_samples and parameters (min/max of samples, noise and validation_fraction).
    """
    return [{"name": name, **copy.deepcopy(d), "parameters": {
        "samples": {"min": 1, "max": d["max_samples"]}, "noise": {"min": 0, "max": 1},
        "validation_fraction": {"min": 0, "max": MAX_VALIDATION_FRACTION}}}
        for name, d in DATASETS.items()]

