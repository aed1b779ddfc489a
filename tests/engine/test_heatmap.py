"""Tests for engine.heatmap: the input grid, every neuron's map against single-point forward
passes, class predictions, and refusal for nets with more than two inputs."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.errors import SpecError
from engine.heatmap import input_grid, neuron_heatmaps


def classifier():
    t = engine.create({"layers": [2, 5, 4, 3], "activations": ["tanh", "relu", "softmax"],
                       "loss": "log_likelihood", "dataset": {"name": "blobs3", "samples": 90},
                       "init": {"scheme": "he", "seed": 4}})
    t.step(5)
    return t


def test_input_grid_orders_points_row_by_row_along_y():
    axes, points = input_grid([[0.0, 1.0], [-2.0, 2.0]], 3)
    np.testing.assert_array_equal(axes[0], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(axes[1], [-2.0, 0.0, 2.0])
    # point i*res + j is (x[j], y[i])
    np.testing.assert_array_equal(points, [[0, -2], [0.5, -2], [1, -2], [0, 0], [0.5, 0], [1, 0],
                                           [0, 2], [0.5, 2], [1, 2]])
    axes, points = input_grid([[-1.0, 1.0]], 5)
    np.testing.assert_array_equal(points[:, 0], [-1, -0.5, 0, 0.5, 1])


def test_layer_zero_maps_are_the_input_coordinates():
    t = classifier()
    res = 17
    maps = neuron_heatmaps(t, res)
    x, y = maps["axes"]
    assert maps["bounds"] == t.data.bounds()
    assert x[0] == maps["bounds"][0][0] and x[-1] == maps["bounds"][0][1]
    first = maps["layers"][0]
    assert first.shape == (2, res, res)
    np.testing.assert_array_equal(first[0], np.broadcast_to(x, (res, res)))
    np.testing.assert_array_equal(first[1], np.broadcast_to(y[:, None], (res, res)))


def test_every_neuron_map_equals_a_forward_pass_at_that_point():
    t = classifier()
    res = 13
    maps = neuron_heatmaps(t, res, bounds=[[-1.5, 1.0], [-0.5, 2.0]])
    x, y = maps["axes"]
    assert [m.shape for m in maps["layers"]] == [(2, res, res), (5, res, res), (4, res, res),
                                                 (3, res, res)]
    for i, j in [(0, 0), (0, 12), (12, 0), (6, 6), (3, 9), (11, 2)]:
        acts = t.forward(np.array([[x[j], y[i]]]))["activations"]
        for layer, a in enumerate(acts):
            np.testing.assert_allclose(maps["layers"][layer][:, i, j], a[0], rtol=1e-13,
                                       atol=1e-15)
        assert maps["prediction"][i, j] == np.argmax(acts[-1][0])
    assert maps["prediction"].shape == (res, res)
    assert set(np.unique(maps["prediction"]).tolist()) <= {0, 1, 2}


def test_one_input_maps_are_curves_and_regression_has_no_prediction():
    t = engine.create({"layers": [1, 6, 1], "activations": ["tanh", "linear"],
                       "dataset": {"name": "sine", "samples": 40}})
    maps = neuron_heatmaps(t, 21, bounds=[[-1.0, 1.0]])
    assert [m.shape for m in maps["layers"]] == [(1, 21), (6, 21), (1, 21)]
    np.testing.assert_array_equal(maps["layers"][0][0], np.linspace(-1, 1, 21))
    expected = t.forward(np.linspace(-1, 1, 21)[:, None])["activations"][-1][:, 0]
    np.testing.assert_allclose(maps["layers"][-1][0], expected, rtol=1e-13)
    assert maps["prediction"] is None


def test_heatmaps_need_one_or_two_inputs():
    t = engine.create({"layers": [4, 3, 3], "loss": "log_likelihood",
                       "dataset": {"name": "iris"}})
    with pytest.raises(SpecError) as err:
        neuron_heatmaps(t, 10)
    assert err.value.field == "network" and err.value.code == "unsupported"
