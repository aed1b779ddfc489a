"""Fixtures shared by the engine tests: a small-network factory and an independent
finite-difference gradient."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import engine

#: six samples with two inputs, none near an axis, and regression targets in (−1, 1)
SMALL_X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8], [0.3, 1.2], [-1.1, -0.4], [0.9, 0.7]]
SMALL_Y = [[0.3], [-0.5], [0.9], [0.1], [-0.2], [0.6]]


@pytest.fixture
def make_trainer() -> Callable[..., engine.Trainer]:
    """Return ``make(**fields)``: a 2-3-1 tanh/linear quadratic regression trainer on six
    fixed samples (normal init, seed 1), with any top-level spec field replaced."""
    base = {"layers": [2, 3, 1], "activations": ["tanh", "linear"], "loss": "quadratic",
            "data": {"X": SMALL_X, "Y": SMALL_Y},
            "init": {"scheme": "normal", "scale": 0.8, "seed": 1},
            "optimizer": {"name": "sgd", "learning_rate": 0.1}}

    def make(**fields: Any) -> engine.Trainer:
        return engine.create({**copy.deepcopy(base), **fields})

    return make


def central_difference(trainer: engine.Trainer, h: float = 1e-6) -> np.ndarray:
    """Return (C(θ + h eᵢ) − C(θ − h eᵢ)) / 2h for every i, C = ``trainer.forward()["loss"]``
    (the full-training-set cost with regularization); θ is restored afterwards."""
    theta = trainer.theta
    grad = np.empty_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + h
        c_plus = trainer.forward()["loss"]
        theta[i] = old - h
        c_minus = trainer.forward()["loss"]
        theta[i] = old
        grad[i] = (c_plus - c_minus) / (2.0 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Return ‖a − b‖ / (‖a‖ + ‖b‖) (0 when both vanish)."""
    denom = float(np.linalg.norm(a) + np.linalg.norm(b))
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b) / denom)


@pytest.fixture
def numeric_grad() -> Callable[..., np.ndarray]:
    """Return ``central_difference(trainer, h=1e-6)``."""
    return central_difference


@pytest.fixture
def rel_error() -> Callable[[np.ndarray, np.ndarray], float]:
    """Return ``relative_error(a, b)``."""
    return relative_error
