"""Activation functions, each with its value ``fn`` and derivative ``prime`` side by side.

Design goal: exact float64 values with no overflow warnings for |z| up to 1e4 and beyond.
Every function works on a batch ``z`` of shape (m, n), one row per sample.

``prime(z, a)`` receives both the pre-activation ``z`` and the activation ``a = fn(z)`` so
that sigmoid and tanh can use the cheap forms σ' = a(1 − a) and tanh' = 1 − a².

Softmax is not elementwise: its derivative is a Jacobian per sample. Instead of ``prime`` it
offers ``backprop(z, a, g)``, the vector–Jacobian product ∂C/∂z = Jᵀ g for an upstream
gradient g = ∂C/∂a, which is what BP1 needs when softmax is paired with the quadratic cost.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01


class Activation:
    """Interface: ``fn(z) -> a`` and ``prime(z, a) -> σ'(z)``, all shapes (m, n)."""

    name = ""
    elementwise = True
    #: output range, used to encode class labels and to draw colour scales
    range: tuple[float, float] = (-np.inf, np.inf)

    def fn(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def fn_inplace(self, z: np.ndarray) -> np.ndarray:
        """Return fn(z), overwriting z where that saves an allocation (loss surfaces)."""
        return self.fn(z)

    def backprop(self, z: np.ndarray, a: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Return ∂C/∂z (m, n) from g = ∂C/∂a (m, n): the elementwise chain rule g ⊙ σ'(z)."""
        return g * self.prime(z, a)


class Sigmoid(Activation):
    name = "sigmoid"
    range = (0.0, 1.0)

    def fn(self, z: np.ndarray) -> np.ndarray:
        # Stable form: with e = exp(−|z|) ≤ 1, σ(z) = 1/(1+e) for z ≥ 0 and e/(1+e) for z < 0.
        # exp never overflows and small values such as σ(−40) ≈ 4.2e−18 keep full precision.
        e = np.exp(-np.abs(z))
        r = 1.0 / (1.0 + e)
        return np.where(z >= 0, r, e * r)

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return a * (1.0 - a)


class Tanh(Activation):
    name = "tanh"
    range = (-1.0, 1.0)

    def fn(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    def fn_inplace(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z, out=z)

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return 1.0 - a * a


class ReLU(Activation):
    name = "relu"
    range = (0.0, np.inf)

    def fn(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    def fn_inplace(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0, out=z)

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        # The derivative at exactly z = 0 is taken as 0 (a subgradient), as most libraries do.
        return (z > 0).astype(np.float64)


class LeakyReLU(Activation):
    name = "leaky_relu"

    def fn(self, z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, LEAKY_SLOPE * z)

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.where(z > 0, 1.0, LEAKY_SLOPE)


class Linear(Activation):
    name = "linear"

    def fn(self, z: np.ndarray) -> np.ndarray:
        return z.copy()

    def fn_inplace(self, z: np.ndarray) -> np.ndarray:
        return z

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.ones_like(z)

    def backprop(self, z: np.ndarray, a: np.ndarray, g: np.ndarray) -> np.ndarray:
        return g.copy()


class Softmax(Activation):
    name = "softmax"
    elementwise = False
    range = (0.0, 1.0)

    def fn(self, z: np.ndarray) -> np.ndarray:
        # Subtracting the row maximum leaves softmax unchanged and keeps exp ≤ 1.
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def prime(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        raise TypeError("softmax has a Jacobian, not an elementwise derivative; use backprop()")

    def backprop(self, z: np.ndarray, a: np.ndarray, g: np.ndarray) -> np.ndarray:
        # J = diag(a) − a aᵀ per sample, so Jᵀ g = a ⊙ (g − (g · a)).
        return a * (g - np.sum(g * a, axis=-1, keepdims=True))

    def jacobian(self, a: np.ndarray) -> np.ndarray:
        """Return the per-sample Jacobians ∂a/∂z, shape (m, n, n), for display."""
        return a[:, :, None] * (np.eye(a.shape[1]) - a[:, None, :])


ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Linear(), Softmax())
}
HIDDEN_ACTIVATIONS = tuple(name for name, act in ACTIVATIONS.items() if act.elementwise)
