"""Cost functions, each with its per-sample value ``fn`` and its output error ``delta`` (BP1).

Design goal: stable float64 values computed from the output pre-activation ``z`` where a
logarithm is involved, so that no ln(0) or overflow can occur, and output errors that follow
BP1 exactly: δᴸ = ∇ₐCₓ ⊙ σ'(zᴸ) in general, with the known cancellations
δᴸ = a − y for sigmoid + cross-entropy and softmax + log-likelihood.

Shapes: z, a, y are (m, n_out), one row per sample. ``fn`` returns the per-sample costs Cₓ,
shape (m,); the batch cost is their mean C = (1/m) Σₓ Cₓ. ``fn`` also accepts leading grid
dimensions, z and a of shape (g, m, n_out) with y (m, n_out), for the loss surface.
"""

from __future__ import annotations

import numpy as np

from engine.activations import Activation


def softplus(x: np.ndarray) -> np.ndarray:
    """Return ln(1 + eˣ) without overflow, shape as x."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


class Loss:
    """Interface: per-sample cost ``fn`` and output error ``delta`` (BP1)."""

    name = ""
    #: output activations this loss is defined for (None: any)
    requires: tuple[str, ...] | None = None

    def fn(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def delta(self, act: Activation, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Quadratic(Loss):
    """Cₓ = ½‖y − a‖²; ∇ₐCₓ = a − y."""

    name = "quadratic"

    def fn(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        d = a - y
        return 0.5 * np.sum(d * d, axis=-1)

    def delta(self, act: Activation, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        # BP1: δᴸ = (a − y) ⊙ σ'(zᴸ); for softmax, the Jacobian product instead of ⊙.
        return act.backprop(z, a, a - y)


class CrossEntropy(Loss):
    """Binary cross-entropy Cₓ = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)] with sigmoid outputs."""

    name = "cross_entropy"
    requires = ("sigmoid",)

    def fn(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        # With a = σ(z): −ln a = softplus(−z) and −ln(1 − a) = softplus(z), finite for any z.
        return np.sum(y * softplus(-z) + (1.0 - y) * softplus(z), axis=-1)

    def delta(self, act: Activation, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        # BP1 with σ'(z) = a(1 − a) cancelling the 1/(a(1 − a)) of ∇ₐC: δᴸ = a − y.
        return a - y


class LogLikelihood(Loss):
    """Cₓ = −ln a_y for a softmax output and one-hot y."""

    name = "log_likelihood"
    requires = ("softmax",)

    def fn(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        # −ln a_y = logsumexp(z) − z_y, computed with the row maximum subtracted.
        zmax = z.max(axis=-1, keepdims=True)
        lse = zmax[..., 0] + np.log(np.sum(np.exp(z - zmax), axis=-1))
        return lse - np.sum(y * z, axis=-1)

    def delta(self, act: Activation, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        # BP1 through the softmax Jacobian collapses to δᴸ = a − y.
        return a - y


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (Quadratic(), CrossEntropy(), LogLikelihood())
}


def regularization_cost(weights: np.ndarray, l1: float, l2: float, n: int) -> np.ndarray:
    """Return (λ₂/2n) Σ w² + (λ₁/n) Σ |w| over the last axis.

    Args:
        weights: every weight of the net (biases excluded), shape (P_W,) or (g, P_W).
        l1, l2: the regularization strengths λ₁, λ₂ ≥ 0.
        n: training-set size.
    Returns:
        shape () or (g,).
    """
    cost = np.zeros(weights.shape[:-1])
    if l2:
        cost = cost + (l2 / (2.0 * n)) * np.sum(weights * weights, axis=-1)
    if l1:
        cost = cost + (l1 / n) * np.sum(np.abs(weights), axis=-1)
    return cost


def add_regularization_grad(grad_w: np.ndarray, weights: np.ndarray, l1: float, l2: float,
                            n: int) -> None:
    """Add (λ₂/n) w + (λ₁/n) sign(w) to ``grad_w`` in place; both shape (P_W,)."""
    if l2:
        grad_w += (l2 / n) * weights
    if l1:
        grad_w += (l1 / n) * np.sign(weights)
