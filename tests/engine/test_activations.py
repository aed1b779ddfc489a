"""Tests for engine.activations: values, derivatives against finite differences, the softmax
Jacobian, and numerical stability for |z| up to 1e4."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, LEAKY_SLOPE

#: relative tolerance of a derivative against a central difference with step H
TOL = 1e-7
H = 1e-6
EXTREME = np.array([[-1e4, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1e4]])

finite_z = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


def strict():
    """Turn every NumPy floating-point warning except underflow into an error.

    Underflow is exempt on purpose: exp(−1e4) rounds to 0.0, the correctly rounded result
    (σ(−1e4) ≈ 1e−4343 is below the smallest double), and NumPy never warns about it by default.
    """
    return np.errstate(divide="raise", over="raise", invalid="raise", under="ignore")


def test_registry_lists_every_activation():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"}
    assert HIDDEN_ACTIVATIONS == ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
    assert ACTIVATIONS["softmax"].elementwise is False


def test_sigmoid_worked_values():
    sig = ACTIVATIONS["sigmoid"].fn
    z = np.array([[0.0, 1.0, -1.0, 2.5]])
    expected = [0.5, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1)), 1 / (1 + math.exp(-2.5))]
    np.testing.assert_allclose(sig(z)[0], expected, rtol=1e-15)


def test_sigmoid_minus_40_has_full_relative_precision():
    # σ(−40) = e⁻⁴⁰/(1 + e⁻⁴⁰); the naive 1 − σ(40) would give 0.0 (σ(40) rounds to 1).
    value = ACTIVATIONS["sigmoid"].fn(np.array([[-40.0]]))[0, 0]
    assert value == pytest.approx(4.248354255291589e-18, rel=1e-15)
    assert ACTIVATIONS["sigmoid"].fn(np.array([[-700.0]]))[0, 0] == pytest.approx(
        math.exp(-700.0), rel=1e-13)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_extreme_inputs_give_finite_values_without_warnings(name):
    act = ACTIVATIONS[name]
    with warnings.catch_warnings(), strict():
        warnings.simplefilter("error")
        a = act.fn(EXTREME)
        if act.elementwise:
            d = act.prime(EXTREME, a)
        else:
            d = act.backprop(EXTREME, a, np.ones_like(EXTREME))
    assert np.isfinite(a).all() and np.isfinite(d).all()
    lo, hi = act.range
    assert (a >= lo).all() and (a <= hi).all()


def test_extreme_values_are_the_limits():
    z = np.array([[-1e4, 1e4]])
    np.testing.assert_array_equal(ACTIVATIONS["sigmoid"].fn(z), [[0.0, 1.0]])
    np.testing.assert_array_equal(ACTIVATIONS["tanh"].fn(z), [[-1.0, 1.0]])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].fn(z), [[0.0, 1e4]])
    np.testing.assert_array_equal(ACTIVATIONS["leaky_relu"].fn(z), [[-1e4 * LEAKY_SLOPE, 1e4]])
    with strict():
        soft = ACTIVATIONS["softmax"].fn(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]]))
    np.testing.assert_allclose(soft, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
@settings(max_examples=40, deadline=None)
@given(z=finite_z)
def test_prime_matches_central_difference(name, z):
    act = ACTIVATIONS[name]
    if name in ("relu", "leaky_relu") and abs(z) < 10 * H:
        z = 10 * H if z >= 0 else -10 * H  # away from the kink at 0
    zz = np.array([[z]])
    numeric = (act.fn(zz + H) - act.fn(zz - H)) / (2 * H)
    analytic = act.prime(zz, act.fn(zz))
    assert analytic[0, 0] == pytest.approx(numeric[0, 0], rel=TOL, abs=1e-9)


def test_relu_family_derivatives_by_hand():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].prime(z, None), [[0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(ACTIVATIONS["leaky_relu"].fn(z), [[-0.02, 0.0, 3.0]])
    np.testing.assert_array_equal(ACTIVATIONS["leaky_relu"].prime(z, None), [[0.01, 0.01, 1.0]])
    np.testing.assert_array_equal(ACTIVATIONS["linear"].prime(z, None), [[1.0, 1.0, 1.0]])


@settings(max_examples=50, deadline=None)
@given(z=finite_z)
def test_sigmoid_symmetry_and_tanh_identity(z):
    sig = ACTIVATIONS["sigmoid"].fn
    zz = np.array([[z, -z]])
    s = sig(zz)[0]
    assert s[0] + s[1] == pytest.approx(1.0, rel=1e-15, abs=1e-16)
    # tanh(z) = 2σ(2z) − 1
    t = ACTIVATIONS["tanh"].fn(np.array([[z]]))[0, 0]
    assert t == pytest.approx(2 * sig(np.array([[2 * z]]))[0, 0] - 1, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, (3, 4), elements=finite_z),
       shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_softmax_rows_sum_to_one_and_ignore_a_shift(z, shift):
    soft = ACTIVATIONS["softmax"].fn
    a = soft(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(soft(z + shift), a, rtol=1e-9, atol=1e-300)
    assert (a > 0).all()


def test_softmax_backprop_is_the_jacobian_transpose_product():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 3))
    g = rng.normal(size=(4, 3))
    soft = ACTIVATIONS["softmax"]
    a = soft.fn(z)
    J = soft.jacobian(a)
    assert J.shape == (4, 3, 3)
    # the Jacobian by central differences, column k = ∂a/∂z_k
    numeric = np.empty((4, 3, 3))
    for k in range(3):
        e = np.zeros(3)
        e[k] = H
        numeric[:, :, k] = (soft.fn(z + e) - soft.fn(z - e)) / (2 * H)
    np.testing.assert_allclose(J, numeric, rtol=1e-8, atol=1e-10)
    expected = np.einsum("mij,mi->mj", J, g)  # Jᵀ g per sample
    np.testing.assert_allclose(soft.backprop(z, a, g), expected, rtol=1e-13, atol=1e-15)
    with pytest.raises(TypeError):
        soft.prime(z, a)
