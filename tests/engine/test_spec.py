"""Tests for engine.spec (through engine.create): defaults, canonical form, and one SpecError
naming the exact field for every kind of bad input."""

from __future__ import annotations

import copy
import math

import pytest

import engine
from engine.errors import SpecError
from engine.spec import LIMITS, merge_hyper, normalize_spec

DATA = {"X": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], "Y": [[1.0], [1.0], [0.0], [0.0]]}
BASE = {"layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "cross_entropy",
        "data": DATA}


def with_(**fields):
    spec = copy.deepcopy(BASE)
    spec.update(fields)
    return spec


def field_of(spec) -> SpecError:
    with pytest.raises(SpecError) as err:
        engine.create(spec)
    return err.value


def test_defaults_are_explicit_in_the_canonical_spec():
    t = engine.create({"layers": [2, 4, 4, 1]})
    s = t.spec
    assert s["activations"] == ["tanh", "tanh", "tanh"] and s["loss"] == "quadratic"
    assert s["init"] == {"scheme": "xavier", "seed": 0}
    assert s["optimizer"] == {"name": "sgd", "learning_rate": 0.1, "decay": {"kind": "none"}}
    assert s["dataset"] == {"name": "xor", "samples": 200, "noise": 0.0, "seed": 0,
                            "validation_fraction": 0.2}  # xor's own defaults
    assert s["batch_size"] is None and s["dropout"] == 0.0 and s["seed"] == 0
    assert s["regularization"] == {"l1": 0.0, "l2": 0.0} and s["early_stopping"] is None
    assert t.data.n == 160 and t.data.X_val.shape == (40, 2)
    assert normalize_spec(s) == s  # canonical form is a fixed point
    assert engine.create({"layers": [2, 2], "loss": "log_likelihood"}).spec["activations"] == [
        "softmax"]
    assert engine.create({"layers": [2, 1], "loss": "cross_entropy"}).spec["activations"] == [
        "sigmoid"]


def test_optimizer_defaults_and_merging():
    s = engine.create(with_(optimizer={"name": "adam"})).spec
    assert s["optimizer"] == {"name": "adam", "learning_rate": 0.1, "beta1": 0.9,
                              "beta2": 0.999, "epsilon": 1e-8, "decay": {"kind": "none"}}
    merged = merge_hyper(s, {"optimizer": {"beta1": 0.5}, "dropout": 0.25})
    assert merged["optimizer"]["beta1"] == 0.5 and merged["optimizer"]["beta2"] == 0.999
    assert merged["dropout"] == 0.25 and s["dropout"] == 0.0  # the original is not changed
    assert engine.create(with_(optimizer={"name": "momentum"})).spec["optimizer"][
        "nesterov"] is False


@pytest.mark.parametrize(("spec", "field"), [
    # layers
    ({"layers": [2] + [3] * 10 + [1]}, "layers"),  # 11 weight layers, limit 10
    ({"layers": [2]}, "layers"),
    ({"layers": "2,3,1"}, "layers"),
    ({"layers": [2, 0, 1]}, "layers[1]"),
    ({"layers": [2, 65, 1]}, "layers[1]"),
    ({"layers": [2, 3, 65]}, "layers[2]"),
    ({"layers": [65, 3, 1]}, "layers[0]"),
    ({"layers": [2, 3.5, 1]}, "layers[1]"),
    ({"layers": [2, True, 1]}, "layers[1]"),
    # activations and losses
    ({"activations": ["tanh", "swish"]}, "activations[1]"),
    ({"activations": ["tanh"]}, "activations"),
    ({"activations": ["softmax", "sigmoid"]}, "activations[0]"),
    ({"loss": "hinge"}, "loss"),
    ({"loss": "log_likelihood", "activations": ["tanh", "sigmoid"]}, "loss"),
    ({"loss": "cross_entropy", "activations": ["tanh", "tanh"]}, "loss"),
    ({"loss": "cross_entropy", "activations": ["tanh", "softmax"]}, "loss"),
    ({"loss": "quadratic", "activations": ["tanh", "softmax"]}, "layers"),  # 1 softmax unit
    # optimizer
    ({"optimizer": {"learning_rate": 0}}, "optimizer.learning_rate"),
    ({"optimizer": {"learning_rate": -0.1}}, "optimizer.learning_rate"),
    ({"optimizer": {"learning_rate": 2e6}}, "optimizer.learning_rate"),
    ({"optimizer": {"learning_rate": math.nan}}, "optimizer.learning_rate"),
    ({"optimizer": {"learning_rate": "0.1"}}, "optimizer.learning_rate"),
    ({"optimizer": {"name": "lbfgs"}}, "optimizer.name"),
    ({"optimizer": {"name": "momentum", "momentum": 1.0}}, "optimizer.momentum"),
    ({"optimizer": {"name": "momentum", "nesterov": "yes"}}, "optimizer.nesterov"),
    ({"optimizer": {"name": "adam", "epsilon": 0}}, "optimizer.epsilon"),
    ({"optimizer": {"name": "sgd", "beta1": 0.9}}, "optimizer.beta1"),
    ({"optimizer": {"decay": {"kind": "cosine"}}}, "optimizer.decay.kind"),
    ({"optimizer": {"decay": {"kind": "step", "rate": 1.5}}}, "optimizer.decay.rate"),
    ({"optimizer": {"decay": {"kind": "step", "every": 0}}}, "optimizer.decay.every"),
    # training
    ({"dropout": 1.0}, "dropout"),
    ({"dropout": -0.1}, "dropout"),
    ({"dropout": [0.5, 0.5]}, "dropout"),  # one hidden layer
    ({"dropout": [1.5]}, "dropout[0]"),
    ({"batch_size": 5}, "batch_size"),  # 4 training samples
    ({"batch_size": 0}, "batch_size"),
    ({"regularization": {"l2": -1}}, "regularization.l2"),
    ({"regularization": {"l3": 1}}, "regularization.l3"),
    ({"early_stopping": {"patience": 0}}, "early_stopping.patience"),
    ({"early_stopping": {"restore_best": 1}}, "early_stopping.restore_best"),
    ({"seed": -1}, "seed"),
    ({"seed": LIMITS["seed"] + 1}, "seed"),
    ({"init": {"scheme": "orthogonal"}}, "init.scheme"),
    ({"init": {"scheme": "normal", "scale": 0}}, "init.scale"),
    ({"init": {"gain": 2}}, "init.gain"),
    # unknown fields and data
    ({"learning_rate": 0.1}, "learning_rate"),
    ({"optimizer": {"name": "sgd", "lr": 0.1}}, "optimizer.lr"),
    ({"dataset": {"name": "xor"}}, "data"),  # both data and dataset
    ({"data": {"X": DATA["X"]}}, "data"),
    ({"data": {**DATA, "Y": [[0.0], [1.0], [2.0], [0.0]]}}, "data.Y"),  # cross-entropy: [0, 1]
    ({"data": {**DATA, "X": [[0.0, 1.0, 2.0]] * 4}}, "data.X"),
])
def test_bad_spec_names_the_field(spec, field):
    assert field_of(with_(**spec)).field == field


@pytest.mark.parametrize(("parameters", "field"), [
    ([{"W": [[0.0, 1.0]] * 3, "b": [0.0] * 3}], "parameters"),  # one layer of two
    ([{"W": [[0.0, 1.0]] * 2, "b": [0.0] * 3}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0].W"),
    ([{"W": [[0.0, 1.0, 2.0]] * 3, "b": [0.0] * 3}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0].W"),
    ([{"W": [[0.0, 1.0]] * 3, "b": [0.0] * 2}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0].b"),
    ([{"W": [[0.0, 1.0]] * 3, "b": [0.0] * 3}, {"W": [[1.0, math.inf, 1.0]], "b": [0.0]}],
     "parameters[1].W"),
    ([{"W": [[0.0, 1.0]] * 3, "b": [0.0, math.nan, 0.0]}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0].b"),
    ([{"W": [[0.0, "1"]] * 3, "b": [0.0] * 3}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0].W"),
    ([{"W": [[0.0, 1.0]] * 3, "b": [0.0] * 3}, {"W": [[1.0] * 3], "b": [True]}],
     "parameters[1].b"),
    ([{"W": [[0.0, 1.0]] * 3, "b": [0.0] * 3, "c": 1}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0]"),
    ([{"W": [[0.0, 1.0], [1.0]], "b": [0.0] * 3}, {"W": [[1.0] * 3], "b": [0.0]}],
     "parameters[0].W"),
])
def test_bad_parameters_name_the_field(parameters, field):
    assert field_of(with_(parameters=parameters)).field == field


def test_explicit_parameters_are_used_as_given():
    params = [{"W": [[0.5, -1.0], [2.0, 0.0], [1.0, 1.0]], "b": [0.1, 0.2, 0.3]},
              {"W": [[1.0, -2.0, 3.0]]}]  # b defaults to zeros
    t = engine.create(with_(parameters=params))
    assert t.parameters() == [params[0], {"W": [[1.0, -2.0, 3.0]], "b": [0.0]}]


def test_errors_carry_a_code_and_a_message():
    err = field_of(with_(layers=[2, 65, 1]))
    assert err.code == "out_of_range" and "64" in err.message
    assert str(err).startswith("layers[1]: ")
    err = field_of(with_(loss="log_likelihood"))
    assert err.code == "mismatch" and "softmax" in err.message
    assert field_of([1, 2]).field == "spec"
    assert isinstance(err, ValueError)
