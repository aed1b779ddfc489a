"""The network: parameters, the forward pass and backpropagation (BP1–BP4).

Design goal: every array the explorer displays is computed here exactly as the equations
are written, in float64, and fast enough to train a small net thousands of steps a second.

Shape convention (used everywhere in the engine, the JSON API and the UI):
    Wˡ has shape (n_out, n_in) = (nˡ, nˡ⁻¹), bˡ has shape (nˡ,).
    A batch is (m, n) with one row per sample, so per sample z = W a + b and per batch
    Z = A Wᵀ + b.  Nielsen's book stacks samples as columns; we keep his W shape but put
    samples in rows, because JSON and tables read that way.
Layers are numbered as in the book: layer 0 is the input, layers 1..L carry weights.
Python lists here are 0-based, so ``W[l - 1]`` is Wˡ.

All parameters live in one flat vector θ laid out as [W¹, …, Wᴸ, b¹, …, bᴸ] (each W row-major).
``W`` and ``b`` are views into it, so an optimizer updates every layer with one vector
operation, the trajectory records θ with one copy, and loss-surface directions are vectors
of the same layout. The gradient lives in a second flat vector with the same views.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.activations import ACTIVATIONS, Activation
from engine.losses import Loss


class Layout:
    """Where each layer's W and b sit in the flat parameter vector θ.

    Args:
        sizes: [n0, n1, …, nL], the neurons per layer including the input.
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = [int(n) for n in sizes]
        self.L = len(self.sizes) - 1
        self.w_slices: list[slice] = []
        self.b_slices: list[slice] = []
        self.w_shapes = [(self.sizes[l + 1], self.sizes[l]) for l in range(self.L)]
        pos = 0
        for n_out, n_in in self.w_shapes:
            self.w_slices.append(slice(pos, pos + n_out * n_in))
            pos += n_out * n_in
        self.n_weights = pos
        for n_out in self.sizes[1:]:
            self.b_slices.append(slice(pos, pos + n_out))
            pos += n_out
        self.n_params = pos

    def views(self, theta: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return lists of views (Wˡ (n_out, n_in), bˡ (n_out,)) into θ (P,)."""
        Ws = [theta[s].reshape(shape)
              for s, shape in zip(self.w_slices, self.w_shapes, strict=True)]
        bs = [theta[s] for s in self.b_slices]
        return Ws, bs

    def layer_mask(self, layer: int) -> np.ndarray:
        """Return a boolean mask (P,) selecting layer ``layer`` (1-based) W and b."""
        mask = np.zeros(self.n_params, dtype=bool)
        mask[self.w_slices[layer - 1]] = True
        mask[self.b_slices[layer - 1]] = True
        return mask

    def flat_index(self, layer: int, name: str, index: Sequence[int]) -> int:
        """Return the position in θ of Wˡ[j][k] (name "W", index [j, k]) or bˡ[j] ("b", [j])."""
        if name == "W":
            n_out, n_in = self.w_shapes[layer - 1]
            j, k = index
            return self.w_slices[layer - 1].start + j * n_in + k
        return self.b_slices[layer - 1].start + index[0]

    def describe(self, flat: int) -> tuple[int, str, list[int]]:
        """Return (layer, name, index) for a position in θ: the inverse of ``flat_index``."""
        for l in range(self.L):
            s = self.w_slices[l]
            if s.start <= flat < s.stop:
                return l + 1, "W", list(divmod(flat - s.start, self.w_shapes[l][1]))
            s = self.b_slices[l]
            if s.start <= flat < s.stop:
                return l + 1, "b", [flat - s.start]
        raise IndexError(flat)


class Network:
    """A fully connected feed-forward net whose parameters are views into one vector.

    Args:
        sizes: [n0, …, nL].
        activations: L names from ``ACTIVATIONS``, one per weight layer.
        theta: flat parameters (P,), float64; it is used in place, not copied.
    """

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], theta: np.ndarray) -> None:
        self.layout = Layout(sizes)
        self.sizes = self.layout.sizes
        self.L = self.layout.L
        self.activation_names = list(activations)
        self.acts: list[Activation] = [ACTIVATIONS[name] for name in activations]
        self.theta = theta
        self.W, self.b = self.layout.views(theta)
        self.grad = np.zeros(self.layout.n_params)
        self.nabla_W, self.nabla_b = self.layout.views(self.grad)

    def forward(self, X: np.ndarray, masks: Sequence[np.ndarray | None] | None = None
                ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return (zs, activations) for a batch.

        Args:
            X: inputs, shape (m, n0).
            masks: optional dropout masks, one per weight layer (None for none), each (m, nˡ),
                already scaled by 1/(1 − p) (inverted dropout).
        Returns:
            zs: L arrays, zs[l - 1] = Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ, shape (m, nˡ).
            activations: L + 1 arrays, activations[0] = X and activations[l] = Aˡ = σ(Zˡ)
                (times the dropout mask where there is one), shape (m, nˡ).
        """
        zs: list[np.ndarray] = []
        activations = [X]
        a = X
        for l, (W, b, act) in enumerate(zip(self.W, self.b, self.acts, strict=True)):
            z = np.dot(a, W.T)
            z += b
            a = act.fn(z)
            if masks is not None and masks[l] is not None:
                a = a * masks[l]
            zs.append(z)
            activations.append(a)
        return zs, activations

    def backprop(self, zs: list[np.ndarray], activations: list[np.ndarray], Y: np.ndarray,
                 loss: Loss, masks: Sequence[np.ndarray | None] | None = None) -> list[np.ndarray]:
        """Return the per-sample errors δˡ and write the batch-mean gradient into ``self.grad``.

        Args:
            zs, activations: from ``forward`` on the same batch (with the same masks).
            Y: targets, shape (m, nL).
            loss: the cost; its ``delta`` gives BP1.
            masks: the dropout masks used in ``forward``.
        Returns:
            deltas: L arrays, deltas[l - 1] = δˡ, shape (m, nˡ); row x is ∂Cₓ/∂zˡ for that
                sample's own cost. ``self.nabla_W[l - 1]`` (nˡ, nˡ⁻¹) and ``self.nabla_b[l - 1]``
                (nˡ,) then hold ∂C/∂Wˡ and ∂C/∂bˡ of the batch mean C (no regularization).
        """
        m = Y.shape[0]
        L = self.L
        ones = np.ones(m)
        deltas: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        # BP1: output error δᴸ = ∇ₐCₓ ⊙ σ'(zᴸ)
        delta = loss.delta(self.acts[L - 1], zs[L - 1], activations[L], Y)
        for l in range(L - 1, -1, -1):
            deltas[l] = delta
            # BP4: ∂C/∂Wˡ = (1/m) Σₓ δˡₓ (aˡ⁻¹ₓ)ᵀ, i.e. (1/m) δᵀ A for row-stacked samples
            np.dot(delta.T, activations[l], out=self.nabla_W[l])
            # BP3: ∂C/∂bˡ = (1/m) Σₓ δˡₓ, as the product 1ᵀδ (several times faster than a
            # column sum over a narrow (m, n) array)
            np.dot(ones, delta, out=self.nabla_b[l])
            if l == 0:
                break
            # BP2: δˡ⁻¹ = ((Wˡ)ᵀ δˡ) ⊙ σ'(zˡ⁻¹); with samples in rows, (Wˡ)ᵀ δ is δ Wˡ
            back = delta @ self.W[l]
            delta = self._times_prime(back, l - 1, zs, activations, masks)
        self.grad *= 1.0 / m
        return deltas

    def _times_prime(self, back: np.ndarray, l: int, zs: list[np.ndarray],
                     activations: list[np.ndarray], masks: Sequence[np.ndarray | None] | None
                     ) -> np.ndarray:
        """Return back ⊙ σ'(zˡ) (⊙ dropout mask) for the 0-based hidden layer l."""
        act = self.acts[l]
        if masks is not None and masks[l] is not None:
            z = zs[l]
            return back * masks[l] * act.prime(z, act.fn(z))
        return act.backprop(zs[l], activations[l + 1], back)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return the output activations Aᴸ, shape (m, nL), without dropout."""
        return self.forward(X)[1][-1]
