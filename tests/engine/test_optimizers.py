"""Tests for engine.optimizers: each optimizer against its textbook update formula for three
steps on a real network, and the learning-rate decay schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS, Adam, learning_rate

#: the formulas below are evaluated in a different order from the engine's, so allow a few ulp
RTOL = 1e-12
ATOL = 1e-15
STEPS = 3


def run(trainer, steps=STEPS):
    """Return [(θ_t, g_t, η_t)] captured before each of ``steps`` updates, and θ at the end."""
    captured = []
    for _ in range(steps):
        captured.append((trainer.theta.copy(), trainer.backward()["grad"], trainer.eta()))
        trainer.step(1)
    return captured, trainer.theta.copy()


def test_sgd_is_theta_minus_eta_grad(make_trainer):
    t = make_trainer(optimizer={"name": "sgd", "learning_rate": 0.3})
    captured, final = run(t)
    theta = captured[0][0].copy()
    for before, g, eta in captured:
        np.testing.assert_array_equal(before, theta)
        assert eta == 0.3
        theta = theta - 0.3 * g
    np.testing.assert_allclose(final, theta, rtol=RTOL, atol=ATOL)
    assert t.optimizer.state == {"t": STEPS}


def test_classic_momentum_formula(make_trainer):
    t = make_trainer(optimizer={"name": "momentum", "learning_rate": 0.2, "momentum": 0.7})
    captured, final = run(t)
    theta, v = captured[0][0].copy(), np.zeros_like(captured[0][0])
    for before, g, _ in captured:
        np.testing.assert_allclose(before, theta, rtol=RTOL, atol=ATOL)
        v = 0.7 * v - 0.2 * g  # v ← μv − η∇C ; θ ← θ + v
        theta = theta + v
    np.testing.assert_allclose(final, theta, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(t.optimizer.state["v"], v, rtol=RTOL, atol=ATOL)


def test_nesterov_momentum_formula(make_trainer):
    t = make_trainer(optimizer={"name": "momentum", "learning_rate": 0.2, "momentum": 0.7,
                                "nesterov": True})
    captured, final = run(t)
    theta, v = captured[0][0].copy(), np.zeros_like(captured[0][0])
    for before, g, _ in captured:
        np.testing.assert_allclose(before, theta, rtol=RTOL, atol=ATOL)
        # CS231n's form of Nesterov momentum (Bengio et al. 2012):
        # v_prev = v ; v ← μv − η∇C ; θ ← θ − μ v_prev + (1 + μ) v
        v_prev = v
        v = 0.7 * v - 0.2 * g
        theta = theta - 0.7 * v_prev + 1.7 * v
    np.testing.assert_allclose(final, theta, rtol=RTOL, atol=ATOL)
    # it differs from classic momentum from the second step on
    classic = run(t.__class__({**t.spec, "optimizer": {**t.spec["optimizer"],
                                                        "nesterov": False}}))[1]
    assert np.abs(classic - final).max() > 1e-4


def test_rmsprop_formula(make_trainer):
    t = make_trainer(optimizer={"name": "rmsprop", "learning_rate": 0.01, "rho": 0.8,
                                "epsilon": 1e-6})
    captured, final = run(t)
    theta, s = captured[0][0].copy(), np.zeros_like(captured[0][0])
    for before, g, _ in captured:
        np.testing.assert_allclose(before, theta, rtol=RTOL, atol=ATOL)
        s = 0.8 * s + 0.2 * g**2  # s ← ρs + (1 − ρ)g² ; θ ← θ − η g/(√s + ε)
        theta = theta - 0.01 * g / (np.sqrt(s) + 1e-6)
    np.testing.assert_allclose(final, theta, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(t.optimizer.state["s"], s, rtol=RTOL, atol=ATOL)


def test_adam_formula(make_trainer):
    t = make_trainer(optimizer={"name": "adam", "learning_rate": 0.01, "beta1": 0.8,
                                "beta2": 0.9, "epsilon": 1e-7})
    captured, final = run(t)
    theta = captured[0][0].copy()
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for step, (before, g, _) in enumerate(captured, start=1):
        np.testing.assert_allclose(before, theta, rtol=RTOL, atol=ATOL)
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g**2
        m_hat, v_hat = m / (1 - 0.8**step), v / (1 - 0.9**step)
        theta = theta - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7)
    np.testing.assert_allclose(final, theta, rtol=RTOL, atol=ATOL)
    assert t.optimizer.state["t"] == STEPS
    np.testing.assert_allclose(t.optimizer.state["m"], m, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(t.optimizer.state["v"], v, rtol=RTOL, atol=ATOL)


def test_adam_first_step_moves_every_parameter_by_eta():
    # m̂₁ = g and v̂₁ = g², so the first step is η g/(|g| + ε) = η sign(g) for |g| ≫ ε
    g = np.array([3.0, -1e-3, 250.0, -0.5])
    step, state = Adam(4).propose(g, 0.01)
    np.testing.assert_allclose(step, 0.01 * np.sign(g), rtol=1e-5)
    assert state["t"] == 1


def test_propose_changes_nothing_until_commit():
    opt = OPTIMIZERS["momentum"](3, momentum=0.5, nesterov=False)
    g = np.array([1.0, -2.0, 0.5])
    step, state = opt.propose(g, 0.1)
    np.testing.assert_array_equal(opt.state["v"], 0.0)
    assert opt.state["t"] == 0
    np.testing.assert_allclose(step, 0.1 * g, rtol=1e-15)
    opt.commit(state)
    step2, _ = opt.propose(g, 0.1)
    np.testing.assert_allclose(step2, 0.1 * g + 0.5 * 0.1 * g, rtol=1e-15)  # −(μv − ηg)


@pytest.mark.parametrize(("decay", "expected"), [
    ({"kind": "none"}, [0.5] * 6),
    # η₀ γ^⌊t/k⌋
    ({"kind": "step", "rate": 0.5, "every": 2}, [0.5, 0.5, 0.25, 0.25, 0.125, 0.125]),
    # η₀ γ^(t/k)
    ({"kind": "exponential", "rate": 0.5, "every": 2},
     [0.5, 0.5 * math.sqrt(0.5), 0.25, 0.25 * math.sqrt(0.5), 0.125, 0.125 * math.sqrt(0.5)]),
    # η₀ / (1 + r t/k)
    ({"kind": "inverse_time", "rate": 0.5, "every": 2},
     [0.5, 0.4, 1 / 3, 0.5 / 1.75, 0.25, 0.5 / 2.25]),
])
def test_learning_rate_schedules(decay, expected, make_trainer):
    assert [learning_rate(0.5, decay, t) for t in range(6)] == pytest.approx(expected,
                                                                              rel=1e-15)
    # the trainer applies η_t to update t (θ_{t+1} = θ_t − η_t ∇C(θ_t) for SGD)
    t = make_trainer(optimizer={"name": "sgd", "learning_rate": 0.5, "decay": decay})
    for step in range(6):
        assert t.eta() == pytest.approx(expected[step], rel=1e-15)
        before, g = t.theta.copy(), t.backward()["grad"]
        summary = t.step(1)
        np.testing.assert_allclose(t.theta, before - expected[step] * g, rtol=RTOL, atol=ATOL)
        assert summary["learning_rate"] == pytest.approx(learning_rate(0.5, decay, step + 1),
                                                         rel=1e-15)


def test_decay_defaults_are_explicit_in_the_spec(make_trainer):
    t = make_trainer(optimizer={"name": "sgd", "learning_rate": 1.0,
                                "decay": {"kind": "inverse_time"}})
    assert t.spec["optimizer"]["decay"] == {"kind": "inverse_time", "rate": 0.01, "every": 100}
    assert learning_rate(1.0, t.spec["optimizer"]["decay"], 300) == pytest.approx(1 / 1.03)


def test_update_hyper_keeps_state_for_the_same_optimizer_and_resets_it_otherwise(make_trainer):
    t = make_trainer(optimizer={"name": "momentum", "learning_rate": 0.1, "momentum": 0.5})
    t.step(2)
    v = t.optimizer.state["v"].copy()
    assert np.abs(v).max() > 0
    t.update_hyper({"optimizer": {"learning_rate": 0.05}})
    assert t.spec["optimizer"]["momentum"] == 0.5  # merged into the current optimizer
    np.testing.assert_array_equal(t.optimizer.state["v"], v)
    before, g = t.theta.copy(), t.backward()["grad"]
    t.step(1)
    np.testing.assert_allclose(t.theta, before + (0.5 * v - 0.05 * g), rtol=RTOL, atol=ATOL)
    t.update_hyper({"optimizer": {"name": "adam"}})
    assert t.spec["optimizer"]["learning_rate"] == 0.05 and t.spec["optimizer"]["beta1"] == 0.9
    assert t.optimizer.state["t"] == 0 and not np.any(t.optimizer.state["m"])
