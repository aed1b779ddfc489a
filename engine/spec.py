"""The one front door: validate a JSON-style spec and fill in every default.

Design goal: the API and a notebook user drive the engine with the same plain dict, and every
mistake in it is reported as a ``SpecError`` that names the field and the limit, before any
work is done. ``normalize_spec`` returns a canonical spec (all defaults explicit) that is
stored and exported, so the same canonical spec always rebuilds the same network.
"""

from __future__ import annotations

import math
from typing import Any

from engine.activations import ACTIVATIONS
from engine.datasets import DATASETS
from engine.errors import SpecError
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS

#: Limits enforced before any work (the API documents the same numbers).
LIMITS = {
    "weight_layers": 10,
    "neurons": 64,
    "samples": 10_000,
    "features": 64,
    "steps": 10_000,
    "resolution": 201,
    "seed": 2**32 - 1,
    "learning_rate": 1e6,
    "lambda": 1e6,
    #: multiply-adds one request may cost (≈ 10–20 s on one core); see ``check_work``
    "work": 2e10,
}
INIT_SCHEMES = ("xavier", "xavier_normal", "he", "normal", "zeros")
DECAY_KINDS = ("none", "step", "exponential", "inverse_time")
DEFAULT_OUTPUT = {"quadratic": "tanh", "cross_entropy": "sigmoid", "log_likelihood": "softmax"}


def check_number(value: Any, field: str, lo: float | None = None, hi: float | None = None, *,
                 integer: bool = False, lo_open: bool = False, hi_open: bool = False) -> Any:
    """Return ``value`` as int/float after checking type and bounds, else raise SpecError."""
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type:
        kind = "an integer" if integer else "a number"
        raise SpecError(field, f"must be {kind}, got {type(value).__name__}", "type")
    if not integer and not math.isfinite(value):
        raise SpecError(field, "must be a finite number", "not_finite")
    low_bad = lo is not None and (value <= lo if lo_open else value < lo)
    high_bad = hi is not None and (value >= hi if hi_open else value > hi)
    if low_bad or high_bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        rng = f"{left}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}{right}"
        raise SpecError(field, f"must be in {rng}, got {value}", "out_of_range")
    return int(value) if integer else float(value)


def check_work(field: str, macs: float, what: str, advice: str) -> None:
    """Raise SpecError if a computation of ``macs`` multiply-adds exceeds the work limit.

    Args:
        field: the request field to name (the one to lower).
        macs: estimated multiply-adds, e.g. steps × batch size × weights.
        what: how the estimate is formed, in words.
        advice: what to lower.
    """
    if macs > LIMITS["work"]:
        raise SpecError(field, f"this needs about {macs:.2g} multiply-adds ({what}); the limit "
                        f"is {LIMITS['work']:.0g}: {advice}", "too_much_work")


def check_choice(value: Any, field: str, choices: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise SpecError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise SpecError(field, f"must be one of {', '.join(choices)}; got {value!r}",
                        "invalid_choice")
    return value


def _dict(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(field, "must be an object", "type")
    return value


def _reject_unknown(d: dict[str, Any], field: str, allowed: tuple[str, ...]) -> None:
    for key in d:
        if key not in allowed:
            raise SpecError(f"{field}.{key}" if field else key,
                            f"is not a known field; known fields: {', '.join(allowed)}",
                            "unknown_field")


def normalize_layers(spec: dict[str, Any]) -> tuple[list[int], list[str], str]:
    """Return (layers, activations, loss) checked against each other."""
    layers = spec.get("layers")
    if not isinstance(layers, list) or not 2 <= len(layers) <= LIMITS["weight_layers"] + 1:
        raise SpecError("layers", "must be a list of 2 to "
                        f"{LIMITS['weight_layers'] + 1} layer sizes (input first)", "out_of_range")
    for i, n in enumerate(layers):
        limit = LIMITS["features"] if i == 0 else LIMITS["neurons"]
        check_number(n, f"layers[{i}]", 1, limit, integer=True)
    L = len(layers) - 1
    loss = check_choice(spec.get("loss", "quadratic"), "loss", list(LOSSES))
    acts = spec.get("activations")
    if acts is None:
        acts = ["tanh"] * (L - 1) + [DEFAULT_OUTPUT[loss]]
    if not isinstance(acts, list) or len(acts) != L:
        raise SpecError("activations", f"must list one activation per weight layer ({L})", "shape")
    for i, name in enumerate(acts):
        check_choice(name, f"activations[{i}]", list(ACTIVATIONS))
        if name == "softmax" and i != L - 1:
            raise SpecError(f"activations[{i}]", "softmax is allowed on the output layer only")
    required = LOSSES[loss].requires
    if required is not None and acts[-1] not in required:
        raise SpecError("loss", f"{loss} needs a {required[0]} output layer, "
                        f"but the output activation is {acts[-1]}", "mismatch")
    if acts[-1] == "softmax" and layers[-1] < 2:
        raise SpecError("layers", "a softmax output layer needs at least 2 neurons", "mismatch")
    return [int(n) for n in layers], list(acts), loss


def normalize_init(value: Any) -> dict[str, Any]:
    init = _dict(value, "init")
    _reject_unknown(init, "init", ("scheme", "seed", "scale"))
    out = {
        "scheme": check_choice(init.get("scheme", "xavier"), "init.scheme", INIT_SCHEMES),
        "seed": check_number(init.get("seed", 0), "init.seed", 0, LIMITS["seed"], integer=True),
    }
    if out["scheme"] == "normal":
        out["scale"] = check_number(init.get("scale", 1.0), "init.scale", 0, 100, lo_open=True)
    return out


def normalize_optimizer(value: Any) -> dict[str, Any]:
    opt = _dict(value, "optimizer")
    name = check_choice(opt.get("name", "sgd"), "optimizer.name", list(OPTIMIZERS))
    known = ("name", "learning_rate", "decay", *OPTIMIZERS[name].defaults)
    _reject_unknown(opt, "optimizer", known)
    out: dict[str, Any] = {
        "name": name,
        "learning_rate": check_number(opt.get("learning_rate", 0.1), "optimizer.learning_rate",
                                      0, LIMITS["learning_rate"], lo_open=True),
    }
    for key, default in OPTIMIZERS[name].defaults.items():
        field = f"optimizer.{key}"
        if isinstance(default, bool):
            val = opt.get(key, default)
            if not isinstance(val, bool):
                raise SpecError(field, "must be true or false", "type")
            out[key] = val
        elif key == "epsilon":
            out[key] = check_number(opt.get(key, default), field, 0, 1, lo_open=True)
        else:
            out[key] = check_number(opt.get(key, default), field, 0, 1, hi_open=True)
    out["decay"] = normalize_decay(opt.get("decay"))
    return out


def normalize_decay(value: Any) -> dict[str, Any]:
    decay = _dict(value, "optimizer.decay")
    _reject_unknown(decay, "optimizer.decay", ("kind", "rate", "every"))
    kind = check_choice(decay.get("kind", "none"), "optimizer.decay.kind", DECAY_KINDS)
    if kind == "none":
        return {"kind": "none"}
    hi = 1.0 if kind in ("step", "exponential") else 1e6
    return {
        "kind": kind,
        "rate": check_number(decay.get("rate", 0.5 if kind != "inverse_time" else 0.01),
                             "optimizer.decay.rate", 0, hi, lo_open=True),
        "every": check_number(decay.get("every", 100), "optimizer.decay.every", 1, 10**9,
                              integer=True),
    }


def normalize_training(spec: dict[str, Any], L: int) -> dict[str, Any]:
    """Return the hyper-parameters that PATCH may change, checked."""
    bs = spec.get("batch_size")
    reg = _dict(spec.get("regularization"), "regularization")
    _reject_unknown(reg, "regularization", ("l1", "l2"))
    dropout = spec.get("dropout", 0.0)
    if isinstance(dropout, list):
        if len(dropout) != L - 1:
            raise SpecError("dropout", f"must give one probability per hidden layer ({L - 1})",
                            "shape")
        dropout = [check_number(p, f"dropout[{i}]", 0, 1, hi_open=True)
                   for i, p in enumerate(dropout)]
    else:
        dropout = check_number(dropout, "dropout", 0, 1, hi_open=True)
    es = spec.get("early_stopping")
    if es is not None:
        es = _dict(es, "early_stopping")
        _reject_unknown(es, "early_stopping", ("patience", "restore_best"))
        restore = es.get("restore_best", False)
        if not isinstance(restore, bool):
            raise SpecError("early_stopping.restore_best", "must be true or false", "type")
        es = {"patience": check_number(es.get("patience", 10), "early_stopping.patience", 1,
                                       10**6, integer=True), "restore_best": restore}
    return {
        "optimizer": normalize_optimizer(spec.get("optimizer")),
        "batch_size": None if bs is None else check_number(bs, "batch_size", 1,
                                                           LIMITS["samples"], integer=True),
        "regularization": {
            "l1": check_number(reg.get("l1", 0.0), "regularization.l1", 0, LIMITS["lambda"]),
            "l2": check_number(reg.get("l2", 0.0), "regularization.l2", 0, LIMITS["lambda"]),
        },
        "dropout": dropout,
        "early_stopping": es,
        "seed": check_number(spec.get("seed", 0), "seed", 0, LIMITS["seed"], integer=True),
    }


SPEC_FIELDS = ("layers", "activations", "loss", "init", "parameters", "data", "dataset",
               "optimizer", "batch_size", "regularization", "dropout", "early_stopping", "seed")
HYPER_FIELDS = ("optimizer", "batch_size", "regularization", "dropout", "early_stopping", "seed")


def normalize_spec(spec: Any) -> dict[str, Any]:
    """Return the canonical spec (every default explicit) or raise SpecError.

    The data fields (``data`` / ``dataset``) are checked for form here and for content
    when the data are built (``engine.data``); ``parameters`` are checked by the trainer.
    """
    spec = _dict(spec, "spec")
    _reject_unknown(spec, "", SPEC_FIELDS)
    layers, acts, loss = normalize_layers(spec)
    out: dict[str, Any] = {"layers": layers, "activations": acts, "loss": loss,
                           "init": normalize_init(spec.get("init"))}
    if spec.get("data") is not None and spec.get("dataset") is not None:
        raise SpecError("data", "give either data or dataset, not both", "conflict")
    if spec.get("data") is not None:
        data = _dict(spec["data"], "data")
        _reject_unknown(data, "data", ("X", "Y", "X_val", "Y_val", "validation_fraction", "seed"))
        out["data"] = data
    else:
        dataset = _dict(spec.get("dataset"), "dataset")
        _reject_unknown(dataset, "dataset",
                        ("name", "samples", "noise", "seed", "validation_fraction"))
        if "name" not in dataset and layers[0] != 2:
            raise SpecError("dataset", "give data (X, Y) or a dataset matching "
                            f"{layers[0]} inputs", "missing")
        name = dataset.get("name", "xor")
        defaults = DATASETS[name]["defaults"] if name in DATASETS else {}
        out["dataset"] = {
            "name": name,
            "samples": dataset.get("samples", defaults.get("samples", 200)),
            "noise": dataset.get("noise", defaults.get("noise", 0.1)),
            "seed": dataset.get("seed", 0),
            "validation_fraction": dataset.get("validation_fraction", 0.2),
        }
    if spec.get("parameters") is not None:
        out["parameters"] = spec["parameters"]
    out.update(normalize_training(spec, len(layers) - 1))
    return out


def merge_hyper(canonical: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Return the canonical spec with the hyper-parameters in ``patch`` changed (checked).

    ``optimizer`` in the patch is merged into the current optimizer when it names the same
    optimizer (so ``{"optimizer": {"learning_rate": 0.1}}`` keeps the rest).
    """
    patch = _dict(patch, "patch")
    _reject_unknown(patch, "", (*HYPER_FIELDS, "init"))
    merged = {k: v for k, v in canonical.items() if k in HYPER_FIELDS}
    for key, value in patch.items():
        if key == "optimizer" and isinstance(value, dict):
            base = dict(canonical["optimizer"])
            if value.get("name", base["name"]) != base["name"]:
                # a different optimizer keeps the learning rate and its decay only
                base = {"learning_rate": base["learning_rate"], "decay": base["decay"]}
            merged["optimizer"] = {**base, **value}
        elif key != "init":
            merged[key] = value
    out = dict(canonical)
    out.update(normalize_training(merged, len(canonical["layers"]) - 1))
    if "init" in patch:
        out["init"] = normalize_init({**canonical["init"], **_dict(patch["init"], "init")})
    return out
