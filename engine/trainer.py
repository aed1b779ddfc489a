"""A training session: a network, its data, optimizer, schedule, history and status.

Design goal: ``Trainer(spec)`` is the engine's front door. It is built from the same JSON-style
spec the API accepts, every result is a plain dict of NumPy arrays and floats, and the whole
session (parameters, optimizer state, history) round-trips through ``to_dict``/``from_dict``
bit for bit. A step never leaves a non-finite number behind: a diverging update is refused,
the last finite parameters are kept and the status says at which step it diverged.

Steps are counted from 0; step t's update turns θ_t into θ_{t+1}. Mini-batches follow a
per-epoch permutation drawn from ``[seed, 0, epoch]`` and dropout masks from ``[seed, 1, t]``,
so a run is reproducible from the spec alone and needs no random-generator state.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from engine.errors import SpecError
from engine.history import History
from engine.initializers import initialize, parameters_to_theta, theta_to_parameters
from engine.losses import LOSSES, add_regularization_grad, regularization_cost
from engine.network import Layout, Network
from engine.optimizers import OPTIMIZERS, learning_rate
from engine.serialize import FORMAT, load_trainer
from engine.spec import check_work, merge_hyper, normalize_spec
from engine.training_data import build_data


class Trainer:
    """A network with its data and training state.

    Args:
        spec: the JSON-style spec (see ``engine.spec``); it is validated and canonicalised.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = normalize_spec(spec)
        self.data = build_data(self.spec)
        self.loss = LOSSES[self.spec["loss"]]
        theta = self._initial_theta()
        self.initial_theta = theta.copy()
        self.net = Network(self.spec["layers"], self.spec["activations"], theta)
        self.layout = self.net.layout
        self.theta = self.net.theta
        self._scratch = np.empty_like(self.theta)
        self._configure(new_optimizer=True)
        self._restart()

    # ----------------------------------------------------------------- set-up
    def _initial_theta(self) -> np.ndarray:
        layout = Layout(self.spec["layers"])
        if self.spec.get("parameters") is not None:
            return parameters_to_theta(layout, self.spec["parameters"])
        return initialize(layout, self.spec["init"])

    def _configure(self, new_optimizer: bool) -> None:
        """Apply the hyper-parameters of ``self.spec`` (after creation or a PATCH)."""
        opt = self.spec["optimizer"]
        hyper = {k: v for k, v in opt.items() if k not in ("name", "learning_rate", "decay")}
        if new_optimizer:
            self.optimizer = OPTIMIZERS[opt["name"]](self.layout.n_params, **hyper)
        else:
            self.optimizer.hyper.update(hyper)
        bs = self.spec["batch_size"]
        if bs is not None and bs > self.data.n:
            raise SpecError("batch_size", f"must be at most the training-set size "
                            f"({self.data.n}), or null for the full batch", "out_of_range")
        self.batch_size = self.data.n if bs is None else bs
        self.steps_per_epoch = math.ceil(self.data.n / self.batch_size)
        p = self.spec["dropout"]
        hidden = self.net.L - 1
        self.dropout = list(p) if isinstance(p, list) else [p] * hidden
        self.reg = self.spec["regularization"]
        self.full_batch = self.batch_size == self.data.n and not any(self.dropout)

    def _restart(self) -> None:
        """Start the run from ``self.theta`` at step 0 with fresh state and history."""
        self.t = 0
        self.epoch_base, self.epoch_base_step = 0, 0
        self.status = "ok"
        self.diverged_at_step: int | None = None
        self.early = {"best_loss": None, "best_step": None, "since_best": 0, "stopped": False,
                      "best_theta": None}
        self._prev: tuple[np.ndarray, dict[str, Any], int] | None = None
        self.last_masks: list[np.ndarray | None] | None = None
        #: after step(1): {"step", "theta_before", "eta", "grad", "masks"} of that update
        self.last_update: dict[str, Any] | None = None
        self.history = History(self.layout.n_params)
        self._metrics: dict[str, Any] | None = None
        self.history.record(0, self.theta, **self.metrics())

    # -------------------------------------------------------------- evaluation
    def _cost_from(self, z: np.ndarray, a: np.ndarray, Y: np.ndarray) -> float:
        data_cost = float(np.mean(self.loss.fn(z, a, Y)))
        if not (self.reg["l1"] or self.reg["l2"]):
            return data_cost
        weights = self.theta[: self.layout.n_weights]
        return data_cost + float(regularization_cost(weights, self.reg["l1"], self.reg["l2"],
                                                     self.data.n))

    def accuracy(self, A: np.ndarray, Y: np.ndarray) -> float | None:
        """Return the fraction of rows of outputs A (m, nL) that predict Y's class."""
        if self.data.kind != "classification" or Y.shape[0] == 0:
            return None
        if Y.shape[1] == 1:
            thr = self.data.threshold
            return float(np.mean((A[:, 0] > thr) == (Y[:, 0] > thr)))
        return float(np.mean(np.argmax(A, axis=1) == np.argmax(Y, axis=1)))

    def metrics(self) -> dict[str, Any]:
        """Return loss, accuracy, validation_loss, validation_accuracy at the current θ."""
        if self._metrics is None:
            with np.errstate(over="ignore", invalid="ignore"):
                self._metrics = self._evaluate()
        return dict(self._metrics)

    def _evaluate(self, train: tuple[float, np.ndarray] | None = None) -> dict[str, Any]:
        """Return the metrics at θ; ``train`` = (cost, output (n, nL)) on the training set
        when a forward pass already computed them."""
        d = self.data
        if train is None:
            zs, acts = self.net.forward(d.X)
            train = (self._cost_from(zs[-1], acts[-1], d.Y), acts[-1])
        out: dict[str, Any] = {"loss": train[0], "accuracy": self.accuracy(train[1], d.Y),
                               "validation_loss": None, "validation_accuracy": None}
        if d.X_val.shape[0]:
            zv, av = self.net.forward(d.X_val)
            out["validation_loss"] = self._cost_from(zv[-1], av[-1], d.Y_val)
            out["validation_accuracy"] = self.accuracy(av[-1], d.Y_val)
        return out

    def forward(self, X: np.ndarray | None = None) -> dict[str, Any]:
        """Return {"zs", "activations", "loss"} for X (m, n0) (default: the training set).

        ``loss`` is the cost on the training set, or None for other inputs (no targets).
        """
        inputs = self.data.X if X is None else X
        zs, acts = self.net.forward(inputs)
        loss = self._cost_from(zs[-1], acts[-1], self.data.Y) if X is None else None
        return {"zs": zs, "activations": acts, "loss": loss}

    def backward(self, X: np.ndarray | None = None, Y: np.ndarray | None = None
                 ) -> dict[str, Any]:
        """Return forward values, per-sample deltas and the gradient at the current θ.

        Without dropout, on X (m, n0) and Y (m, nL) (default: the training set).
        Returns: zs, activations, deltas (L arrays (m, nˡ)), loss, nabla_W (L arrays
        (nˡ, nˡ⁻¹)), nabla_b (L arrays (nˡ,)) and grad (P,): batch means including
        regularization. Nothing is changed.
        """
        X = self.data.X if X is None else X
        Y = self.data.Y if Y is None else Y
        zs, acts = self.net.forward(X)
        deltas = self.net.backprop(zs, acts, Y, self.loss)
        self._add_reg_grad()
        grad = self.net.grad.copy()
        nabla_W, nabla_b = self.layout.views(grad)
        return {"zs": zs, "activations": acts, "deltas": deltas, "grad": grad,
                "nabla_W": nabla_W, "nabla_b": nabla_b,
                "loss": self._cost_from(zs[-1], acts[-1], Y)}

    def _add_reg_grad(self) -> None:
        nw = self.layout.n_weights
        add_regularization_grad(self.net.grad[:nw], self.theta[:nw], self.reg["l1"],
                                self.reg["l2"], self.data.n)

    def eta(self) -> float:
        """Return the learning rate for the next update (after decay)."""
        opt = self.spec["optimizer"]
        return learning_rate(opt["learning_rate"], opt["decay"], self.t)

    @property
    def epoch(self) -> int:
        """Completed epochs (an epoch is ``steps_per_epoch`` updates)."""
        return self.epoch_base + (self.t - self.epoch_base_step) // self.steps_per_epoch

    # ---------------------------------------------------------------- training
    def _batch(self, t: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray | None] | None]:
        """Return (X_b (k, n0), Y_b (k, nL), dropout masks) for step t."""
        d = self.data
        if self.batch_size == d.n:
            Xb, Yb = d.X, d.Y
        else:
            rel = t - self.epoch_base_step
            epoch = self.epoch_base + rel // self.steps_per_epoch
            j = rel % self.steps_per_epoch
            perm = np.random.default_rng([self.spec["seed"], 0, epoch]).permutation(d.n)
            idx = perm[j * self.batch_size:(j + 1) * self.batch_size]
            Xb, Yb = d.X[idx], d.Y[idx]
        if not any(self.dropout):
            return Xb, Yb, None
        rng = np.random.default_rng([self.spec["seed"], 1, t])
        masks: list[np.ndarray | None] = []
        for l, p in enumerate(self.dropout):
            keep = rng.random((Xb.shape[0], self.net.sizes[l + 1])) >= p
            masks.append(keep / (1.0 - p) if p else None)
        return Xb, Yb, masks + [None]

    def step(self, k: int = 1) -> dict[str, Any]:
        """Run up to k updates and return a summary.

        Returns: the ``summary()`` fields plus ``steps_done`` and ``step_losses`` (the cost
        of each update's batch at the parameters it started from: the full training loss
        for full-batch training without dropout).
        """
        check_work("steps", float(k) * self.batch_size * self.layout.n_weights,
                   "steps × batch size × weights", "use fewer steps")
        losses: list[float] = []
        self.last_update = None
        # Overflow on the way to divergence is detected and reported, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            self._train(k, losses)
        return {**self.summary(), "steps_done": len(losses), "step_losses": losses}

    def _train(self, k: int, losses: list[float]) -> None:
        """Run up to k updates, appending each update's starting cost to ``losses``."""
        if self.status == "ok" and not self.early["stopped"]:
            start = self.t
            before = (self.theta.copy(), self.eta()) if k == 1 else None
            for _ in range(k):
                if not self._update(losses) or self.early["stopped"]:
                    break
            self._metrics = None
            self._check_final()
            del losses[self.t - start:]
            if before is not None and self.t == start + 1:
                self.last_update = {"step": start, "theta_before": before[0], "eta": before[1],
                                    "grad": self.net.grad.copy(), "masks": self.last_masks}

    def _update(self, losses: list[float]) -> bool:
        """Do one update; return False if training must stop (divergence)."""
        t = self.t
        Xb, Yb, masks = self._batch(t)
        zs, acts = self.net.forward(Xb, masks)
        cost = self._cost_from(zs[-1], acts[-1], Yb)
        if not math.isfinite(cost):
            return self._diverge(t, rollback=True)
        if self.history.due(t) and t > 0:
            self._record(t, cost, acts[-1])
        self.net.backprop(zs, acts, Yb, self.loss, masks)
        self._add_reg_grad()
        step, state = self.optimizer.propose(self.net.grad, self.eta())
        new = np.subtract(self.theta, step, out=self._scratch)
        if not np.isfinite(new).all():
            return self._diverge(t + 1, rollback=False)
        self._prev = (self.theta.copy(), self.optimizer.state, t)
        self.theta[...] = new
        self.optimizer.commit(state)
        self.t = t + 1
        self._metrics = None
        self.last_masks = masks
        losses.append(cost)
        epoch_done = (self.t - self.epoch_base_step) % self.steps_per_epoch == 0
        if self.spec["early_stopping"] and epoch_done:
            self._check_early_stopping()
        return True

    def _record(self, t: int, cost: float, out: np.ndarray) -> None:
        """Record θ_t in the history; a full-batch step's cost and output are reused."""
        self._metrics = self._evaluate((cost, out) if self.full_batch else None)
        self.history.record(t, self.theta, **self._metrics)

    def _diverge(self, at_step: int, rollback: bool) -> bool:
        """Mark divergence; with ``rollback`` undo the last update (it gave a non-finite loss)."""
        if rollback and self._prev is not None and self._prev[2] == self.t - 1:
            theta, state, t = self._prev
            self.theta[...] = theta
            self.optimizer.commit(state)
            self.t = t
            self.history.truncate_after(t)
            at_step = t + 1
        self.status = "diverged"
        self.diverged_at_step = at_step
        self._metrics = None
        return False

    def _check_final(self) -> None:
        """Evaluate the current θ; roll back the last update if its loss is not finite."""
        m = self.metrics()
        if not math.isfinite(m["loss"]) or (m["validation_loss"] is not None
                                            and not math.isfinite(m["validation_loss"])):
            self._diverge(self.t, rollback=True)

    def _check_early_stopping(self) -> None:
        self._metrics = None
        val = self.metrics()["validation_loss"]
        if val is None:
            return
        e = self.early
        if e["best_loss"] is None or val < e["best_loss"]:
            e.update(best_loss=val, best_step=self.t, since_best=0, best_theta=self.theta.copy())
            return
        e["since_best"] += 1
        if e["since_best"] >= self.spec["early_stopping"]["patience"]:
            e["stopped"] = True
            if self.spec["early_stopping"]["restore_best"]:
                self.theta[...] = e["best_theta"]
                self._metrics = None

    def summary(self) -> dict[str, Any]:
        """Return step, epoch, losses, accuracies, status and the learning rate."""
        m = {k: v if v is None or math.isfinite(v) else None for k, v in self.metrics().items()}
        return {"step": self.t, "epoch": self.epoch, **m, "status": self.status,
                "diverged_at_step": self.diverged_at_step,
                "early_stopped": self.early["stopped"], "best_step": self.early["best_step"],
                "learning_rate": self.eta()}

    # ------------------------------------------------------------ modification
    def set_parameters(self, params: Any, field: str = "parameters") -> None:
        """Replace θ by explicit parameters (checked); the step count and optimizer state stay."""
        self.theta[...] = parameters_to_theta(self.layout, params, field)
        self.status, self.diverged_at_step = "ok", None
        self._metrics = None
        self._prev = None
        self.history.truncate_after(self.t - 1)
        self.history.record(self.t, self.theta, **self.metrics())

    def update_hyper(self, patch: dict[str, Any]) -> None:
        """Change hyper-parameters (optimizer, batch size, regularization, dropout, seed,
        early stopping) keeping the weights; a changed ``init`` re-initializes and resets."""
        epoch = self.epoch  # completed epochs, counted with the old batch size
        new_spec = merge_hyper(self.spec, patch)
        old_spec, self.spec = self.spec, new_spec
        try:
            self._configure(new_optimizer=new_spec["optimizer"]["name"]
                            != old_spec["optimizer"]["name"])
        except SpecError:
            self.spec = old_spec
            self._configure(new_optimizer=False)
            raise
        if new_spec["batch_size"] != old_spec["batch_size"]:
            self.epoch_base, self.epoch_base_step = epoch, self.t
        self.status, self.diverged_at_step = "ok", None
        self.early["stopped"] = False
        self._metrics = None
        if "init" in patch:
            self.spec.pop("parameters", None)
            self.initial_theta = self._initial_theta()
            self.reset()

    def set_data(self, data: dict[str, Any]) -> None:
        """Replace the training data (``{"X", "Y", "X_val"?, "Y_val"?}``), keeping θ and the
        step count; the history starts again from the current point (old losses were on
        other data)."""
        spec = {k: v for k, v in self.spec.items() if k != "dataset"}
        spec["data"] = data
        new_data = build_data(normalize_spec(spec))
        old = self.spec, self.data
        self.spec, self.data = spec, new_data
        try:
            self._configure(new_optimizer=False)
        except SpecError:
            self.spec, self.data = old
            self._configure(new_optimizer=False)
            raise
        self._metrics = None
        self._prev = None
        self.history = History(self.layout.n_params)
        self.history.record(self.t, self.theta, **self.metrics())

    def reset(self) -> None:
        """Return to the initial parameters at step 0 (replays the same run)."""
        self.theta[...] = self.initial_theta
        self._configure(new_optimizer=True)
        self._restart()

    # ----------------------------------------------------------- serialization
    def parameters(self) -> list[dict[str, Any]]:
        """Return the current parameters as ``[{"W", "b"}, …]`` lists."""
        return theta_to_parameters(self.layout, self.theta)

    def snapshot(self) -> Trainer:
        """Return a copy that shares the (read-only) data but owns θ and the history list,
        so a long computation (loss surface) can run on it while this one keeps training."""
        clone = copy.copy(self)
        clone.theta = self.theta.copy()
        clone.net = Network(self.spec["layers"], self.spec["activations"], clone.theta)
        clone.history = copy.copy(self.history)
        clone.history.points = list(self.history.points)
        clone._metrics = self.metrics()
        return clone

    def to_dict(self) -> dict[str, Any]:
        """Return the whole session as a JSON-safe dict (exact float round trip)."""
        return {"format": FORMAT, "spec": self.spec,
                "initial_parameters": self.initial_parameters(), **self.state_dict(),
                "history": self.history.to_dict()}

    def initial_parameters(self) -> list[dict[str, Any]]:
        """Return the parameters at step 0 (what reset returns to) as ``[{"W", "b"}, …]``."""
        return theta_to_parameters(self.layout, self.initial_theta)

    def state_dict(self) -> dict[str, Any]:
        """Return what training changes (no spec, initial parameters or history points)."""
        e = self.early
        return {
            "parameters": self.parameters(),
            "optimizer_state": self.optimizer.state_dict(), "step": self.t,
            "epoch_base": self.epoch_base, "epoch_base_step": self.epoch_base_step,
            "status": self.status, "diverged_at_step": self.diverged_at_step,
            "early_stopping_state": {**{k: v for k, v in e.items() if k != "best_theta"},
                                     "best_theta": None if e["best_theta"] is None
                                     else e["best_theta"].tolist()},
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Trainer:
        """Return the session saved by ``to_dict`` (checked, as it may come from a user)."""
        return load_trainer(cls, doc)
