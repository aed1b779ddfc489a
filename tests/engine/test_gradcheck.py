"""Tests for engine.gradcheck: the built-in gradient check agrees with backprop and with an
independent central difference, and it catches a deliberately broken gradient."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.activations import Tanh
from engine.gradcheck import gradient_check, numeric_gradient, relative_error
from engine.losses import LogLikelihood, Quadratic

#: relative error a correct backprop must stay below
TOL = 1e-7
#: relative error a broken backprop must exceed
BROKEN = 1e-3

X = np.random.default_rng(11).uniform(-1.2, 1.2, (8, 2)).round(3).tolist()
ONE_HOT = np.eye(3)[[0, 1, 2, 0, 1, 2, 2, 0]].tolist()

NETS = {
    "tanh-quadratic-l1l2": {"layers": [2, 4, 3, 2], "activations": ["tanh", "tanh", "linear"],
                            "loss": "quadratic", "regularization": {"l1": 0.05, "l2": 0.1},
                            "data": {"X": X, "Y": np.tanh(np.array(X)).tolist()}},
    "softmax-quadratic": {"layers": [2, 5, 3], "activations": ["sigmoid", "softmax"],
                          "loss": "quadratic", "data": {"X": X, "Y": ONE_HOT}},
    "softmax-log-likelihood": {"layers": [2, 5, 4, 3],
                               "activations": ["leaky_relu", "tanh", "softmax"],
                               "loss": "log_likelihood", "data": {"X": X, "Y": ONE_HOT}},
    "deep-sigmoid-cross-entropy": {"layers": [2, 4, 4, 4, 4, 4, 4, 1],
                                   "activations": ["sigmoid"] * 7, "loss": "cross_entropy",
                                   "data": {"X": X, "Y": [[i % 2] for i in range(8)]}},
}


def build(name: str) -> engine.Trainer:
    return engine.create({**NETS[name], "init": {"scheme": "normal", "scale": 1.0, "seed": 2}})


@pytest.mark.parametrize("name", NETS)
def test_gradient_check_agrees_with_backprop(name, numeric_grad, rel_error):
    t = build(name)
    theta = t.theta.copy()
    report = gradient_check(t)
    np.testing.assert_array_equal(t.theta, theta)  # nothing moved
    assert report["h"] == 1e-5
    assert report["relative_error"] < TOL
    bw = t.backward()
    assert [layer["index"] for layer in report["layers"]] == list(range(1, t.layout.L + 1))
    for l, layer in enumerate(report["layers"]):
        assert layer["relative_error"] < TOL
        assert layer["numeric_W"].shape == layer["backprop_W"].shape == t.layout.w_shapes[l]
        assert layer["numeric_b"].shape == (t.layout.sizes[l + 1],)
        np.testing.assert_array_equal(layer["backprop_W"], bw["nabla_W"][l])
        np.testing.assert_array_equal(layer["backprop_b"], bw["nabla_b"][l])
    # the engine's batched numeric gradient equals a plain loop over trainer.forward()
    mine = numeric_grad(t, 1e-5)
    np.testing.assert_allclose(numeric_gradient(t), mine, rtol=1e-6, atol=1e-10)
    assert rel_error(mine, bw["grad"]) < TOL


def test_gradient_check_catches_a_wrong_output_error(monkeypatch):
    t = build("tanh-quadratic-l1l2")
    assert gradient_check(t)["relative_error"] < TOL
    right = Quadratic.delta
    monkeypatch.setattr(Quadratic, "delta", lambda self, act, z, a, y: 1.1 * right(self, act, z,
                                                                                  a, y))
    report = gradient_check(t)
    assert report["relative_error"] > BROKEN
    assert all(layer["relative_error"] > BROKEN for layer in report["layers"])


def test_gradient_check_catches_a_missing_softmax_term(monkeypatch):
    t = build("softmax-log-likelihood")
    # δᴸ = a − y is right; forgetting the −y (a plausible slip) must be caught
    monkeypatch.setattr(LogLikelihood, "delta", lambda self, act, z, a, y: a)
    assert gradient_check(t)["relative_error"] > BROKEN


def test_gradient_check_catches_a_wrong_hidden_derivative(monkeypatch):
    t = build("tanh-quadratic-l1l2")
    monkeypatch.setattr(Tanh, "prime", lambda self, z, a: 1.0 - a)  # should be 1 − a²
    report = gradient_check(t)
    first, second, output = (layer["relative_error"] for layer in report["layers"])
    assert first > BROKEN and second > BROKEN
    assert output < TOL  # BP1 and BP4 of the last layer do not use the hidden derivative


def test_relative_error_by_hand():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ‖(3, 4) − (0, 0)‖ / (5 + 0) = 1 ; ‖(1, 0) − (0, 1)‖ / 2 = √2/2
    assert relative_error(np.array([3.0, 4.0]), np.zeros(2)) == 1.0
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(
        np.sqrt(2) / 2, rel=1e-15)
