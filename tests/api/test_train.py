"""Forward, backward, step, layers, gradient check and the stateless calculator."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TINY_SPEC, XOR_SPEC

TOL = 1e-12
# Hand-worked with the math module for TINY_SPEC (x = (0.05, 0.1), y = 0.01, η = 0.5):
H = [0.5932699921071872, 0.596884378259767]  # a¹ = σ(W¹x + b¹)
OUT = 0.7513650695523157  # a² = σ(W²a¹ + b²)
LOSS = 0.274811083176155  # ½(y − a²)²
DELTA2 = 0.13849856162855695  # (a² − y) σ'(z²)
DELTA1 = [0.013367920422887458, 0.014996075488896851]  # (W²ᵀ δ²) ⊙ σ'(z¹)
GRAD_W1 = [[0.000668396021144373, 0.001336792042288746],
           [0.0007498037744448426, 0.0014996075488896852]]
W2_AFTER = [0.35891647971788465, 0.4086661860762334]
B2_AFTER = 0.5307507191857215


@pytest.fixture
def tiny_id(client: TestClient) -> str:
    r = client.post("/api/networks", json=TINY_SPEC)
    assert r.status_code == 201
    return r.json()["id"]


def test_forward_hand_worked(client: TestClient, tiny_id: str) -> None:
    r = client.post(f"/api/networks/{tiny_id}/forward")
    assert r.status_code == 200
    doc = r.json()
    assert doc["loss"] == pytest.approx(LOSS, rel=TOL)
    assert doc["layers"][0]["a"][0] == pytest.approx(H, rel=TOL)
    assert doc["layers"][1]["a"] == [[pytest.approx(OUT, rel=TOL)]]
    assert doc["layers"][0]["z"][0] == pytest.approx([0.3775, 0.3925], rel=TOL)


def test_forward_chosen_inputs_and_errors(client: TestClient, tiny_id: str) -> None:
    r = client.post(f"/api/networks/{tiny_id}/forward", json={"X": [[0.05, 0.1], [0.0, 0.0]]})
    assert r.status_code == 200 and r.json()["loss"] is None
    assert len(r.json()["layers"][1]["a"]) == 2
    assert r.json()["layers"][0]["z"][1] == pytest.approx([0.35, 0.35], rel=TOL)
    r = client.post(f"/api/networks/{tiny_id}/forward", json={"X": [[1.0]]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "X"


def test_backward_hand_worked(client: TestClient, tiny_id: str) -> None:
    r = client.post(f"/api/networks/{tiny_id}/backward")
    assert r.status_code == 200
    l1, l2 = r.json()["layers"]
    assert l2["delta"] == [[pytest.approx(DELTA2, rel=TOL)]]
    assert l2["grad_W"][0] == pytest.approx([DELTA2 * H[0], DELTA2 * H[1]], rel=TOL)
    assert l2["grad_b"] == [pytest.approx(DELTA2, rel=TOL)]
    assert l1["delta"][0] == pytest.approx(DELTA1, rel=TOL)
    for row, expected in zip(l1["grad_W"], GRAD_W1, strict=True):
        assert row == pytest.approx(expected, rel=TOL)


def test_step_hand_worked_update(client: TestClient, tiny_id: str) -> None:
    r = client.post(f"/api/networks/{tiny_id}/step", json={"steps": 1})
    assert r.status_code == 200
    doc = r.json()
    assert doc["step"] == 1 and doc["learning_rate_used"] == 0.5
    assert doc["loss_before"] == pytest.approx(LOSS, rel=TOL)
    l2 = doc["layers"][1]
    assert l2["W_before"] == [[0.4, 0.45]] and l2["b_before"] == [0.6]
    assert l2["W"][0] == pytest.approx(W2_AFTER, rel=TOL)
    assert l2["b"] == [pytest.approx(B2_AFTER, rel=TOL)]
    # loss is at the updated parameters: it matches a fresh forward pass
    fwd = client.post(f"/api/networks/{tiny_id}/forward").json()
    assert doc["loss"] == fwd["loss"] < LOSS


def test_step_many_returns_history(client: TestClient, net_id: str) -> None:
    r = client.post(f"/api/networks/{net_id}/step", json={"steps": 30})
    assert r.status_code == 200
    doc = r.json()
    assert doc["step"] == 30 and doc["steps_done"] == 30
    hist = doc["history"]
    assert hist["step"] == list(range(1, 31))
    assert hist["loss"][-1] == doc["loss"]
    assert doc["step_losses"][1:] == hist["loss"][:-1]  # full batch: loss at step t's start
    assert all(0 <= a <= 1 for a in hist["accuracy"])


def test_step_limits(client: TestClient, net_id: str) -> None:
    r = client.post(f"/api/networks/{net_id}/step", json={"steps": 10_001})
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps"
    r = client.post(f"/api/networks/{net_id}/step", json={"steps": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "steps"


def test_divergence_is_reported_with_last_finite_state(client: TestClient) -> None:
    spec = {**TINY_SPEC, "activations": ["linear", "linear"],
            "optimizer": {"name": "sgd", "learning_rate": 1e6}}
    nid = client.post("/api/networks", json=spec).json()["id"]
    r = client.post(f"/api/networks/{nid}/step", json={"steps": 100})
    assert r.status_code == 200
    doc = r.json()
    assert doc["status"] == "diverged" and 1 <= doc["diverged_at_step"] <= 100
    assert doc["step"] == doc["diverged_at_step"] - 1
    assert "NaN" not in r.text and "Infinity" not in r.text
    assert all(math.isfinite(w) for layer in doc["layers"] for row in layer["W"] for w in row)
    again = client.post(f"/api/networks/{nid}/step").json()
    assert again["step"] == doc["step"] and again["status"] == "diverged"
    reset = client.post(f"/api/networks/{nid}/reset").json()
    assert reset["status"] == "ok" and reset["step"] == 0


def test_read_layer_everything_with_shapes(client: TestClient, tiny_id: str) -> None:
    r = client.get(f"/api/networks/{tiny_id}/layers/2")
    assert r.status_code == 200
    doc = r.json()
    assert doc["shapes"] == {"W": [1, 2], "b": [1], "z": [1, 1], "a": [1, 1], "a_prev": [1, 2],
                             "delta": [1, 1], "grad_W": [1, 2], "grad_b": [1]}
    assert doc["labels"]["W"] == "W² (1×2)"
    assert doc["delta"] == [[pytest.approx(DELTA2, rel=TOL)]]
    # σ'(z) = a(1 − a) for the sigmoid output, and the targets y at the output layer only
    a2 = doc["a"][0][0]
    assert doc["sigma_prime"] == [[pytest.approx(a2 * (1 - a2), rel=TOL)]]
    assert doc["y"] == [[0.01]]
    assert client.get(f"/api/networks/{tiny_id}/layers/1").json()["y"] is None
    assert client.get(f"/api/networks/{tiny_id}/layers/3").status_code == 404
    assert client.get(f"/api/networks/{tiny_id}/layers/0").status_code == 422


def test_gradient_check_passes(client: TestClient, net_id: str) -> None:
    r = client.post(f"/api/networks/{net_id}/gradient-check")
    assert r.status_code == 200
    doc = r.json()
    assert doc["passed"] is True and doc["relative_error"] < 1e-7
    assert [layer["index"] for layer in doc["layers"]] == [1, 2]
    assert len(doc["layers"][0]["numeric_W"]) == 4


def test_compute_is_stateless_and_hand_worked(client: TestClient) -> None:
    r = client.post("/api/compute", json={**TINY_SPEC, "update": True})
    assert r.status_code == 200
    doc = r.json()
    assert doc["loss"] == pytest.approx(LOSS, rel=TOL)
    assert doc["layers"][1]["delta"] == [[pytest.approx(DELTA2, rel=TOL)]]
    assert doc["update"]["layers"][1]["W"][0] == pytest.approx(W2_AFTER, rel=TOL)
    assert "id" not in doc


def test_compute_rejects_mismatched_loss(client: TestClient) -> None:
    r = client.post("/api/compute", json={**TINY_SPEC, "loss": "log_likelihood"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "loss"


@pytest.mark.parametrize(("patch", "field"), [
    ({"layers": [2] + [4] * 11}, "layers"),
    ({"layers": [2, 65, 1]}, "layers[1]"),
    ({"layers": [2, 0, 1]}, "layers[1]"),
    ({"activations": ["softmax", "sigmoid"]}, "activations[0]"),
    ({"loss": "log_likelihood"}, "loss"),
    ({"optimizer": {"name": "sgd", "learning_rate": 0}}, "optimizer.learning_rate"),
    ({"optimizer": {"name": "sgd", "learning_rate": -1}}, "optimizer.learning_rate"),
    ({"optimizer": {"name": "sgd", "momentum": 0.9}}, "optimizer.momentum"),
    ({"dropout": 1.0}, "dropout"),
    ({"dataset": {"name": "xor", "samples": 10_001}}, "dataset.samples"),
    ({"dataset": {"name": "nope"}}, "dataset.name"),
    ({"dataset": {"name": "iris"}}, "layers[0]"),
    ({"surprise": 1}, "surprise"),
    ({"batch_size": 0}, "batch_size"),
])
def test_create_network_bad_input_names_field(client: TestClient, patch: dict,
                                              field: str) -> None:
    r = client.post("/api/networks", json={**XOR_SPEC, **patch})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == field
    assert err["message"] and err["code"]


def test_body_over_limit_is_413(client: TestClient) -> None:
    big = b'{"layers": [2, 1], "pad": "' + b"x" * (5 * 1024 * 1024 + 10) + b'"}'
    r = client.post("/api/networks", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def test_malformed_json_is_422(client: TestClient) -> None:
    r = client.post("/api/networks", content=b"{not json",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and "error" in r.json()


def test_work_limits_refuse_huge_jobs_before_starting(client: TestClient) -> None:
    spec = {"layers": [2] + [64] * 9 + [1], "loss": "quadratic",
            "dataset": {"name": "xor", "samples": 10_000, "validation_fraction": 0.2}}
    r = client.post("/api/networks", json=spec)
    assert r.status_code == 201
    nid = r.json()["id"]
    r = client.post(f"/api/networks/{nid}/step", json={"steps": 10_000})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "steps"
    assert r.json()["error"]["code"] == "too_much_work" and "limit" in r.json()["error"]["message"]
    assert client.get(f"/api/networks/{nid}").json()["step"] == 0
    r = client.post(f"/api/networks/{nid}/loss-surface",
                    json={"plane": {"kind": "random"}, "resolution": 201})
    assert r.status_code == 422 and r.json()["error"]["field"] == "resolution"
    r = client.post(f"/api/networks/{nid}/gradient-check")
    assert r.status_code == 422 and r.json()["error"]["field"] == "network"
    with client.websocket_connect(f"/api/networks/{nid}/play") as ws:
        ws.send_json({"type": "start", "steps_per_frame": 1000})
        msg = ws.receive_json()
        assert msg["type"] == "error" and msg["error"]["field"] == "steps_per_frame"
        assert ws.receive_json() == {"type": "paused", "reason": "error"}
        ws.send_json({"type": "stop"})
