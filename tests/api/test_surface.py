"""Loss surface, loss slice, heatmaps and the optimizer race through the API."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import XOR_SPEC

PLANE = {"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [0, 1]},
                                          {"layer": 2, "name": "b", "index": [0]}]}


def _params(client: TestClient, net_id: str) -> list[dict]:
    return client.get(f"/api/networks/{net_id}").json()["layers"]


def test_loss_surface_parameters_plane_matches_direct_losses(client: TestClient,
                                                            net_id: str) -> None:
    client.post(f"/api/networks/{net_id}/step", json={"steps": 10})
    r = client.post(f"/api/networks/{net_id}/loss-surface",
                    json={"plane": PLANE, "span": 0.5, "resolution": 5})
    assert r.status_code == 200
    doc = r.json()
    assert doc["alpha"] == pytest.approx(np.linspace(-0.5, 0.5, 5).tolist(), abs=1e-15)
    current = client.get(f"/api/networks/{net_id}").json()
    assert doc["loss"][2][2] == pytest.approx(current["loss"], rel=1e-12)
    # loss[i][j] is at θ + alpha[j] d1 + beta[i] d2: check one corner by editing the weights
    layers = current["layers"]
    params = [{"W": l["W"], "b": l["b"]} for l in layers]
    params[0]["W"][0][1] += doc["alpha"][4]
    params[1]["b"][0] += doc["beta"][0]
    client.put(f"/api/networks/{net_id}/parameters", json={"parameters": params})
    edited = client.get(f"/api/networks/{net_id}").json()["loss"]
    assert doc["loss"][0][4] == pytest.approx(edited, rel=1e-12)


def test_loss_surface_path_is_the_recorded_trajectory(client: TestClient, net_id: str) -> None:
    start = _params(client, net_id)
    client.post(f"/api/networks/{net_id}/step", json={"steps": 10})
    end = _params(client, net_id)
    doc = client.post(f"/api/networks/{net_id}/loss-surface",
                      json={"plane": PLANE, "resolution": 3}).json()
    path = doc["path"]
    assert [p["step"] for p in path] == list(range(11))
    assert path[-1]["alpha"] == 0 and path[-1]["beta"] == 0
    assert path[0]["alpha"] == pytest.approx(start[0]["W"][0][1] - end[0]["W"][0][1], rel=1e-9)
    assert path[0]["beta"] == pytest.approx(start[1]["b"][0] - end[1]["b"][0], rel=1e-9)
    assert path[-1]["loss"] == pytest.approx(doc["current_loss"], rel=1e-15)
    assert all(p["off_plane"] >= 0 for p in path)


def test_loss_surface_pca_and_random(client: TestClient, net_id: str) -> None:
    r = client.post(f"/api/networks/{net_id}/loss-surface", json={"plane": {"kind": "pca"}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "plane"
    client.post(f"/api/networks/{net_id}/step", json={"steps": 20})
    doc = client.post(f"/api/networks/{net_id}/loss-surface",
                      json={"plane": {"kind": "pca"}, "resolution": 5}).json()
    assert len(doc["explained_variance"]) == 2 and sum(doc["explained_variance"]) <= 1 + 1e-12
    a = client.post(f"/api/networks/{net_id}/loss-surface",
                    json={"plane": {"kind": "random", "seed": 3}, "resolution": 5}).json()
    b = client.post(f"/api/networks/{net_id}/loss-surface",
                    json={"plane": {"kind": "random", "seed": 3}, "resolution": 5}).json()
    assert a["loss"] == b["loss"] and a["seed"] == 3


@pytest.mark.parametrize(("body", "field"), [
    ({"plane": {"kind": "random"}, "resolution": 202}, "resolution"),
    ({"plane": {"kind": "random"}, "span": 0}, "span"),
    ({"plane": {"kind": "nope"}}, "plane"),
    ({"plane": {"kind": "parameters", "params": [{"layer": 1, "name": "W", "index": [9, 0]},
                                                  {"layer": 2, "name": "b", "index": [0]}]}},
     "plane.params[0].index"),
    ({"plane": {"kind": "parameters", "params": [{"layer": 2, "name": "b", "index": [0]},
                                                  {"layer": 2, "name": "b", "index": [0]}]}},
     "plane.params"),
])
def test_loss_surface_bad_input(client: TestClient, net_id: str, body: dict, field: str) -> None:
    r = client.post(f"/api/networks/{net_id}/loss-surface", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["field"].startswith(field)


def test_loss_slice_slope_equals_backprop_gradient(client: TestClient, net_id: str) -> None:
    param = {"layer": 2, "name": "W", "index": [0, 1]}
    doc = client.post(f"/api/networks/{net_id}/loss-slice",
                      json={"param": param, "span": 1e-4, "resolution": 3}).json()
    grad = client.post(f"/api/networks/{net_id}/backward").json()["layers"][1]["grad_W"][0][1]
    assert doc["slope"] == grad
    numeric = (doc["loss"][2] - doc["loss"][0]) / (doc["values"][2] - doc["values"][0])
    assert numeric == pytest.approx(grad, rel=1e-6)
    assert doc["next_value"] == pytest.approx(doc["value"] - 0.5 * grad, rel=1e-15)


def test_heatmaps_decode_to_forward_values(client: TestClient, net_id: str) -> None:
    r = client.get(f"/api/networks/{net_id}/heatmaps?resolution=7")
    assert r.status_code == 200
    doc = r.json()
    (x0, x1), (y0, y1) = doc["bounds"]
    out = doc["layers"][2]["neurons"][0]
    q = np.frombuffer(base64.b64decode(out["data"]), dtype=np.uint8).reshape(7, 7)
    # grid point (row i, column j) is (x[j], y[i]); check the corner (x1, y0)
    fwd = client.post(f"/api/networks/{net_id}/forward", json={"X": [[x1, y0]]}).json()
    a = fwd["layers"][1]["a"][0][0]
    decoded = out["lo"] + q[0, 6] / 255 * (out["hi"] - out["lo"])
    assert abs(decoded - a) <= (out["hi"] - out["lo"]) / 255 / 2 + 1e-12
    raw = client.get(f"/api/networks/{net_id}/heatmaps?resolution=7&encoding=float").json()
    assert raw["layers"][2]["neurons"][0]["data"][0][6] == pytest.approx(a, rel=1e-12)
    assert client.get(f"/api/networks/{net_id}/heatmaps?resolution=500").status_code == 422


def test_heatmaps_need_two_inputs(client: TestClient) -> None:
    spec = {**XOR_SPEC, "layers": [4, 3, 3], "activations": ["tanh", "softmax"],
            "loss": "log_likelihood", "dataset": {"name": "iris"}}
    nid = client.post("/api/networks", json=spec).json()["id"]
    r = client.get(f"/api/networks/{nid}/heatmaps")
    assert r.status_code == 422 and r.json()["error"]["field"] == "network"


def test_race_draws_one_path_per_optimizer(client: TestClient, net_id: str) -> None:
    before = _params(client, net_id)
    body = {"optimizers": [{"name": "sgd", "learning_rate": 0.5},
                           {"name": "momentum", "learning_rate": 0.1, "momentum": 0.9},
                           {"name": "adam", "learning_rate": 0.05}],
            "steps": 15, "resolution": 5}
    r = client.post(f"/api/networks/{net_id}/race", json=body)
    assert r.status_code == 200
    doc = r.json()
    assert len(doc["runs"]) == 3 and doc["kind"] == "pca"
    for run in doc["runs"]:
        assert [p["step"] for p in run["path"]] == list(range(16))
        assert run["path"][0]["alpha"] == pytest.approx(0, abs=1e-12)
    assert doc["runs"][1]["optimizer"]["momentum"] == 0.9
    assert _params(client, net_id) == before  # the network itself is not trained
