"""Loss surfaces: the full-batch loss over a plane (or line) through the current parameters.

Design goal: an honest picture, computed fast. The surface is the true training cost
(data term + regularization) at θ + α d1 + β d2, evaluated for many parameter vectors at once
by a forward pass batched over the grid (no Python loop per grid point), in chunks sized to
stay in cache, on both cores. The recorded trajectory is projected onto the plane by least
squares, and each point reports how far off the plane it lies instead of hiding it.

Shapes: θ and every direction are flat vectors (P,) in the layout of ``network.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import SpecError
from engine.losses import regularization_cost
from engine.spec import check_work

if TYPE_CHECKING:
    from engine.trainer import Trainer

#: elements of the widest (g, n, m) activation block processed at once (~0.5 MB)
CHUNK_ELEMENTS = 65_536
WORKERS = 2


def batched_costs(trainer: Trainer, make_thetas: Callable[[int, int], np.ndarray], count: int,
                  first_layer: int = 1) -> np.ndarray:
    """Return the training cost at ``count`` parameter vectors, shape (count,).

    Args:
        trainer: supplies the architecture, loss, regularization and training data.
        make_thetas: ``make_thetas(start, stop)`` returns θ rows start..stop-1, shape (g, P).
        count: number of parameter vectors G.
        first_layer: the first layer (1-based) whose parameters differ from the current θ;
            the layers before it are computed once and shared.
    """
    net, data = trainer.net, trainer.data
    X, Y = data.X, data.Y
    a0 = X
    for l in range(first_layer - 1):
        a0 = net.acts[l].fn(a0 @ net.W[l].T + net.b[l])
    # The grid is evaluated with samples along the last axis, activations (g, n, m): the bias
    # then broadcasts over a long contiguous axis, several times faster than over n.
    a0 = np.ascontiguousarray(a0.T)
    widest = max(net.sizes[first_layer - 1:])
    g = max(1, CHUNK_ELEMENTS // (X.shape[0] * widest))
    out = np.empty(count)
    layout, reg = trainer.layout, trainer.reg

    layers = range(first_layer - 1, net.L)

    def run(start: int, stop: int) -> None:
        # One buffer per layer and thread, reused by every chunk: ~1 MB arrays allocated
        # afresh for each operation would cost page faults every time.
        bufs = {l: np.empty((g, layout.w_shapes[l][0], X.shape[0])) for l in layers}
        for s in range(start, stop, g):
            e = min(s + g, stop)
            T = make_thetas(s, e)
            a = a0
            for l in layers:
                n_out, n_in = layout.w_shapes[l]
                z = np.matmul(T[:, layout.w_slices[l]].reshape(e - s, n_out, n_in), a,
                              out=bufs[l][: e - s])
                z += T[:, layout.b_slices[l], None]
                act = net.acts[l]
                if l < net.L - 1:
                    a = act.fn_inplace(z)
                elif act.elementwise:
                    a = act.fn(z)
                else:
                    a = act.fn(z.swapaxes(1, 2)).swapaxes(1, 2)
            zt, at = z.swapaxes(1, 2), a.swapaxes(1, 2)
            with np.errstate(over="ignore", invalid="ignore"):
                cost = trainer.loss.fn(zt, at, Y).mean(axis=1)
                cost += regularization_cost(T[:, :layout.n_weights], reg["l1"], reg["l2"],
                                            data.n)
            out[s:e] = cost

    bounds = np.linspace(0, count, WORKERS + 1).astype(int)
    if count < 2 * g:
        run(0, count)
    else:
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(run, bounds[:-1], bounds[1:]))
    return out


def parameter_direction(trainer: Trainer, param: Any, field: str) -> tuple[np.ndarray, int]:
    """Return (unit vector e (P,), layer) for ``{"layer", "name", "index"}``."""
    layout = trainer.layout
    if not isinstance(param, dict):
        raise SpecError(field, "must be an object {layer, name, index}", "type")
    layer, name, index = param.get("layer"), param.get("name"), param.get("index")
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= layout.L:
        raise SpecError(f"{field}.layer", f"must be a layer index from 1 to {layout.L}",
                        "out_of_range")
    if name not in ("W", "b"):
        raise SpecError(f"{field}.name", "must be W or b", "invalid_choice")
    shape = layout.w_shapes[layer - 1] if name == "W" else (layout.sizes[layer],)
    if (not isinstance(index, list) or len(index) != len(shape)
            or any(isinstance(i, bool) or not isinstance(i, int) for i in index)
            or any(not 0 <= i < n for i, n in zip(index, shape, strict=True))):
        raise SpecError(f"{field}.index", f"must be {len(shape)} integer(s) within the shape "
                        f"{shape} of {name}{layer}", "out_of_range")
    e = np.zeros(layout.n_params)
    e[layout.flat_index(layer, name, index)] = 1.0
    return e, layer


def random_directions(trainer: Trainer, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return two filter-normalized Gaussian directions (P,) (Li et al. 2018).

    Each neuron's incoming-weight row of a direction is rescaled to the norm of the same row
    of θ; bias entries are 0.
    """
    rng = np.random.default_rng(seed)
    layout = trainer.layout
    dirs = []
    for _ in range(2):
        d = np.zeros(layout.n_params)
        d[: layout.n_weights] = rng.standard_normal(layout.n_weights)
        Dw, _ = layout.views(d)
        for D, W in zip(Dw, trainer.net.W, strict=True):
            D *= (np.linalg.norm(W, axis=1) / np.linalg.norm(D, axis=1))[:, None]
        if not np.any(d):
            raise SpecError("plane", "every weight is zero, so filter-normalized directions "
                            "vanish; use a parameters plane", "degenerate")
        dirs.append(d)
    return dirs[0], dirs[1]


def trajectory(trainer: Trainer) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Return recorded θ (T, P) ending with the current θ, and their points' metrics."""
    points = [p for p in trainer.history.points if p["step"] < trainer.t]
    current = {"step": trainer.t, "theta": trainer.theta, **trainer.metrics()}
    points = [*points, current]
    return np.stack([p["theta"] for p in points]), points


def pca_directions(thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Return the top two principal directions (P,) of a trajectory (T, P), unit length, and
    their explained-variance ratios. Signs: the start of the path has α ≤ 0 and β ≤ 0."""
    centred = thetas - thetas.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    var = s * s
    if len(s) < 2 or var[1] <= 1e-30 * max(var[0], 1e-300):
        raise SpecError("plane", "the trajectory needs at least three points that do not lie "
                        "on one line: train a few steps first", "degenerate")
    d1, d2 = vt[0].copy(), vt[1].copy()
    start = thetas[0] - thetas[-1]
    d1 *= -1.0 if start @ d1 > 0 else 1.0
    d2 *= -1.0 if start @ d2 > 0 else 1.0
    total = float(var.sum())
    return d1, d2, [float(var[0] / total), float(var[1] / total)]


def project(thetas: np.ndarray, centre: np.ndarray, d1: np.ndarray, d2: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (α (T,), β (T,), off-plane distance (T,)) of θ rows (T, P) by least squares
    on θ − centre ≈ α d1 + β d2."""
    D = np.stack([d1, d2], axis=1)
    V = (thetas - centre).T
    coef, *_ = np.linalg.lstsq(D, V, rcond=None)
    off = np.linalg.norm(V - D @ coef, axis=0)
    return coef[0], coef[1], off


def plane_directions(trainer: Trainer, plane: Any) -> dict[str, Any]:
    """Return {"d1", "d2", "first_layer", "explained_variance"?} for a plane request."""
    if not isinstance(plane, dict) or plane.get("kind") not in ("parameters", "random", "pca"):
        raise SpecError("plane.kind", "must be one of parameters, random, pca", "invalid_choice")
    kind = plane["kind"]
    if kind == "parameters":
        params = plane.get("params")
        if not isinstance(params, list) or len(params) != 2:
            raise SpecError("plane.params", "must list exactly two parameters", "shape")
        (d1, l1), (d2, l2) = (parameter_direction(trainer, p, f"plane.params[{i}]")
                              for i, p in enumerate(params))
        if d1 @ d2:
            raise SpecError("plane.params", "the two parameters must differ", "invalid")
        return {"d1": d1, "d2": d2, "first_layer": min(l1, l2)}
    if kind == "random":
        seed = plane.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise SpecError("plane.seed", "must be an integer in [0, 4294967295]", "out_of_range")
        d1, d2 = random_directions(trainer, seed)
        return {"d1": d1, "d2": d2, "first_layer": 1, "seed": seed}
    d1, d2, ratios = pca_directions(trajectory(trainer)[0])
    return {"d1": d1, "d2": d2, "first_layer": 1, "explained_variance": ratios}


def loss_surface(trainer: Trainer, plane: Any, span: float, resolution: int) -> dict[str, Any]:
    """Return the loss over a plane through θ and the projected trajectory.

    Returns:
        alpha, beta: ``linspace(−span, span, resolution)`` (res,); loss (res, res) with
        ``loss[i, j]`` the cost at θ + alpha[j] d1 + beta[i] d2; path: per recorded step its
        α, β, true recorded loss and off-plane distance, ending at the current θ (0, 0);
        d1, d2 (P,); and for PCA planes the explained-variance ratios.
    """
    check_work("resolution", float(resolution) ** 2 * trainer.data.n * trainer.layout.n_weights,
               "resolution² × samples × weights", "lower the resolution")
    info = plane_directions(trainer, plane)
    grid, loss = surface_grid(trainer, info, span, resolution)
    thetas, points = trajectory(trainer)
    path = project_path(thetas, points, trainer.theta, info["d1"], info["d2"])
    return {"alpha": grid, "beta": grid, "loss": loss, "path": path, **info}


def surface_grid(trainer: Trainer, info: dict[str, Any], span: float, resolution: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Return (grid (res,), loss (res, res)) with loss[i, j] the cost at
    θ + grid[j] d1 + grid[i] d2 for the plane ``info`` ({"d1", "d2", "first_layer"})."""
    d1, d2 = info["d1"], info["d2"]
    grid = np.linspace(-span, span, resolution)
    coef = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)  # row i*res + j: (α_j, β_i)
    base = trainer.theta.copy()

    def make(s: int, e: int) -> np.ndarray:
        return base + coef[s:e, 0:1] * d1 + coef[s:e, 1:2] * d2

    loss = batched_costs(trainer, make, len(coef), info["first_layer"])
    return grid, loss.reshape(resolution, resolution)


def project_path(thetas: np.ndarray, points: list[dict[str, Any]], centre: np.ndarray,
                 d1: np.ndarray, d2: np.ndarray) -> list[dict[str, Any]]:
    """Return the path points {"step", "alpha", "beta", "loss", "off_plane"} of θ rows
    (T, P) with their recorded metrics ``points``, projected on the plane through centre."""
    alpha, beta, off = project(thetas, centre, d1, d2)
    return [{"step": p["step"], "alpha": float(a), "beta": float(b), "loss": p["loss"],
             "off_plane": float(o)} for p, a, b, o in zip(points, alpha, beta, off, strict=True)]


def loss_slice(trainer: Trainer, param: Any, span: float, resolution: int) -> dict[str, Any]:
    """Return the cost along one parameter w with the others fixed: w + α for α in
    ``linspace(−span, span, resolution)``: {"values" (res,), "loss" (res,), "flat_index",
    "value" (w), "slope" (∂C/∂w by backprop), "learning_rate" (η), "next_value" (w − η ∂C/∂w,
    the SGD step for w alone)}."""
    check_work("resolution", float(resolution) * trainer.data.n * trainer.layout.n_weights,
               "resolution × samples × weights", "lower the resolution")
    e, layer = parameter_direction(trainer, param, "param")
    grid = np.linspace(-span, span, resolution)
    base = trainer.theta.copy()
    loss = batched_costs(trainer, lambda s, t: base + grid[s:t, None] * e, resolution, layer)
    flat = int(np.argmax(e))
    slope = float(trainer.backward()["grad"][flat])
    eta = trainer.eta()
    return {"values": base[flat] + grid, "loss": loss, "flat_index": flat,
            "value": float(base[flat]), "slope": slope, "learning_rate": eta,
            "next_value": float(base[flat]) - eta * slope}


def costs_at(trainer: Trainer, thetas: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Return the training cost at each θ row of ``thetas`` (G, P), shape (G,)."""
    T = np.asarray(thetas, dtype=np.float64)
    return batched_costs(trainer, lambda s, e: T[s:e], T.shape[0])
