"""Tests for engine.serialize (Trainer.to_dict / Trainer.from_dict): exact JSON round trips
that continue bit for bit, and tampered documents refused with the field named."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest

import engine
from engine.errors import SpecError
from engine.serialize import FORMAT


def json_round_trip(trainer):
    text = json.dumps(trainer.to_dict(), allow_nan=False)  # strict JSON: no NaN/Infinity
    return engine.Trainer.from_dict(json.loads(text))


def assert_same_session(a, b):
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.initial_theta, b.initial_theta)
    assert a.t == b.t and a.epoch == b.epoch and a.spec == b.spec
    assert set(a.optimizer.state) == set(b.optimizer.state)
    for key, value in a.optimizer.state.items():
        np.testing.assert_array_equal(b.optimizer.state[key], value)
    assert a.optimizer.hyper == b.optimizer.hyper
    assert (a.history.capacity, a.history.stride) == (b.history.capacity, b.history.stride)
    assert len(a.history.points) == len(b.history.points)
    for p, q in zip(a.history.points, b.history.points, strict=True):
        assert {k: v for k, v in p.items() if k != "theta"} == {
            k: v for k, v in q.items() if k != "theta"}
        np.testing.assert_array_equal(p["theta"], q["theta"])
    assert a.summary() == b.summary()
    assert a.early.keys() == b.early.keys()


def session(make_trainer, optimizer):
    rng = np.random.default_rng(6)
    X = rng.uniform(-1, 1, (14, 2))
    data = {"X": X.tolist(), "Y": np.sin(X[:, :1] * 2).tolist(), "validation_fraction": 0.25}
    return make_trainer(layers=[2, 4, 3, 1], activations=["tanh", "sigmoid", "linear"],
                        data=data, batch_size=4, dropout=[0.2, 0.1], seed=8,
                        regularization={"l2": 0.01},
                        optimizer={**optimizer, "decay": {"kind": "exponential", "rate": 0.9,
                                                          "every": 5}},
                        early_stopping={"patience": 50, "restore_best": True})


OPTIMIZERS = [{"name": "sgd", "learning_rate": 0.1},
              {"name": "momentum", "learning_rate": 0.05, "nesterov": True},
              {"name": "rmsprop", "learning_rate": 0.01},
              {"name": "adam", "learning_rate": 0.01}]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=[o["name"] for o in OPTIMIZERS])
def test_round_trip_is_exact_and_training_continues_bit_for_bit(make_trainer, optimizer):
    a = session(make_trainer, optimizer)
    a.step(17)
    b = json_round_trip(a)
    assert_same_session(a, b)
    assert b.early["best_step"] == a.early["best_step"] is not None
    np.testing.assert_array_equal(b.early["best_theta"], a.early["best_theta"])
    sa, sb = a.step(9), b.step(9)
    assert sa == sb
    assert_same_session(a, b)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_round_trip_of_a_fresh_and_of_a_dataset_session(make_trainer):
    assert_same_session(make_trainer(), json_round_trip(make_trainer()))
    t = engine.create({"layers": [2, 5, 3], "loss": "log_likelihood",
                       "dataset": {"name": "blobs3", "samples": 60}})
    t.step(3)
    u = json_round_trip(t)
    assert_same_session(t, u)
    assert "parameters" not in u.spec and "data" not in u.spec


def test_round_trip_keeps_explicit_initial_parameters(make_trainer):
    params = [{"W": [[0.5, -0.5], [1.0, 0.25], [0.0, 1.0]], "b": [0.1, 0.0, -0.1]},
              {"W": [[1.0, 2.0, -1.0]], "b": [0.5]}]
    t = make_trainer(parameters=params)
    t.step(4)
    u = json_round_trip(t)
    assert u.spec["parameters"] == params
    assert_same_session(t, u)
    u.reset()
    assert u.parameters() == params


def test_round_trip_of_a_diverged_and_of_an_early_stopped_session(make_trainer):
    t = make_trainer(layers=[2, 3, 3, 1], activations=["linear"] * 3,
                     optimizer={"name": "sgd", "learning_rate": 1e6})
    t.step(50)
    assert t.status == "diverged"
    u = json_round_trip(t)
    assert (u.status, u.diverged_at_step) == (t.status, t.diverged_at_step)
    assert u.step(3)["step_losses"] == [] and u.t == t.t
    X, Y = t.data.X.tolist(), t.data.Y.tolist()
    s = make_trainer(data={"X": X, "Y": Y, "X_val": X, "Y_val": [[-y[0]] for y in Y]},
                     early_stopping={"patience": 2})
    s.step(100)
    assert s.early["stopped"]
    v = json_round_trip(s)
    assert v.early["stopped"] and v.step(5)["step"] == s.t


# ------------------------------------------------------------------ tampering


def tampered(make_trainer, change):
    t = make_trainer(optimizer={"name": "adam", "learning_rate": 0.01})
    t.step(3)
    doc = json.loads(json.dumps(t.to_dict()))
    change(doc)
    with pytest.raises(SpecError) as err:
        engine.Trainer.from_dict(doc)
    return err.value


def _set(path, value):
    def change(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return change


DELETE = object()
CASES = {
    "wrong format": (["format"], "backprop-explorer/0", "format"),
    "no format": (["format"], DELETE, "format"),
    "spec not an object": (["spec"], "layers 2-3-1", "spec"),
    "bad spec inside": (["spec", "layers"], [2, 0, 1], "layers[1]"),
    "theta too short": (["parameters", 0, "W"], [[1.0, 2.0]], "parameters[0].W"),
    "NaN as a string": (["parameters", 1, "b"], ["NaN"], "parameters[1].b"),
    "a layer missing": (["parameters"], [{"W": [[0.0, 0.0]] * 3}], "parameters"),
    "initial θ not finite": (["initial_parameters", 1, "b"], [1e999], "parameters[1].b"),
    "state vector too long": (["optimizer_state", "m"], [0.0] * 20, "optimizer_state.m"),
    "state NaN string": (["optimizer_state", "v"], ["NaN"] * 13, "optimizer_state.v"),
    "state number as string": (["optimizer_state", "v"], ["0.5"] * 13, "optimizer_state.v"),
    "state key missing": (["optimizer_state", "m"], DELETE, "optimizer_state"),
    "state t negative": (["optimizer_state", "t"], -1, "optimizer_state.t"),
    "step not an integer": (["step"], 2.5, "step"),
    "unknown status": (["status"], "exploded", "status"),
    "history θ too short": (["history", "points", 1, "theta"], [0.0] * 12,
                            "history.points[1].theta"),
    "history loss NaN string": (["history", "points", 0, "loss"], "NaN",
                                "history.points[0].loss"),
    "history steps not increasing": (["history", "points", 2, "step"], 1,
                                     "history.points[2].step"),
    "history not an object": (["history"], [], "history"),
    "early state not an object": (["early_stopping_state"], [1, 2],
                                  "early_stopping_state"),
    "early best_loss a string": (["early_stopping_state", "best_loss"], "low",
                                 "early_stopping_state.best_loss"),
    "early since_best a string": (["early_stopping_state", "since_best"], "two",
                                  "early_stopping_state.since_best"),
    "early stopped a string": (["early_stopping_state", "stopped"], "false",
                               "early_stopping_state.stopped"),
    "early best θ too short": (["early_stopping_state", "best_theta"], [1.0],
                               "early_stopping_state.best_theta"),
}


@pytest.mark.parametrize("case", CASES)
def test_tampered_document_names_the_field(make_trainer, case):
    path, value, field = CASES[case]
    assert tampered(make_trainer, _set(path, value)).field == field


def test_document_shape_and_strictness(make_trainer):
    t = make_trainer()
    doc = t.to_dict()
    assert doc["format"] == FORMAT
    assert set(doc) == {"format", "spec", "parameters", "initial_parameters", "optimizer_state",
                        "step", "epoch_base", "epoch_base_step", "status", "diverged_at_step",
                        "early_stopping_state", "history"}
    with pytest.raises(SpecError) as err:
        engine.Trainer.from_dict([doc])
    assert err.value.field == "format"
    # a float survives the JSON text exactly (repr round trip), so does θ
    doc2 = json.loads(json.dumps(copy.deepcopy(doc)))
    assert doc2["parameters"] == doc["parameters"]
    assert all(math.isfinite(v) for layer in doc2["parameters"] for v in layer["b"])
