"""Request and response models of the REST API, grouped by family.

Design goal: the models give types, bounds and an example for every endpoint in the OpenAPI
docs, and reject malformed JSON (wrong types, booleans for numbers, unknown fields) with a
422 before any engine code runs. The engine then checks what depends on several fields
(shapes against layer sizes, loss against output activation) and names the field the same
way. Arrays follow the engine's convention: W is (n_out, n_in), b is (n_out,), batches are
(m, n) with one row per sample.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.spec import LIMITS

Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Int = Annotated[int, Field(strict=True)]
Seed = Annotated[int, Field(strict=True, ge=0, le=LIMITS["seed"])]
Matrix = list[list[Num]]
LearningRate = Annotated[float, Field(strict=True, gt=0, le=LIMITS["learning_rate"])]
ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]
LossName = Literal["quadratic", "cross_entropy", "log_likelihood"]
DatasetName = Literal["circle", "xor", "gaussian", "spiral", "moons", "spiral3", "blobs3",
                      "sine", "plane", "iris"]

XOR_EXAMPLE = {
    "layers": [2, 4, 1], "activations": ["tanh", "sigmoid"], "loss": "cross_entropy",
    "init": {"scheme": "xavier", "seed": 0},
    "dataset": {"name": "xor", "samples": 200, "noise": 0.1, "seed": 1,
                "validation_fraction": 0.2},
    "optimizer": {"name": "sgd", "learning_rate": 0.5}, "batch_size": None,
    "regularization": {"l1": 0, "l2": 0}, "dropout": 0,
}
TINY_EXAMPLE = {
    "layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "quadratic",
    "parameters": [{"W": [[0.15, 0.2], [0.25, 0.3]], "b": [0.35, 0.35]},
                   {"W": [[0.4, 0.45]], "b": [0.6]}],
    "data": {"X": [[0.05, 0.1]], "Y": [[0.01]]},
    "optimizer": {"name": "sgd", "learning_rate": 0.5},
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ spec parts
class InitSpec(Model):
    scheme: Literal["xavier", "xavier_normal", "he", "normal", "zeros"] = "xavier"
    seed: Seed = 0
    scale: Annotated[float, Field(strict=True, gt=0, le=100)] | None = None


class LayerParams(Model):
    """One weight layer: W (n_out, n_in) and b (n_out,)."""

    W: Matrix
    b: list[Num]


class DataSpec(Model):
    """User data: X (m, n0), Y (m, nL), optional validation arrays or a split fraction."""

    X: Matrix
    Y: Matrix
    X_val: Matrix | None = None
    Y_val: Matrix | None = None
    validation_fraction: Annotated[float, Field(strict=True, ge=0, le=0.9)] | None = None
    seed: Seed | None = None


class DatasetSpec(Model):
    name: DatasetName = "xor"
    samples: Annotated[int, Field(strict=True, ge=1, le=LIMITS["samples"])] = 200
    noise: Annotated[float, Field(strict=True, ge=0, le=1)] = 0.1
    seed: Seed = 0
    validation_fraction: Annotated[float, Field(strict=True, ge=0, le=0.9)] = 0.2


class DecaySpec(Model):
    kind: Literal["none", "step", "exponential", "inverse_time"] = "none"
    rate: Annotated[float, Field(strict=True, gt=0, le=1e6)] | None = None
    every: Annotated[int, Field(strict=True, ge=1, le=10**9)] | None = None


class OptimizerSpec(Model):
    """Optimizer and its hyper-parameters (those of other optimizers are rejected)."""

    name: Literal["sgd", "momentum", "rmsprop", "adam"] | None = None
    learning_rate: LearningRate | None = None
    momentum: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    nesterov: Annotated[bool, Field(strict=True)] | None = None
    rho: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    beta1: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    beta2: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    epsilon: Annotated[float, Field(strict=True, gt=0, le=1)] | None = None
    decay: DecaySpec | None = None


class Regularization(Model):
    l1: Annotated[float, Field(strict=True, ge=0, le=LIMITS["lambda"])] = 0.0
    l2: Annotated[float, Field(strict=True, ge=0, le=LIMITS["lambda"])] = 0.0


class EarlyStopping(Model):
    patience: Annotated[int, Field(strict=True, ge=1, le=10**6)] = 10
    restore_best: Annotated[bool, Field(strict=True)] = False


Dropout = Annotated[float, Field(strict=True, ge=0, lt=1)]


class HyperParameters(Model):
    """What PATCH may change without losing the weights (``init`` re-initializes)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"optimizer": {"name": "adam", "learning_rate": 0.01}, "batch_size": 10,
         "regularization": {"l1": 0, "l2": 0.001}}]})

    optimizer: OptimizerSpec | None = None
    batch_size: Annotated[int, Field(strict=True, ge=1, le=LIMITS["samples"])] | None = None
    regularization: Regularization | None = None
    dropout: Dropout | list[Dropout] | None = None
    early_stopping: EarlyStopping | None = None
    seed: Seed | None = None
    init: InitSpec | None = None


class NetworkCreate(Model):
    """A network: structure, initialization, data and training hyper-parameters."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [XOR_EXAMPLE]})

    layers: Annotated[list[Annotated[int, Field(strict=True, ge=1, le=LIMITS["features"])]],
                      Field(min_length=2, max_length=LIMITS["weight_layers"] + 1)]
    activations: list[ActivationName] | None = None
    loss: LossName = "quadratic"
    init: InitSpec | None = None
    parameters: list[LayerParams] | None = None
    data: DataSpec | None = None
    dataset: DatasetSpec | None = None
    optimizer: OptimizerSpec | None = None
    batch_size: Annotated[int, Field(strict=True, ge=1, le=LIMITS["samples"])] | None = None
    regularization: Regularization | None = None
    dropout: Dropout | list[Dropout] = 0.0
    early_stopping: EarlyStopping | None = None
    seed: Seed = 0


class ComputeRequest(NetworkCreate):
    """A spec with its parameters and data, and whether to apply one update."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {**TINY_EXAMPLE, "update": True}]})

    update: Annotated[bool, Field(strict=True)] = False


# --------------------------------------------------------------- other bodies
class ParametersBody(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"parameters": TINY_EXAMPLE["parameters"]}]})

    parameters: list[LayerParams]


class DataBody(Model):
    """Replace the training (and optionally validation) data; the weights stay."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"X": [[0.1, 0.2], [-0.3, 0.5]], "Y": [[1.0], [0.0]]}]})

    X: Matrix
    Y: Matrix
    X_val: Matrix | None = None
    Y_val: Matrix | None = None


class InputsBody(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"X": [[0.5, -0.25]]}]})

    X: Matrix | None = None


class TargetsBody(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"X": [[0.5, -0.25]], "Y": [[1.0]]}]})

    X: Matrix | None = None
    Y: Matrix | None = None


class StepBody(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"steps": 1}]})

    steps: Annotated[int, Field(strict=True, ge=1, le=LIMITS["steps"])] = 1


class ParamRef(Model):
    """One parameter: ``{"layer": l, "name": "W", "index": [j, k]}`` is Wˡ[j][k]."""

    layer: Annotated[int, Field(strict=True, ge=1, le=LIMITS["weight_layers"])]
    name: Literal["W", "b"]
    index: Annotated[list[Annotated[int, Field(strict=True, ge=0, le=63)]],
                     Field(min_length=1, max_length=2)]


class ParametersPlane(Model):
    kind: Literal["parameters"]
    params: Annotated[list[ParamRef], Field(min_length=2, max_length=2)]


class RandomPlane(Model):
    kind: Literal["random"]
    seed: Seed = 0


class PcaPlane(Model):
    kind: Literal["pca"]


Plane = Annotated[ParametersPlane | RandomPlane | PcaPlane, Field(discriminator="kind")]
Span = Annotated[float, Field(strict=True, gt=0, le=1000)]
Resolution = Annotated[int, Field(strict=True, ge=2, le=LIMITS["resolution"])]


class SurfaceBody(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"plane": {"kind": "parameters", "params": [
            {"layer": 1, "name": "W", "index": [0, 1]}, {"layer": 2, "name": "b", "index": [0]}]},
         "span": 1.0, "resolution": 41}]})

    plane: Plane
    span: Span = 1.0
    resolution: Resolution = 41


class SliceBody(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"param": {"layer": 2, "name": "W", "index": [0, 1]}, "span": 2.0, "resolution": 101}]})

    param: ParamRef
    span: Span = 2.0
    resolution: Resolution = 101


class RaceEntry(Model):
    name: Literal["sgd", "momentum", "rmsprop", "adam"]
    learning_rate: LearningRate
    momentum: Annotated[float, Field(strict=True, ge=0, lt=1)] | None = None
    nesterov: Annotated[bool, Field(strict=True)] | None = None


class RaceBody(Model):
    """Run several optimizers from the same start and project their paths on one plane."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"optimizers": [{"name": "sgd", "learning_rate": 0.1},
                        {"name": "adam", "learning_rate": 0.01}],
         "steps": 100, "plane": {"kind": "random", "seed": 0}, "span": 1.0,
         "resolution": 41}]})

    optimizers: Annotated[list[RaceEntry], Field(min_length=1, max_length=6)]
    steps: Annotated[int, Field(strict=True, ge=1, le=2000)] = 100
    plane: Plane | None = None
    span: Span = 1.0
    resolution: Resolution = 41


# ------------------------------------------------------------------ responses
class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx."""

    error: ErrorDetail


class LayerPublic(BaseModel):
    index: int
    activation: str
    W: list[list[float]]
    b: list[float]


class NetworkPublic(BaseModel):
    """A network's spec, training status and parameters."""

    model_config = ConfigDict(extra="allow")

    id: str
    spec: dict[str, Any]
    step: int
    epoch: int
    loss: float | None
    accuracy: float | None
    validation_loss: float | None
    validation_accuracy: float | None
    status: Literal["ok", "diverged"]
    diverged_at_step: int | None
    layers: list[LayerPublic]


class Open(BaseModel):
    """A JSON object whose fields are described in the endpoint's text."""

    model_config = ConfigDict(extra="allow")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body could not be read as JSON"},
    404: {"model": ErrorResponse, "description": "Unknown or malformed network id"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
    422: {"model": ErrorResponse, "description": "Invalid input (names the field and limit)"},
}
