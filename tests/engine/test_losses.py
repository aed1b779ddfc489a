"""Tests for engine.losses: costs against their textbook formulas, BP1 against finite
differences, stability at |z| up to 1e4, regularization, and one hand-worked SGD step per loss.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import engine
from engine.activations import ACTIVATIONS
from engine.losses import LOSSES, add_regularization_grad, regularization_cost, softplus

#: relative tolerance of BP1's δᴸ against a central difference of Cₓ in zᴸ
TOL = 1e-7
H = 1e-6
#: relative tolerance of the engine against the hand-worked values below (written to ≥ 13 digits)
WORKED_RTOL = 1e-12

VALID = [("quadratic", out) for out in ACTIVATIONS] + [("cross_entropy", "sigmoid"),
                                                       ("log_likelihood", "softmax")]


def targets(loss: str, out: str, rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    if out == "softmax":
        return np.eye(n)[rng.integers(0, n, m)]
    if loss == "cross_entropy" or out == "sigmoid":
        return rng.uniform(0, 1, (m, n))
    return rng.uniform(-1, 1, (m, n))


def reference_cost(loss: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The per-sample costs written directly from the definitions, on the activations a."""
    if loss == "quadratic":
        return 0.5 * np.sum((y - a) ** 2, axis=1)
    if loss == "cross_entropy":
        return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1)
    return -np.log(np.sum(a * y, axis=1))


@pytest.mark.parametrize(("loss", "out"), VALID)
def test_cost_matches_its_definition(loss, out):
    rng = np.random.default_rng(1)
    z = rng.normal(0, 1.5, (5, 3))
    act = ACTIVATIONS[out]
    a = act.fn(z)
    y = targets(loss, out, rng, 5, 3)
    np.testing.assert_allclose(LOSSES[loss].fn(z, a, y), reference_cost(loss, a, y),
                               rtol=1e-13)


@pytest.mark.parametrize(("loss", "out"), VALID)
def test_bp1_delta_is_the_derivative_of_the_sample_cost(loss, out):
    rng = np.random.default_rng(2)
    z = rng.normal(0, 1.5, (4, 3))
    if out in ("relu", "leaky_relu"):
        z = np.where(np.abs(z) < 0.01, 0.5, z)  # keep away from the kink
    act, cost = ACTIVATIONS[out], LOSSES[loss]
    y = targets(loss, out, rng, 4, 3)
    delta = cost.delta(act, z, act.fn(z), y)
    assert delta.shape == z.shape
    numeric = np.empty_like(z)
    for j in range(z.shape[1]):
        e = np.zeros(z.shape[1])
        e[j] = H
        numeric[:, j] = (cost.fn(z + e, act.fn(z + e), y)
                         - cost.fn(z - e, act.fn(z - e), y)) / (2 * H)
    np.testing.assert_allclose(delta, numeric, rtol=TOL, atol=1e-9)


def test_costs_are_finite_and_exact_at_extreme_z():
    z = np.array([[1e4], [-1e4], [1e4], [-1e4]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    a = ACTIVATIONS["sigmoid"].fn(z)
    zs = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    ys = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    s = ACTIVATIONS["softmax"].fn(zs)
    with warnings.catch_warnings(), np.errstate(divide="raise", over="raise", invalid="raise"):
        warnings.simplefilter("error")
        ce = LOSSES["cross_entropy"].fn(z, a, y)
        ce_delta = LOSSES["cross_entropy"].delta(ACTIVATIONS["sigmoid"], z, a, y)
        ll = LOSSES["log_likelihood"].fn(zs, s, ys)
        ll_delta = LOSSES["log_likelihood"].delta(ACTIVATIONS["softmax"], zs, s, ys)
        sp = softplus(np.array([-1e4, -30.0, 0.0, 1e4]))
    # a confidently wrong output costs |z|, a confidently right one e^(−|z|) ≈ 0
    np.testing.assert_array_equal(ce, [1e4, 1e4, 0.0, 0.0])
    np.testing.assert_array_equal(ce_delta, [[1.0], [-1.0], [0.0], [0.0]])
    np.testing.assert_array_equal(ll, [1e4, 0.0])
    np.testing.assert_array_equal(ll_delta, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(sp, [0.0, 9.357622968839737e-14, math.log(2), 1e4], rtol=1e-15)


def test_cost_accepts_leading_grid_dimensions():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(7, 5, 3))
    y = np.eye(3)[rng.integers(0, 3, 5)]
    for loss, out in VALID:
        a = ACTIVATIONS[out].fn(z)
        batched = LOSSES[loss].fn(z, a, y)
        assert batched.shape == (7, 5)
        for g in range(7):
            np.testing.assert_allclose(batched[g], LOSSES[loss].fn(z[g], a[g], y), rtol=1e-15)


def test_regularization_by_hand():
    w = np.array([1.0, -2.0, 3.0])
    # (λ₂/2n) Σw² = 0.2/8 · 14 = 0.35 ; (λ₁/n) Σ|w| = 0.5/4 · 6 = 0.75
    assert regularization_cost(w, 0.5, 0.2, 4) == pytest.approx(1.1, rel=1e-15)
    assert regularization_cost(w, 0.0, 0.2, 4) == pytest.approx(0.35, rel=1e-15)
    assert regularization_cost(w, 0.5, 0.0, 4) == pytest.approx(0.75, rel=1e-15)
    assert regularization_cost(w, 0.0, 0.0, 4) == 0.0
    np.testing.assert_allclose(regularization_cost(np.stack([w, 2 * w]), 0.5, 0.2, 4),
                               [1.1, 0.35 * 4 + 0.75 * 2], rtol=1e-15)
    g = np.zeros(3)
    # (λ₂/n) w + (λ₁/n) sign(w) = 0.05 w + 0.125 sign(w)
    add_regularization_grad(g, w, 0.5, 0.2, 4)
    np.testing.assert_allclose(g, [0.175, -0.225, 0.275], rtol=1e-15)


# --------------------------------------------------------------- worked examples


def test_quadratic_worked_example_matt_mazur():
    """Matt Mazur's "A Step by Step Backpropagation Example" (2015): a 2-2-2 sigmoid net,
    one sample x = (0.05, 0.10), y = (0.01, 0.99), η = 0.5, C = ½‖y − a‖².

    By hand (Python's math module, σ(z) = 1/(1 + e⁻ᶻ)):
      z¹ = W¹x + b¹ = (0.3775, 0.3925)            a¹ = (0.593269992107187, 0.596884378259767)
      z² = W²a¹ + b² = (1.10590596705977, 1.22492140409647)
      a² = (0.751365069552316, 0.772928465321463)  C = 0.298371108760003
      δ² = (a² − y) a²(1 − a²) = (0.138498561628557, −0.0380982365165562)
      δ¹ = (W²ᵀδ²) a¹(1 − a¹) = (0.00877135468948693, 0.00995425470521720)
      W⁺ = W − η δ aᵀ, b⁺ = b − η δ.
    Mazur publishes the weights to 8–9 digits (w5⁺ = 0.35891648, w1⁺ = 0.149780716, ...);
    the 15-digit values are the same computation carried out in full.
    """
    t = engine.create({
        "layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "quadratic",
        "data": {"X": [[0.05, 0.10]], "Y": [[0.01, 0.99]]},
        "parameters": [{"W": [[0.15, 0.20], [0.25, 0.30]], "b": [0.35, 0.35]},
                       {"W": [[0.40, 0.45], [0.50, 0.55]], "b": [0.60, 0.60]}],
        "optimizer": {"name": "sgd", "learning_rate": 0.5}})
    bw = t.backward()
    np.testing.assert_allclose(bw["zs"][0], [[0.3775, 0.3925]], rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["activations"][1], [[0.5932699921071872, 0.596884378259767]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["activations"][2],
                               [[0.7513650695523157, 0.7729284653214625]], rtol=WORKED_RTOL)
    assert bw["loss"] == pytest.approx(0.2983711087600027, rel=WORKED_RTOL)
    assert bw["loss"] == pytest.approx(0.298371109, rel=1e-8)  # Mazur's E_total
    np.testing.assert_allclose(bw["deltas"][1], [[0.13849856162855695, -0.038098236516556236]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["deltas"][0], [[0.00877135468948693, 0.009954254705217196]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_W"][1], [[0.08216704056423077, 0.08266762784753325],
                                                  [-0.02260254047747507, -0.022740242215978222]],
                               rtol=WORKED_RTOL)
    t.step(1)
    W1, W2 = (np.array(p["W"]) for p in t.parameters())
    b1, b2 = (np.array(p["b"]) for p in t.parameters())
    np.testing.assert_allclose(W2, [[0.35891647971788465, 0.4086661860762334],
                                    [0.5113012702387375, 0.5613701211079891]], rtol=WORKED_RTOL)
    np.testing.assert_allclose(W1, [[0.1497807161327628, 0.19956143226552567],
                                    [0.24975114363236958, 0.29950228726473915]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(b2, [0.5307507191857215, 0.6190491182582781], rtol=WORKED_RTOL)
    np.testing.assert_allclose(b1, [0.3456143226552565, 0.3450228726473914], rtol=WORKED_RTOL)
    # Mazur's published values, rounded to 8 or 9 decimals
    np.testing.assert_allclose(W2, [[0.35891648, 0.408666186], [0.511301270, 0.561370121]],
                               rtol=0, atol=5e-9)
    np.testing.assert_allclose(W1, [[0.149780716, 0.19956143], [0.24975114, 0.29950229]],
                               rtol=0, atol=5e-9)


def test_cross_entropy_with_l2_worked_example():
    """A 2-2-1 sigmoid net, two samples, C = −(1/2)Σₓ[y ln a + (1 − y) ln(1 − a)]
    + (λ/2n)Σw² with λ = 0.1, n = 2, and one SGD step with η = 0.5.

    W¹ = [[0.5, −0.25], [0.75, 0.5]], b¹ = (0.1, −0.2), W² = [[1, −1.5]], b² = (0.25).
    Sample 1, x = (1, 2), y = 1:
      z¹ = (0.1, 1.55), a¹ = (0.52497918747894, 0.82491373183596), z² = −0.46239141027500,
      a² = 0.386418668423383, C₁ = −ln a² = 0.950833864085734,
      δ² = a² − y = −0.613581331576617, δ¹ = W²ᵀδ² ⊙ a¹(1 − a¹) = (−0.153012482804859,
      0.132930309491562).
    Sample 2, x = (−1, 0.5), y = 0:
      z¹ = (−0.525, −0.7), a¹ = (0.371683811704634, 0.331812227831834), z² = 0.123965469956883,
      a² = 0.530951740225856, C₂ = −ln(1 − a²) = 0.757049616524416,
      δ² = 0.530951740225856, δ¹ = (0.123995791196913, −0.176578253858176).
    Data cost (C₁ + C₂)/2 = 0.853941740305075; L2 term 0.1/4 · Σw² = 0.025 · 4.375 = 0.109375.
    ∂C/∂W = ½Σₓ δₓ aₓᵀ + (λ/n) W; ∂C/∂b = ½Σₓ δₓ; W⁺ = W − η ∂C/∂W.
    """
    t = engine.create({
        "layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "cross_entropy",
        "data": {"X": [[1.0, 2.0], [-1.0, 0.5]], "Y": [[1.0], [0.0]]},
        "parameters": [{"W": [[0.5, -0.25], [0.75, 0.5]], "b": [0.1, -0.2]},
                       {"W": [[1.0, -1.5]], "b": [0.25]}],
        "regularization": {"l2": 0.1}, "optimizer": {"name": "sgd", "learning_rate": 0.5}})
    bw = t.backward()
    np.testing.assert_allclose(bw["activations"][2][:, 0], [0.3864186684233826,
                                                            0.5309517402258556], rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["deltas"][0], [[-0.15301248280485874, 0.13293030949156243],
                                                 [0.12399579119691309, -0.1765782538581763]],
                               rtol=WORKED_RTOL)
    assert bw["loss"] == pytest.approx(0.9633167403050751, rel=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_W"][0], [[-0.11350413700088594, -0.13451353500563049],
                                                  [0.19225428167486938, 0.11378574602701835]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_b"][0], [-0.014508345803972825, -0.021823972183306936],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_W"][1], [[-0.012385631132492095, -0.23998769311010743]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_b"][1], [-0.04131479567538093], rtol=WORKED_RTOL)
    t.step(1)
    (l1, l2) = t.parameters()
    np.testing.assert_allclose(l1["W"], [[0.556752068500443, -0.18274323249718477],
                                         [0.6538728591625653, 0.4431071269864908]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(l1["b"], [0.10725417290198641, -0.18908801390834654],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(l2["W"], [[1.006192815566246, -1.3800061534449464]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(l2["b"], [0.2706573978376905], rtol=WORKED_RTOL)


def test_log_likelihood_worked_example():
    """A 2-2-2 net, tanh hidden, softmax output, two samples, C = −½Σₓ ln a_yₓ, η = 0.2.

    W¹ = [[0.2, −0.4], [0.6, 0.1]], b¹ = (0, 0.3), W² = [[0.5, −0.7], [−0.3, 0.8]],
    b² = (0.1, −0.1).
    Sample 1, x = (1, −1), class 0: z¹ = (0.6, 0.8), a¹ = tanh z¹ = (0.537049566998035,
      0.664036770267849), z² = (−0.0963009556884767, 0.270114546114869),
      a² = softmax z² = (0.409407445820065, 0.590592554179935), C₁ = −ln a²₀ = 0.893044418768245,
      δ² = a² − y = (−0.590592554179935, 0.590592554179935),
      δ¹ = W²ᵀδ² ⊙ (1 − a¹²) = (−0.336202022643225, 0.495260729157717).
    Sample 2, x = (0.5, 2), class 1: z¹ = (−0.7, 0.8), a¹ = (−0.604367777117164,
      0.664036770267849), z² = (−0.667009627746076, 0.612539749349429),
      a² = (0.217626939327678, 0.782373060672322), C₂ = −ln a²₁ = 0.245423592510343,
      δ² = (0.217626939327678, −0.217626939327678), δ¹ = (0.110509147390390, −0.182498197603335).
    C = (C₁ + C₂)/2 = 0.569234005639294; W⁺ = W − η ½Σₓ δₓ aₓᵀ, b⁺ = b − η ½Σₓ δₓ.
    """
    t = engine.create({
        "layers": [2, 2, 2], "activations": ["tanh", "softmax"], "loss": "log_likelihood",
        "data": {"X": [[1.0, -1.0], [0.5, 2.0]], "Y": [[1, 0], [0, 1]]},
        "parameters": [{"W": [[0.2, -0.4], [0.6, 0.1]], "b": [0.0, 0.3]},
                       {"W": [[0.5, -0.7], [-0.3, 0.8]], "b": [0.1, -0.1]}],
        "optimizer": {"name": "sgd", "learning_rate": 0.2}})
    bw = t.backward()
    np.testing.assert_allclose(bw["activations"][2], [[0.40940744582006455, 0.5905925541799354],
                                                      [0.21762693932767813, 0.7823730606723219]],
                               rtol=WORKED_RTOL)
    assert bw["loss"] == pytest.approx(0.5692340056392938, rel=WORKED_RTOL)
    np.testing.assert_allclose(bw["deltas"][0], [[-0.33620202264322524, 0.4952607291577171],
                                                 [0.1105091473903902, -0.18249819760333488]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_W"][1], [[-0.2243520925284394, -0.12383144115372777],
                                                  [0.22435209252843935, 0.12383144115372774]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(bw["nabla_b"][1], [-0.1864828074261287, 0.18648280742612866],
                               rtol=WORKED_RTOL)
    t.step(1)
    (l1, l2) = t.parameters()
    np.testing.assert_allclose(l1["W"], [[0.22809474489480303, -0.45572203174240056],
                                         [0.559598836964395, 0.1860257124364387]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(l1["b"], [0.022569287525283505, 0.2687237468445618],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(l2["W"], [[0.5448704185056878, -0.6752337117692544],
                                         [-0.3448704185056879, 0.7752337117692545]],
                               rtol=WORKED_RTOL)
    np.testing.assert_allclose(l2["b"], [0.13729656148522573, -0.13729656148522573],
                               rtol=WORKED_RTOL)
