"""Every neuron's output over the input plane (or line), in one batched forward pass.

Design goal: TensorFlow Playground draws a small heatmap per neuron by looping over grid
points; here the whole grid is one batch (res² rows) through the network, so all neurons of
all layers come out of a single forward pass in a few milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import SpecError

if TYPE_CHECKING:
    from engine.trainer import Trainer


def input_grid(bounds: list[list[float]], resolution: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Return the axes (each (res,)) and the grid points (res^n0, n0) for 1 or 2 inputs.

    For 2 inputs, point i*res + j is (x[j], y[i]): rows go along y, columns along x.
    """
    axes = [np.linspace(lo, hi, resolution) for lo, hi in bounds]
    if len(axes) == 1:
        return axes, axes[0][:, None]
    xx, yy = np.meshgrid(axes[0], axes[1])
    return axes, np.stack([xx.ravel(), yy.ravel()], axis=1)


def neuron_heatmaps(trainer: Trainer, resolution: int,
                    bounds: list[list[float]] | None = None) -> dict[str, Any]:
    """Return every neuron's activation over the input grid.

    Returns:
        {"bounds": [[lo, hi], …], "axes": [(res,), …], "layers": L + 1 arrays, layer l of
        shape (nˡ, res, res) for 2 inputs or (nˡ, res) for 1 input (layer 0: the inputs),
        "prediction": class index per grid point for multi-class outputs, else None}
    """
    n_in = trainer.layout.sizes[0]
    if n_in not in (1, 2):
        raise SpecError("network", f"heatmaps need 1 or 2 inputs; this network has {n_in}",
                        "unsupported")
    bounds = bounds or trainer.data.bounds()
    axes, points = input_grid(bounds, resolution)
    _, acts = trainer.net.forward(points)
    shape = (resolution,) * n_in
    layers = [a.T.reshape(a.shape[1], *shape) for a in acts]
    prediction = None
    if trainer.data.kind == "classification" and acts[-1].shape[1] > 1:
        prediction = np.argmax(acts[-1], axis=1).reshape(shape)
    return {"bounds": bounds, "axes": axes, "layers": layers, "prediction": prediction}
