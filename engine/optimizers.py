"""Optimizers and learning-rate schedules on the flat parameter vector θ.

Design goal: each optimizer is its update formula and nothing else, written on whole vectors
(θ and ∇C have the same flat layout, see ``network.py``), so that one step of any optimizer
is a handful of vector operations and can be checked against the formula by hand.

``propose(g, eta)`` returns the step s to subtract (θ⁺ = θ − s) and the optimizer's new
state, without changing anything; the trainer calls ``commit`` only once θ − s is finite, so a
diverging step leaves both the parameters and the optimizer state as they were.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

State = dict[str, Any]


class Optimizer:
    """Interface: ``propose`` a step, ``commit`` its state, serialize the state."""

    name = ""
    defaults: dict[str, float | bool] = {}

    def __init__(self, n_params: int, **hyper: Any) -> None:
        self.hyper = {**self.defaults, **hyper}
        self.state: State = self.initial_state(n_params)

    def initial_state(self, n_params: int) -> State:
        """Return the state before the first update; ``t`` counts this optimizer's updates."""
        return {"t": 0}

    def propose(self, g: np.ndarray, eta: float) -> tuple[np.ndarray, State]:
        """Return (s, new_state): the step s (P,) so that θ⁺ = θ − s, for gradient g (P,).

        Args:
            g: ∂C/∂θ, shape (P,).
            eta: learning rate η for this step.
        """
        raise NotImplementedError

    def commit(self, state: State) -> None:
        self.state = state

    def state_dict(self) -> dict[str, Any]:
        """Return the state as JSON-safe lists."""
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in self.state.items()}

    def load_state(self, data: dict[str, Any]) -> None:
        for k, v in data.items():
            self.state[k] = np.asarray(v, dtype=np.float64) if isinstance(v, list) else v


class SGD(Optimizer):
    """θ⁺ = θ − η ∇C."""

    name = "sgd"

    def propose(self, g: np.ndarray, eta: float) -> tuple[np.ndarray, State]:
        return eta * g, {"t": self.state["t"] + 1}


class Momentum(Optimizer):
    """v⁺ = μ v − η ∇C; θ⁺ = θ + v⁺ (Nesterov: θ⁺ = θ + μ v⁺ − η ∇C).

    The Nesterov form is Sutskever et al.'s (2013) rewriting in which the stored parameters
    are the look-ahead point, so the gradient is taken where θ is, as in PyTorch.
    """

    name = "momentum"
    defaults = {"momentum": 0.9, "nesterov": False}

    def initial_state(self, n_params: int) -> State:
        return {"t": 0, "v": np.zeros(n_params)}

    def propose(self, g: np.ndarray, eta: float) -> tuple[np.ndarray, State]:
        mu = float(self.hyper["momentum"])
        v = mu * self.state["v"] - eta * g
        step = eta * g - mu * v if self.hyper["nesterov"] else -v
        return step, {"t": self.state["t"] + 1, "v": v}


class RMSProp(Optimizer):
    """s⁺ = ρ s + (1 − ρ) (∇C)²; θ⁺ = θ − η ∇C / (√s⁺ + ε)."""

    name = "rmsprop"
    defaults = {"rho": 0.9, "epsilon": 1e-8}

    def initial_state(self, n_params: int) -> State:
        return {"t": 0, "s": np.zeros(n_params)}

    def propose(self, g: np.ndarray, eta: float) -> tuple[np.ndarray, State]:
        rho = float(self.hyper["rho"])
        s = rho * self.state["s"] + (1.0 - rho) * (g * g)
        step = eta * g / (np.sqrt(s) + float(self.hyper["epsilon"]))
        return step, {"t": self.state["t"] + 1, "s": s}


class Adam(Optimizer):
    """m⁺ = β₁m + (1 − β₁)∇C; v⁺ = β₂v + (1 − β₂)(∇C)²; θ⁺ = θ − η m̂ / (√v̂ + ε),
    with m̂ = m⁺/(1 − β₁ᵗ) and v̂ = v⁺/(1 − β₂ᵗ) (Kingma & Ba 2015)."""

    name = "adam"
    defaults = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}

    def initial_state(self, n_params: int) -> State:
        return {"t": 0, "m": np.zeros(n_params), "v": np.zeros(n_params)}

    def propose(self, g: np.ndarray, eta: float) -> tuple[np.ndarray, State]:
        t = self.state["t"] + 1
        b1, b2 = float(self.hyper["beta1"]), float(self.hyper["beta2"])
        m = b1 * self.state["m"] + (1.0 - b1) * g
        v = b2 * self.state["v"] + (1.0 - b2) * (g * g)
        m_hat = m / (1.0 - b1**t)
        v_hat = v / (1.0 - b2**t)
        step = eta * m_hat / (np.sqrt(v_hat) + float(self.hyper["epsilon"]))
        return step, {"t": t, "m": m, "v": v}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, RMSProp, Adam)
}


def learning_rate(eta0: float, decay: dict[str, Any], t: int) -> float:
    """Return η for the update that follows ``t`` completed updates.

    Args:
        eta0: the base learning rate η₀.
        decay: ``{"kind": "none"}``, ``{"kind": "step", "rate": γ, "every": k}`` (η₀ γ^⌊t/k⌋),
            ``{"kind": "exponential", "rate": γ, "every": k}`` (η₀ γ^(t/k)) or
            ``{"kind": "inverse_time", "rate": r, "every": k}`` (η₀ / (1 + r t/k)).
        t: updates done so far (0 for the first update).
    """
    kind = decay.get("kind", "none")
    if kind == "none":
        return eta0
    rate = float(decay["rate"])
    every = float(decay.get("every", 1))
    if kind == "step":
        return eta0 * rate ** math.floor(t / every)
    if kind == "exponential":
        return eta0 * rate ** (t / every)
    return eta0 / (1.0 + rate * t / every)
