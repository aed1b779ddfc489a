"""Tests for engine.network: the θ layout, the shapes of BP1–BP4, backprop against central
finite differences for every activation × loss × regularization, per-sample δ and the
collapse of all-linear nets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.activations import HIDDEN_ACTIVATIONS
from engine.network import Layout, Network

#: relative error ‖g_fd − g_bp‖ / (‖g_fd‖ + ‖g_bp‖) allowed between backprop and a central
#: difference with step H (the observed errors are ~1e-9)
TOL = 1e-7
H = 1e-6
H_DEEP = 1e-4

OUTPUTS = [("quadratic", out) for out in ("sigmoid", "tanh", "relu", "leaky_relu", "linear",
                                          "softmax")]
OUTPUTS += [("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")]
REGULARIZATION = {"none": {}, "l1": {"l1": 0.3}, "l2": {"l2": 0.5},
                  "l1+l2": {"l1": 0.3, "l2": 0.5}}
X6 = np.random.default_rng(7).uniform(-1.5, 1.5, (6, 3)).round(3)


def targets(loss: str, out: str, n_out: int, m: int = 6, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if out == "softmax":
        return np.eye(n_out)[rng.integers(0, n_out, m)]
    if loss == "cross_entropy" or out == "sigmoid":
        return rng.uniform(0, 1, (m, n_out)).round(2)
    return rng.uniform(-1, 1, (m, n_out)).round(2)


def make(layers, acts, loss, reg=None, seed=11, scale=0.9, X=X6) -> engine.Trainer:
    Y = targets(loss, acts[-1], layers[-1], len(X))
    return engine.create({"layers": layers, "activations": acts, "loss": loss,
                          "data": {"X": np.asarray(X).tolist(), "Y": Y.tolist()},
                          "regularization": reg or {},
                          "init": {"scheme": "normal", "scale": scale, "seed": seed}})


# ------------------------------------------------------------------------ layout


def test_layout_positions_and_views():
    layout = Layout([3, 4, 2])
    assert layout.w_shapes == [(4, 3), (2, 4)]
    assert layout.n_weights == 12 + 8 and layout.n_params == 20 + 4 + 2
    theta = np.arange(26, dtype=np.float64)
    Ws, bs = layout.views(theta)
    np.testing.assert_array_equal(Ws[0], np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(Ws[1], np.arange(12, 20).reshape(2, 4))
    np.testing.assert_array_equal(bs[0], [20, 21, 22, 23])
    np.testing.assert_array_equal(bs[1], [24, 25])
    Ws[1][1, 2] = -1.0  # views, not copies
    assert theta[layout.flat_index(2, "W", [1, 2])] == -1.0 and theta[18] == -1.0
    for flat in range(26):
        layer, name, index = layout.describe(flat)
        assert layout.flat_index(layer, name, index) == flat
    assert layout.layer_mask(2).sum() == 10 and layout.layer_mask(2)[12:20].all()
    with pytest.raises(IndexError):
        layout.describe(26)


def test_every_bp_equation_output_has_its_shape():
    t = make([3, 5, 4, 2], ["tanh", "sigmoid", "linear"], "quadratic")
    bw = t.backward()
    m = 6
    assert [z.shape for z in bw["zs"]] == [(m, 5), (m, 4), (m, 2)]
    assert [a.shape for a in bw["activations"]] == [(m, 3), (m, 5), (m, 4), (m, 2)]
    assert [d.shape for d in bw["deltas"]] == [(m, 5), (m, 4), (m, 2)]  # BP1, BP2
    assert [w.shape for w in bw["nabla_W"]] == [(5, 3), (4, 5), (2, 4)]  # BP4
    assert [b.shape for b in bw["nabla_b"]] == [(5,), (4,), (2,)]  # BP3
    assert bw["grad"].shape == (t.layout.n_params,) and bw["grad"].dtype == np.float64
    np.testing.assert_array_equal(bw["activations"][0], X6)


def test_forward_is_z_equals_a_w_transpose_plus_b():
    t = make([3, 4, 2], ["tanh", "sigmoid"], "quadratic")
    W1, W2 = t.net.W
    b1, b2 = t.net.b
    fw = t.forward()
    for x, z1, z2 in zip(X6, fw["zs"][0], fw["zs"][1], strict=True):  # per sample z = W a + b
        np.testing.assert_allclose(z1, W1 @ x + b1, rtol=1e-14)
        np.testing.assert_allclose(z2, W2 @ np.tanh(W1 @ x + b1) + b2, rtol=1e-14)


# ------------------------------------------------------------ finite differences


@pytest.mark.parametrize("reg", REGULARIZATION, ids=list(REGULARIZATION))
@pytest.mark.parametrize(("loss", "out"), OUTPUTS, ids=[f"{o}-{lo}" for lo, o in OUTPUTS])
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_backprop_matches_central_differences(hidden, loss, out, reg, numeric_grad, rel_error):
    n_out = 3 if out == "softmax" else 2
    t = make([3, 4, 3, n_out], [hidden, hidden, out], loss, REGULARIZATION[reg])
    # the data and seed keep every z and every weight clear of the kinks of relu and |w|
    assert min(np.abs(z).min() for z in t.forward()["zs"]) > 1e-3
    assert np.abs(t.theta[: t.layout.n_weights]).min() > 1e-3
    bp = t.backward()["grad"]
    fd = numeric_grad(t, H)
    assert rel_error(fd, bp) < TOL
    assert np.abs(bp).max() > 1e-3  # a real gradient, not a vanishing one


@pytest.mark.parametrize("reg", ["none", "l2"])
@pytest.mark.parametrize(("loss", "out"), [("quadratic", None), ("cross_entropy", "sigmoid"),
                                           ("log_likelihood", "softmax")])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
def test_deep_net_backprop_matches_central_differences_per_layer(hidden, loss, out, reg,
                                                                  numeric_grad, rel_error):
    out = out or hidden
    n_out = 3 if out == "softmax" else 2
    layers = [3, 5, 4, 5, 4, 5, 4, n_out]  # 7 weight layers
    t = make(layers, [hidden] * 6 + [out], loss, REGULARIZATION[reg], seed=5, scale=1.0)
    bp = t.backward()["grad"]
    # the first layers' gradients vanish (~1e-5), so the roundoff of C/h matters more than
    # the h² truncation: a larger step keeps the per-layer comparison honest
    fd = numeric_grad(t, H_DEEP)
    assert rel_error(fd, bp) < TOL
    for layer in range(1, 8):
        mask = t.layout.layer_mask(layer)
        assert rel_error(fd[mask], bp[mask]) < TOL, layer


# --------------------------------------------------------------- per-sample δ


@pytest.mark.parametrize(("loss", "out"), OUTPUTS, ids=[f"{o}-{lo}" for lo, o in OUTPUTS])
def test_delta_rows_are_per_sample_and_the_gradient_is_their_mean(loss, out):
    n_out = 3 if out == "softmax" else 2
    t = make([3, 4, 3, n_out], ["tanh", "leaky_relu", out], loss)
    X, Y = t.data.X, t.data.Y
    full = t.backward()
    m = X.shape[0]
    outer_W = [np.zeros_like(w) for w in full["nabla_W"]]
    sum_b = [np.zeros_like(b) for b in full["nabla_b"]]
    for x in range(m):
        one = t.backward(X[x:x + 1], Y[x:x + 1])
        for l in range(3):
            np.testing.assert_allclose(full["deltas"][l][x], one["deltas"][l][0], rtol=1e-13,
                                       atol=1e-16)
            # BP4 for one sample: ∂Cₓ/∂Wˡ = δˡₓ (aˡ⁻¹ₓ)ᵀ
            expected = np.outer(one["deltas"][l][0], one["activations"][l][0])
            np.testing.assert_allclose(one["nabla_W"][l], expected, rtol=1e-13, atol=1e-16)
            outer_W[l] += expected / m
            sum_b[l] += one["deltas"][l][0] / m
    for l in range(3):
        np.testing.assert_allclose(full["nabla_W"][l], outer_W[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(full["nabla_b"][l], sum_b[l], rtol=1e-12, atol=1e-15)


def test_regularization_enters_weights_only_with_training_set_size():
    plain = make([3, 4, 2], ["tanh", "linear"], "quadratic", seed=2)
    reg = make([3, 4, 2], ["tanh", "linear"], "quadratic", {"l1": 0.3, "l2": 0.5}, seed=2)
    n, nw = 6, plain.layout.n_weights
    w = plain.theta[:nw]
    diff = reg.backward()["grad"] - plain.backward()["grad"]
    np.testing.assert_allclose(diff[:nw], 0.5 / n * w + 0.3 / n * np.sign(w), rtol=1e-12)
    np.testing.assert_array_equal(diff[nw:], 0.0)
    extra = 0.5 / (2 * n) * np.sum(w * w) + 0.3 / n * np.sum(np.abs(w))
    assert reg.forward()["loss"] - plain.forward()["loss"] == pytest.approx(extra, rel=1e-12)


# --------------------------------------------------------------- linear collapse


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=4, max_size=4), seed=st.integers(0, 10**6))
def test_all_linear_net_is_one_affine_map(sizes, seed):
    rng = np.random.default_rng(seed)
    layout = Layout(sizes)
    theta = rng.normal(size=layout.n_params)
    net = Network(sizes, ["linear"] * 3, theta)
    X = rng.normal(size=(5, sizes[0]))
    W1, W2, W3 = net.W
    b1, b2, b3 = net.b
    W_eff = W3 @ W2 @ W1
    b_eff = W3 @ (W2 @ b1 + b2) + b3
    np.testing.assert_allclose(net.predict(X), X @ W_eff.T + b_eff, rtol=1e-12, atol=1e-12)


def test_linear_net_gradient_is_the_product_rule():
    # C = ½ (w₂ w₁ x − y)² for a 1-1-1 linear net without biases: ∂C/∂w₁ = r w₂ x, ∂C/∂w₂ = r w₁ x
    t = engine.create({"layers": [1, 1, 1], "activations": ["linear", "linear"],
                       "data": {"X": [[2.0]], "Y": [[1.0]]},
                       "parameters": [{"W": [[0.5]], "b": [0.0]}, {"W": [[3.0]], "b": [0.0]}]})
    r = 3.0 * 0.5 * 2.0 - 1.0
    bw = t.backward()
    assert bw["loss"] == 0.5 * r * r
    assert bw["nabla_W"][0][0, 0] == r * 3.0 * 2.0
    assert bw["nabla_W"][1][0, 0] == r * 0.5 * 2.0
    assert bw["nabla_b"][0][0] == r * 3.0 and bw["nabla_b"][1][0] == r


@pytest.mark.parametrize(("hidden", "out"), [("sigmoid", "tanh"), ("relu", "tanh")])
def test_network_forward_with_masks_scales_hidden_activations(hidden, out):
    rng = np.random.default_rng(4)
    layout = Layout([3, 4, 2])
    net = Network([3, 4, 2], [hidden, out], rng.normal(size=layout.n_params))
    X = rng.normal(size=(5, 3))
    mask = (rng.random((5, 4)) > 0.5) / 0.5
    zs, acts = net.forward(X, [mask, None])
    plain_zs, plain_acts = net.forward(X)
    np.testing.assert_array_equal(zs[0], plain_zs[0])
    np.testing.assert_allclose(acts[1], plain_acts[1] * mask, rtol=1e-15)
    np.testing.assert_allclose(zs[1], acts[1] @ net.W[1].T + net.b[1], rtol=1e-14)
