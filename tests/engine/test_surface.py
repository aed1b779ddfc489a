"""Tests for engine.surface: loss surfaces against direct cost evaluations, a known minimum,
filter-normalized random planes, PCA planes and trajectory projection, loss slices."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.errors import SpecError
from engine.initializers import theta_to_parameters
from engine.surface import costs_at, loss_slice, loss_surface, pca_directions, project

#: the batched grid evaluation sums in a different order from ``Trainer.forward``
RTOL = 1e-10


def direct_cost(trainer, theta):
    """The training cost at θ through the trainer's own forward pass (θ restored)."""
    saved = trainer.theta.copy()
    trainer.theta[...] = theta
    try:
        return trainer.forward()["loss"]
    finally:
        trainer.theta[...] = saved


def spiral_trainer(**fields):
    """A 2-8-6-3 classifier on 240 spiral3 points (large enough to use chunks and threads)."""
    spec = {"layers": [2, 8, 6, 3], "activations": ["tanh", "sigmoid", "softmax"],
            "loss": "log_likelihood",
            "dataset": {"name": "spiral3", "samples": 300, "validation_fraction": 0.2},
            "init": {"scheme": "xavier", "seed": 3}, "regularization": {"l1": 0.01, "l2": 0.02},
            "optimizer": {"name": "adam", "learning_rate": 0.02}}
    return engine.create({**spec, **fields})


PARAM_PLANE = {"kind": "parameters", "params": [{"layer": 2, "name": "W", "index": [1, 3]},
                                                {"layer": 3, "name": "b", "index": [2]}]}


@pytest.mark.parametrize("plane", [PARAM_PLANE, {"kind": "random", "seed": 4}],
                         ids=["parameters", "random"])
def test_grid_values_are_the_cost_at_each_grid_point(plane):
    t = spiral_trainer()
    t.step(10)
    res, span = 31, 0.8
    s = loss_surface(t, plane, span, res)
    assert s["loss"].shape == (res, res)
    np.testing.assert_array_equal(s["alpha"], np.linspace(-span, span, res))
    rng = np.random.default_rng(0)
    picks = [(0, 0), (res - 1, res - 1), (0, res - 1), (res // 2, res // 2)]
    picks += [tuple(ij) for ij in rng.integers(0, res, (8, 2))]
    for i, j in picks:
        theta = t.theta + s["alpha"][j] * s["d1"] + s["beta"][i] * s["d2"]
        assert s["loss"][i, j] == pytest.approx(direct_cost(t, theta), rel=RTOL)


def test_parameters_plane_is_centred_on_theta():
    t = spiral_trainer()
    t.step(5)
    s = loss_surface(t, PARAM_PLANE, 0.5, 11)
    assert s["loss"][5, 5] == pytest.approx(t.forward()["loss"], rel=RTOL)
    i1 = t.layout.flat_index(2, "W", [1, 3])
    i2 = t.layout.flat_index(3, "b", [2])
    np.testing.assert_array_equal(np.flatnonzero(s["d1"]), [i1])
    np.testing.assert_array_equal(np.flatnonzero(s["d2"]), [i2])
    assert s["d1"][i1] == 1.0 and s["d2"][i2] == 1.0 and s["first_layer"] == 2
    # moving W²[1, 3] by α changes only that weight
    theta = t.theta.copy()
    theta[i1] += s["alpha"][0]
    assert s["loss"][5, 0] == pytest.approx(direct_cost(t, theta), rel=RTOL)


def test_surface_of_a_linear_fit_has_its_minimum_at_the_least_squares_solution():
    # y = 2x + 1 exactly, so C(w, b) = (1/2m) Σ (w x + b − y)² is 0 at (w, b) = (2, 1) only
    xs = np.linspace(-1, 1, 9)
    t = engine.create({"layers": [1, 1], "activations": ["linear"],
                       "data": {"X": xs[:, None].tolist(), "Y": (2 * xs + 1)[:, None].tolist()},
                       "parameters": [{"W": [[2.0]], "b": [1.0]}]})
    plane = {"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [0, 0]},
                                              {"layer": 1, "name": "b", "index": [0]}]}
    s = loss_surface(t, plane, 1.0, 21)
    assert s["loss"][10, 10] == 0.0
    assert np.unravel_index(np.argmin(s["loss"]), s["loss"].shape) == (10, 10)
    w, b = np.meshgrid(2 + s["alpha"], 1 + s["beta"])
    closed = np.mean((w[..., None] * xs + b[..., None] - (2 * xs + 1)) ** 2, axis=-1) / 2
    np.testing.assert_allclose(s["loss"], closed, rtol=1e-12, atol=1e-15)


def test_random_plane_is_filter_normalized_and_seeded():
    t = spiral_trainer()
    a = loss_surface(t, {"kind": "random", "seed": 7}, 1.0, 5)
    b = loss_surface(t, {"kind": "random", "seed": 7}, 1.0, 5)
    c = loss_surface(t, {"kind": "random", "seed": 8}, 1.0, 5)
    np.testing.assert_array_equal(a["d1"], b["d1"])
    np.testing.assert_array_equal(a["loss"], b["loss"])
    assert not np.allclose(a["d1"], c["d1"])
    assert not np.allclose(a["d1"], a["d2"])
    nw = t.layout.n_weights
    for d in (a["d1"], a["d2"]):
        np.testing.assert_array_equal(d[nw:], 0.0)  # biases are not moved
        Dw, _ = t.layout.views(d)
        for D, W in zip(Dw, t.net.W, strict=True):
            np.testing.assert_allclose(np.linalg.norm(D, axis=1), np.linalg.norm(W, axis=1),
                                       rtol=1e-13)


def test_random_plane_of_an_all_zero_net_is_refused(make_trainer):
    t = make_trainer(init={"scheme": "zeros"})
    with pytest.raises(SpecError) as err:
        loss_surface(t, {"kind": "random"}, 1.0, 5)
    assert err.value.field == "plane" and err.value.code == "degenerate"


# ------------------------------------------------------------------------ PCA


def planar_points(centre, rng, count=12):
    """Points centre + aₖ u + bₖ v on a 2-D plane through centre, ending at centre."""
    u, v = rng.normal(size=(2, centre.size))
    coef = np.column_stack([np.linspace(-3, 0, count), np.sin(np.linspace(0, 3, count)) - 0.9])
    coef[-1] = 0.0
    return centre + coef @ np.stack([u, v])


def test_pca_reproduces_a_planar_trajectory_exactly():
    rng = np.random.default_rng(1)
    centre = rng.normal(size=20)
    thetas = planar_points(centre, rng)
    d1, d2, ratios = pca_directions(thetas)
    assert np.linalg.norm(d1) == pytest.approx(1.0) and np.linalg.norm(d2) == pytest.approx(1.0)
    assert d1 @ d2 == pytest.approx(0.0, abs=1e-14)
    assert sum(ratios) == pytest.approx(1.0, abs=1e-12) and ratios[0] >= ratios[1] > 0
    alpha, beta, off = project(thetas, centre, d1, d2)
    np.testing.assert_allclose(off, 0.0, atol=1e-12)
    recon = centre + alpha[:, None] * d1 + beta[:, None] * d2
    np.testing.assert_allclose(recon, thetas, rtol=0, atol=1e-12)
    assert alpha[-1] == pytest.approx(0, abs=1e-13) and beta[-1] == pytest.approx(0, abs=1e-13)
    assert alpha[0] <= 0 and beta[0] <= 0  # the documented sign convention


def test_project_reports_the_distance_off_the_plane():
    centre = np.zeros(4)
    d1, d2 = np.eye(4)[0], np.eye(4)[1]
    alpha, beta, off = project(np.array([[1.0, 2.0, 3.0, 4.0]]), centre, d1, d2)
    assert (alpha[0], beta[0]) == (1.0, 2.0) and off[0] == pytest.approx(5.0, rel=1e-15)


def test_pca_plane_of_an_injected_planar_history(make_trainer):
    t = make_trainer()
    t.step(12)  # only the step count matters: the history is replaced below
    rng = np.random.default_rng(2)
    thetas = planar_points(rng.normal(size=t.layout.n_params), rng, count=13)
    t.set_parameters(theta_to_parameters(t.layout, thetas[-1]))
    t.history.points = [{"step": k, "theta": thetas[k], "loss": float(k)} for k in range(12)]
    s = loss_surface(t, {"kind": "pca"}, 2.0, 9)
    assert sum(s["explained_variance"]) == pytest.approx(1.0, abs=1e-12)
    assert [p["step"] for p in s["path"]] == list(range(13))
    assert [p["loss"] for p in s["path"][:12]] == [float(k) for k in range(12)]
    last = s["path"][-1]
    assert last["loss"] == t.forward()["loss"]
    assert last["alpha"] == pytest.approx(0, abs=1e-13)
    assert last["beta"] == pytest.approx(0, abs=1e-13)
    for p, theta in zip(s["path"], thetas, strict=True):
        assert p["off_plane"] == pytest.approx(0.0, abs=1e-12)
        np.testing.assert_allclose(t.theta + p["alpha"] * s["d1"] + p["beta"] * s["d2"], theta,
                                   rtol=0, atol=1e-12)
    assert s["loss"][4, 4] == pytest.approx(t.forward()["loss"], rel=RTOL)


def test_pca_plane_needs_a_trajectory_that_is_not_a_line(make_trainer):
    t = make_trainer()
    with pytest.raises(SpecError) as err:
        loss_surface(t, {"kind": "pca"}, 1.0, 5)  # a single point
    assert err.value.field == "plane"
    line = np.outer(np.arange(5.0), np.ones(13))
    with pytest.raises(SpecError):
        pca_directions(line)


def test_pca_plane_of_a_real_run(make_trainer):
    t = make_trainer(optimizer={"name": "momentum", "learning_rate": 0.05})
    t.step(40)
    s = loss_surface(t, {"kind": "pca"}, 1.0, 7)
    r1, r2 = s["explained_variance"]
    assert 1.0 >= r1 >= r2 > 0 and r1 + r2 <= 1.0 + 1e-12
    assert len(s["path"]) == 41 and s["path"][-1]["step"] == 40
    assert s["path"][-1]["alpha"] == pytest.approx(0, abs=1e-12)
    for p, point in zip(s["path"][:-1], t.history.points, strict=True):
        assert p["loss"] == point["loss"]
        a, b, off = project(point["theta"][None], t.theta, s["d1"], s["d2"])
        assert (p["alpha"], p["beta"], p["off_plane"]) == pytest.approx((a[0], b[0], off[0]),
                                                                        rel=1e-12, abs=1e-14)


# --------------------------------------------------------------- slices, costs_at


def test_loss_slice_value_and_slope_match_the_loss_and_backprop():
    t = spiral_trainer()
    t.step(3)
    grad = t.backward()["grad"]
    for param in ({"layer": 1, "name": "W", "index": [4, 1]},
                  {"layer": 2, "name": "b", "index": [5]},
                  {"layer": 3, "name": "W", "index": [0, 2]}):
        h = 1e-5
        s = loss_slice(t, param, h, 3)  # the grid is (−h, 0, h)
        flat = t.layout.flat_index(param["layer"], param["name"], param["index"])
        assert s["flat_index"] == flat
        np.testing.assert_allclose(s["values"], t.theta[flat] + np.array([-h, 0.0, h]),
                                   rtol=1e-15)
        assert s["loss"][1] == pytest.approx(t.forward()["loss"], rel=RTOL)
        slope = (s["loss"][2] - s["loss"][0]) / (2 * h)
        assert slope == pytest.approx(grad[flat], rel=1e-6, abs=1e-9)


def test_costs_at_evaluates_each_parameter_vector(make_trainer):
    t = make_trainer(regularization={"l2": 0.4})
    rng = np.random.default_rng(5)
    thetas = t.theta + rng.normal(scale=0.3, size=(6, t.layout.n_params))
    costs = costs_at(t, thetas)
    assert costs.shape == (6,)
    for theta, cost in zip(thetas, costs, strict=True):
        assert cost == pytest.approx(direct_cost(t, theta), rel=RTOL)


@pytest.mark.parametrize(("plane", "field"), [
    ({"kind": "contour"}, "plane.kind"),
    ("pca", "plane.kind"),
    ({"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [0, 0]}]},
     "plane.params"),
    ({"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [0, 0]}] * 2},
     "plane.params"),
    ({"kind": "parameters", "params": [{"layer": 3, "name": "W", "index": [0, 0]},
                                       {"layer": 1, "name": "b", "index": [0]}]},
     "plane.params[0].layer"),
    ({"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [0, 0]},
                                       {"layer": 1, "name": "B", "index": [0]}]},
     "plane.params[1].name"),
    ({"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [3, 0]},
                                       {"layer": 1, "name": "b", "index": [0]}]},
     "plane.params[0].index"),
    ({"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [0, 0]},
                                       {"layer": 2, "name": "b", "index": [True]}]},
     "plane.params[1].index"),
    ({"kind": "random", "seed": -1}, "plane.seed"),
    ({"kind": "random", "seed": 1.5}, "plane.seed"),
])
def test_bad_planes_name_the_field(make_trainer, plane, field):
    with pytest.raises(SpecError) as err:
        loss_surface(make_trainer(), plane, 1.0, 5)
    assert err.value.field == field


def test_bad_slice_parameter_names_the_field(make_trainer):
    with pytest.raises(SpecError) as err:
        loss_slice(make_trainer(), {"layer": 0, "name": "W", "index": [0, 0]}, 1.0, 5)
    assert err.value.field == "param.layer"
