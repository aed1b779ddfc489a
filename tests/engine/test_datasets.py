"""Tests for engine.datasets: generators, target encoding, splits and user-data checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.datasets import (
    DATASETS,
    describe_datasets,
    encode_targets,
    make_dataset,
    split_validation,
    validate_user_data,
)
from engine.errors import SpecError

CLASSIFICATION = [n for n, d in DATASETS.items() if d["kind"] == "classification"]
REGRESSION = [n for n, d in DATASETS.items() if d["kind"] == "regression"]
EXPECTED = {"circle": (2, 2), "xor": (2, 2), "gaussian": (2, 2), "spiral": (2, 2),
            "moons": (2, 2), "spiral3": (2, 3), "blobs3": (2, 3), "sine": (1, None),
            "plane": (2, None), "iris": (4, 3)}


def raises(expected_field, fn, *args, **kwargs) -> SpecError:
    with pytest.raises(SpecError) as info:
        fn(*args, **kwargs)
    assert info.value.field == expected_field
    return info.value


# ---------------------------------------------------------------- registry


def test_registry_names_and_metadata():
    assert set(DATASETS) == set(EXPECTED)
    for name, (inputs, classes) in EXPECTED.items():
        d = DATASETS[name]
        assert (d["inputs"], d["classes"]) == (inputs, classes)
        assert d["kind"] == ("regression" if classes is None else "classification")
        assert d["description"] and d["description_zh"]
        assert d["max_samples"] == (150 if name == "iris" else 10000)
        assert 1 <= d["defaults"]["samples"] <= d["max_samples"]
        assert 0 <= d["defaults"]["noise"] <= 1


def test_describe_datasets_is_json_safe_and_complete():
    desc = describe_datasets()
    assert json.loads(json.dumps(desc)) == desc
    assert [d["name"] for d in desc] == list(DATASETS)
    iris = next(d for d in desc if d["name"] == "iris")
    assert iris["parameters"] == {"samples": {"min": 1, "max": 150},
                                  "noise": {"min": 0, "max": 1},
                                  "validation_fraction": {"min": 0, "max": 0.9}}
    desc[0]["defaults"]["samples"] = -5  # a copy: callers cannot corrupt the registry
    assert DATASETS[desc[0]["name"]]["defaults"]["samples"] > 0


# ---------------------------------------------------------------- generators


@pytest.mark.parametrize("name", list(EXPECTED))
def test_shapes_and_dtypes(name):
    inputs, classes = EXPECTED[name]
    m = 150 if name == "iris" else 37
    X, y = make_dataset(name, m, 0.1, 3)
    assert X.shape == (m, inputs) and X.dtype == np.float64
    assert np.isfinite(X).all()
    if classes is None:
        assert y.shape == (m, 1) and y.dtype == np.float64
    else:
        assert y.shape == (m,) and y.dtype == np.int64
        assert set(np.unique(y)) <= set(range(classes))


@pytest.mark.parametrize("name", list(EXPECTED))
def test_single_sample(name):
    X, y = make_dataset(name, 1, 0.0, 0)
    assert X.shape == (1, EXPECTED[name][0]) and len(y) == 1


@pytest.mark.parametrize("name", list(EXPECTED))
def test_determinism(name):
    m = 100
    X1, y1 = make_dataset(name, m, 0.2, 42)
    X2, y2 = make_dataset(name, m, 0.2, 42)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    X3, _ = make_dataset(name, m, 0.2, 43)
    assert not np.array_equal(X1, X3)


def test_iris_full_set_ignores_seed_and_noise():
    X1, y1 = make_dataset("iris", 150, 0.0, 1)
    X2, y2 = make_dataset("iris", 150, 1.0, 2)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classes_balanced(name):
    c = DATASETS[name]["classes"]
    m = 150 if name == "iris" else 301
    _, y = make_dataset(name, m, 0.3, 9)
    counts = np.bincount(y, minlength=c)
    assert counts.max() - counts.min() <= 1
    assert counts.sum() == m


@pytest.mark.parametrize("name", [n for n in CLASSIFICATION if DATASETS[n]["inputs"] == 2])
def test_2d_inputs_are_order_one(name):
    X, _ = make_dataset(name, 2000, 0.0, 5)
    assert np.abs(X).max() <= 1.0 + 1e-12 or name in ("gaussian", "blobs3")
    assert np.abs(X).max() < 1.6  # even the gaussian tails stay O(1)
    assert np.abs(X).max() > 0.5  # and they use the square, not a corner of it


def test_xor_noise_free_follows_sign_rule():
    X, y = make_dataset("xor", 1000, 0.0, 11)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(np.int64))
    assert np.abs(X).min() > 0  # kept off the axes, so the sign is never ambiguous


def test_xor_noise_flips_some_points_across_the_axes():
    X, y = make_dataset("xor", 2000, 0.5, 11)
    rule = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    assert 0 < np.sum(rule != y) < 1000


def test_circle_noise_free_radii():
    X, y = make_dataset("circle", 1000, 0.0, 4)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 0].max() <= 0.5 and r[y == 1].min() >= 0.7 and r.max() <= 1.0


def test_gaussian_classes_are_on_opposite_diagonals():
    X, y = make_dataset("gaussian", 2000, 0.0, 4)
    assert np.allclose(X[y == 0].mean(axis=0), [-0.4, -0.4], atol=0.02)
    assert np.allclose(X[y == 1].mean(axis=0), [0.4, 0.4], atol=0.02)


def test_noise_increases_spread():
    X0, y0 = make_dataset("blobs3", 3000, 0.0, 8)
    X1, y1 = make_dataset("blobs3", 3000, 1.0, 8)
    s0, s1 = X0[y0 == 0].std(axis=0), X1[y1 == 0].std(axis=0)
    assert np.allclose(s0, 0.15, atol=0.01) and np.allclose(s1, 0.55, atol=0.03)


def test_sine_and_plane_targets():
    X, y = make_dataset("sine", 500, 0.0, 2)
    assert np.abs(X).max() <= 1.0
    assert np.allclose(y[:, 0], np.sin(np.pi * X[:, 0]), rtol=0, atol=1e-15)
    Xn, yn = make_dataset("sine", 500, 0.2, 2)
    resid = yn[:, 0] - np.sin(np.pi * Xn[:, 0])
    assert 0 < np.abs(resid).max() <= 0.2
    X, y = make_dataset("plane", 500, 0.0, 2)
    assert np.abs(X).max() <= 1.0
    assert np.allclose(y[:, 0], (X[:, 0] + 2 * X[:, 1]) / 3, rtol=0, atol=1e-15)


def test_iris_contents():
    from engine.datasets import _iris_raw

    raw, labels = _iris_raw()
    assert raw.shape == (150, 4)
    assert np.array_equal(raw[0], [5.1, 3.5, 1.4, 0.2]) and labels[0] == 0
    assert np.array_equal(raw[-1], [5.9, 3.0, 5.1, 1.8]) and labels[-1] == 2
    # the corrected (Fisher 1936) rows 35 and 38
    assert np.array_equal(raw[34], [4.9, 3.1, 1.5, 0.2])
    assert np.array_equal(raw[37], [4.9, 3.6, 1.4, 0.1])
    assert np.array_equal(np.bincount(labels), [50, 50, 50])
    X, y = make_dataset("iris", 150, 0.0, 0)
    assert np.array_equal(y, labels)
    assert np.allclose(X.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(X.std(axis=0), 1, atol=1e-12)
    expected0 = (raw[0] - raw.mean(axis=0)) / raw.std(axis=0)
    assert np.allclose(X[0], expected0)


def test_iris_subset_is_seeded_distinct_rows():
    full, full_y = make_dataset("iris", 150, 0.0, 0)
    X, y = make_dataset("iris", 40, 0.0, 7)
    assert X.shape == (40, 4) and len(np.unique(X, axis=0)) == len(X)
    for row, label in zip(X, y, strict=True):
        match = np.flatnonzero((full == row).all(axis=1))
        assert match.size >= 1 and label in full_y[match]
    assert not np.array_equal(X, make_dataset("iris", 40, 0.0, 8)[0])


# ---------------------------------------------------------------- generator validation


def test_make_dataset_rejects_unknown_name_listing_valid_names():
    err = raises("dataset.name", make_dataset, "donut", 10, 0.0, 0)
    for name in DATASETS:
        assert name in err.message


@pytest.mark.parametrize("samples", [0, -1, 10001, 2.5, True, "10", None])
def test_make_dataset_rejects_bad_samples(samples):
    err = raises("dataset.samples", make_dataset, "circle", samples, 0.0, 0)
    assert "10000" in err.message


def test_make_dataset_iris_samples_capped_at_150():
    err = raises("dataset.samples", make_dataset, "iris", 151, 0.0, 0)
    assert "150" in err.message
    make_dataset("circle", 10000, 0.0, 0)  # the upper limit itself is fine


@pytest.mark.parametrize("noise", [-0.01, 1.01, math.nan, math.inf, "0.1", None, True])
def test_make_dataset_rejects_bad_noise(noise):
    err = raises("dataset.noise", make_dataset, "circle", 10, noise, 0)
    assert "0" in err.message and "1" in err.message


@pytest.mark.parametrize("seed", [-1, 2**32, 1.0, "1", None, False])
def test_make_dataset_rejects_bad_seed(seed):
    err = raises("dataset.seed", make_dataset, "circle", 10, 0.0, seed)
    assert str(2**32 - 1) in err.message


def test_make_dataset_accepts_numpy_scalars():
    X, _ = make_dataset("xor", np.int64(20), np.float64(0.1), np.uint32(2**32 - 1))
    assert X.shape == (20, 2)


# ---------------------------------------------------------------- encode_targets


def test_encode_single_column_binary():
    labels = np.array([0, 1, 1, 0])
    assert np.array_equal(encode_targets(labels, 1, "sigmoid", 2), [[0.0], [1.0], [1.0], [0.0]])
    y = encode_targets(labels, 1, "tanh", 2)
    assert y.dtype == np.float64 and np.array_equal(y, [[-1.0], [1.0], [1.0], [-1.0]])


@pytest.mark.parametrize("act", ["softmax", "sigmoid", "identity"])
def test_encode_one_hot_zero_one(act):
    y = encode_targets(np.array([2, 0, 1]), 3, act, 3)
    assert y.dtype == np.float64 and y.shape == (3, 3)
    assert np.array_equal(y, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_encode_one_hot_tanh_and_two_class_one_hot():
    assert np.array_equal(encode_targets(np.array([1, 0]), 3, "tanh", 3),
                          [[-1, 1, -1], [1, -1, -1]])
    assert np.array_equal(encode_targets(np.array([1, 0]), 2, "softmax", 2), [[0, 1], [1, 0]])


def test_encode_rejects_wrong_output_width():
    err = raises("layers", encode_targets, np.array([0, 1]), 3, "sigmoid", 2)
    assert "1 or 2" in err.message
    err = raises("layers", encode_targets, np.array([0, 2]), 1, "sigmoid", 3)
    assert "3 neurons" in err.message


# ---------------------------------------------------------------- split_validation


def test_split_sizes_and_permutation():
    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    Y = np.arange(10, dtype=np.float64).reshape(10, 1) * 10
    Xt, Yt, Xv, Yv = split_validation(X, Y, 0.25, 3)  # round(2.5) == 2
    assert Xt.shape == (8, 2) and Yt.shape == (8, 1) and Xv.shape == (2, 2) and Yv.shape == (2, 1)
    both = np.vstack([Xt, Xv])
    assert sorted(both[:, 0].tolist()) == X[:, 0].tolist()
    assert np.array_equal(np.vstack([Yt, Yv])[:, 0], both[:, 0] * 5)  # rows stay paired
    again = split_validation(X, Y, 0.25, 3)
    assert all(np.array_equal(a, b) for a, b in zip((Xt, Yt, Xv, Yv), again, strict=True))
    assert not np.array_equal(split_validation(X, Y, 0.25, 4)[0], Xt)


def test_split_zero_fraction_gives_empty_validation():
    X, Y = np.ones((5, 3)), np.zeros((5, 2))
    Xt, Yt, Xv, Yv = split_validation(X, Y, 0.0, 0)
    assert Xt.shape == (5, 3) and Yt.shape == (5, 2)
    assert Xv.shape == (0, 3) and Yv.shape == (0, 2)


def test_split_works_with_label_vectors():
    X, y = make_dataset("spiral3", 30, 0.0, 0)
    Xt, yt, Xv, yv = split_validation(X, y, 0.2, 1)
    assert yt.shape == (24,) and yv.shape == (6,) and Xv.shape == (6, 2)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, math.nan, "0.2", None])
def test_split_rejects_bad_fraction(fraction):
    err = raises("dataset.validation_fraction", split_validation,
                 np.ones((10, 2)), np.ones((10, 1)), fraction, 0)
    assert "less than 1" in err.message


def test_split_requires_one_training_sample():
    err = raises("dataset.validation_fraction", split_validation,
                 np.ones((2, 2)), np.ones((2, 1)), 0.9, 0)
    assert "at least 1" in err.message
    Xt, _, Xv, _ = split_validation(np.ones((2, 2)), np.ones((2, 1)), 0.5, 0)
    assert len(Xt) == 1 and len(Xv) == 1


# ---------------------------------------------------------------- validate_user_data


def test_validate_accepts_lists_and_arrays():
    X, Y = validate_user_data([[1, 2.5], [3, 4]], [[0, 1], [1, 0]], 2, 2, "log_likelihood")
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert np.array_equal(X, [[1, 2.5], [3, 4]]) and Y.shape == (2, 2)
    X, Y = validate_user_data(np.ones((3, 1), dtype=np.int32), ((0.5,), (0.0,), (1.0,)), 1, 1,
                              "cross_entropy")
    assert X.dtype == np.float64 and Y.shape == (3, 1)
    _, Y = validate_user_data([[0]], [[-7.5]], 1, 1, "quadratic")
    assert Y[0, 0] == -7.5


@pytest.mark.parametrize("X, fragment", [
    ([1, 2, 3], "2-D"),
    ("[[1]]", "2-D"),
    (5, "2-D"),
    (None, "2-D"),
    ([[1, 2], [3]], "rectangular"),
    ([[1, "2"]], "number"),
    ([[True, 1]], "number"),
    ([[[1], [2]]], "number"),
    ([[None, 1]], "number"),
    (np.array([[True, False]]), "number"),
    (np.ones(3), "2-D"),
    ([], "rows"),
    ([[]], "at least one"),
    ([[1, math.nan]], "row 0, column 1"),
    ([[1, 2], [3, math.inf]], "row 1, column 1"),
    (np.array([[1.0, 2.0], [-np.inf, 0.0]]), "row 1, column 0"),
    ([[10**400, 1]], "float64"),
])
def test_validate_x_errors(X, fragment):
    err = raises("data.X", validate_user_data, X, [[1]], 2, 1, "quadratic")
    assert fragment in err.message and "data.X" in err.message


def test_validate_row_limit():
    err = raises("data.X", validate_user_data, [[0.0]] * 10001, [[0.0]] * 10001, 1, 1,
                 "quadratic")
    assert "10000" in err.message
    err = raises("data.X", validate_user_data, np.zeros((10001, 1)), np.zeros((10001, 1)), 1, 1,
                 "quadratic")
    assert "10000" in err.message
    X, _ = validate_user_data(np.zeros((10000, 1)), np.zeros((10000, 1)), 1, 1, "quadratic")
    assert X.shape == (10000, 1)


def test_validate_column_and_row_mismatches():
    err = raises("data.X", validate_user_data, [[1, 2, 3]], [[1]], 2, 1, "quadratic")
    assert err.message == "data.X has 3 columns but the network has 2 inputs."
    err = raises("data.Y", validate_user_data, [[1, 2]], [[1, 0]], 2, 1, "quadratic")
    assert err.message == "data.Y has 2 columns but the network has 1 outputs."
    err = raises("data.Y", validate_user_data, [[1, 2], [3, 4]], [[1]], 2, 1, "quadratic")
    assert "1 rows" in err.message and "2" in err.message


def test_validate_y_structure_errors():
    raises("data.Y", validate_user_data, [[1]], [1], 1, 1, "quadratic")
    raises("data.Y", validate_user_data, [[1]], [["a"]], 1, 1, "quadratic")
    err = raises("data.Y", validate_user_data, [[1]], [[math.nan]], 1, 1, "quadratic")
    assert "row 0, column 0" in err.message


def test_validate_custom_field_prefix():
    err = raises("train.X", validate_user_data, [[1]], [[1]], 2, 1, "quadratic", field="train")
    assert err.message.startswith("train.X has 1 columns")


@pytest.mark.parametrize("Y, bad_row", [
    ([[1, 0], [0.5, 0.5]], 1),
    ([[1, 1], [0, 1]], 0),
    ([[1, 0], [0, 1], [0, 0]], 2),
    ([[1, 0], [0, 1], [2, -1]], 2),
])
def test_validate_log_likelihood_needs_one_hot(Y, bad_row):
    X = [[0.0]] * len(Y)
    err = raises("data.Y", validate_user_data, X, Y, 1, 2, "log_likelihood")
    assert f"row {bad_row} " in err.message and "one-hot" in err.message


def test_validate_cross_entropy_range():
    validate_user_data([[0], [1]], [[0.0], [1.0]], 1, 1, "cross_entropy")
    err = raises("data.Y", validate_user_data, [[0], [1]], [[0.5], [1.5]], 1, 1, "cross_entropy")
    assert "row 1, column 0" in err.message and "[0, 1]" in err.message
    err = raises("data.Y", validate_user_data, [[0]], [[-0.1]], 1, 1, "cross_entropy")
    assert "row 0" in err.message
