"""Backprop Explorer's engine: a pure-NumPy network that shows every number of backprop.

Design goal: exact float64 values for everything the explorer displays (z, a, δ, ∂C/∂W,
∂C/∂b, updates, loss surfaces), driven by one JSON-style spec. Start with ``create(spec)``.
"""

from __future__ import annotations

from typing import Any

from engine.errors import SpecError
from engine.trainer import Trainer

__version__ = "0.1.0"
__all__ = ["SpecError", "Trainer", "create", "__version__"]


def create(spec: dict[str, Any]) -> Trainer:
    """Return a new training session built from a JSON-style spec (see ``engine.spec``)."""
    return Trainer(spec)
