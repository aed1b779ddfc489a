"""Load a session saved by ``Trainer.to_dict``, checking it like any other user input.

Design goal: an exported document is self-contained (spec, parameters, optimizer state,
history) and importing it gives back the same session bit for bit; a damaged or hand-edited
document is refused with an error naming the field, never half-loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import SpecError
from engine.history import History
from engine.initializers import check_array, parameters_to_theta
from engine.spec import check_number

if TYPE_CHECKING:
    from engine.trainer import Trainer

FORMAT = "backprop-explorer/1"


def _check_history(data: Any, n_params: int) -> History:
    if not isinstance(data, dict) or not isinstance(data.get("points"), list):
        raise SpecError("history", "must be an object with points", "type")
    check_number(data.get("capacity"), "history.capacity", 2, 100_000, integer=True)
    check_number(data.get("stride"), "history.stride", 1, 2**40, integer=True)
    last = -1
    for i, p in enumerate(data["points"]):
        field = f"history.points[{i}]"
        if not isinstance(p, dict):
            raise SpecError(field, "must be an object", "type")
        step = check_number(p.get("step"), f"{field}.step", 0, 2**40, integer=True)
        if step <= last:
            raise SpecError(f"{field}.step", "steps must increase", "order")
        last = step
        check_array(p.get("theta"), (n_params,), f"{field}.theta")
        for key in ("loss", "validation_loss", "accuracy", "validation_accuracy"):
            if p.get(key) is not None:
                check_number(p[key], f"{field}.{key}")
    return History.from_dict(data, n_params)


def _check_early(early: dict[str, Any], n_params: int) -> dict[str, Any]:
    field = "early_stopping_state"
    best, loss, step = early.get("best_theta"), early.get("best_loss"), early.get("best_step")
    stopped = early.get("stopped", False)
    if not isinstance(stopped, bool):
        raise SpecError(f"{field}.stopped", "must be true or false", "type")
    return {
        "best_loss": None if loss is None else check_number(loss, f"{field}.best_loss"),
        "best_step": None if step is None else check_number(step, f"{field}.best_step", 0,
                                                            2**40, integer=True),
        "since_best": check_number(early.get("since_best", 0), f"{field}.since_best", 0, 2**40,
                                   integer=True),
        "stopped": stopped,
        "best_theta": None if best is None
        else check_array(best, (n_params,), f"{field}.best_theta"),
    }


def load_trainer(cls: type[Trainer], doc: Any) -> Trainer:
    """Return a Trainer restored from ``doc`` or raise SpecError."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SpecError("format", f"must be {FORMAT!r} (a document from export)", "invalid")
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        raise SpecError("spec", "must be an object", "type")
    trainer = cls({**spec, "parameters": doc.get("initial_parameters")})
    if spec.get("parameters") is None:
        trainer.spec.pop("parameters", None)
    layout = trainer.layout
    trainer.initial_theta = trainer.theta.copy()
    trainer.theta[...] = parameters_to_theta(layout, doc.get("parameters"), "parameters")
    state = doc.get("optimizer_state")
    expected = trainer.optimizer.initial_state(layout.n_params)
    if not isinstance(state, dict) or set(state) != set(expected):
        raise SpecError("optimizer_state", f"must have the fields {sorted(expected)}", "shape")
    for key in expected:
        if key == "t":
            check_number(state[key], "optimizer_state.t", 0, 2**40, integer=True)
        else:
            check_array(state[key], (layout.n_params,), f"optimizer_state.{key}")
    trainer.optimizer.load_state(state)
    trainer.t = check_number(doc.get("step"), "step", 0, 2**40, integer=True)
    trainer.epoch_base = check_number(doc.get("epoch_base", 0), "epoch_base", 0, 2**40,
                                      integer=True)
    trainer.epoch_base_step = check_number(doc.get("epoch_base_step", 0), "epoch_base_step", 0,
                                           trainer.t, integer=True)
    if doc.get("status") not in ("ok", "diverged"):
        raise SpecError("status", "must be ok or diverged", "invalid")
    trainer.status = doc["status"]
    at = doc.get("diverged_at_step")
    trainer.diverged_at_step = None if at is None else check_number(
        at, "diverged_at_step", 0, 2**40, integer=True)
    early = doc.get("early_stopping_state") or {}
    if not isinstance(early, dict):
        raise SpecError("early_stopping_state", "must be an object", "type")
    if early:
        trainer.early = _check_early(early, layout.n_params)
    trainer.history = _check_history(doc.get("history"), layout.n_params)
    trainer._metrics = None
    return trainer
