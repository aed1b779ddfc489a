"""Network sessions through the API: create, read, patch, parameters, data, reset, export."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TINY_SPEC, XOR_SPEC

TOL = 1e-12


def test_create_network_returns_id_spec_and_parameters(client: TestClient) -> None:
    r = client.post("/api/networks", json=XOR_SPEC)
    assert r.status_code == 201
    doc = r.json()
    assert len(doc["id"]) == 32 and int(doc["id"], 16) >= 0
    assert doc["step"] == 0 and doc["status"] == "ok" and doc["diverged_at_step"] is None
    assert [len(l["W"]) for l in doc["layers"]] == [4, 1]
    assert [len(l["W"][0]) for l in doc["layers"]] == [2, 4]  # W is (n_out, n_in)
    assert doc["spec"]["optimizer"]["learning_rate"] == 0.5
    assert doc["data_info"]["n_train"] == 80 and doc["data_info"]["n_validation"] == 20
    assert 0.0 <= doc["accuracy"] <= 1.0 and doc["validation_accuracy"] is not None


def test_create_with_parameters_reports_hand_worked_loss(client: TestClient) -> None:
    r = client.post("/api/networks", json=TINY_SPEC)
    assert r.status_code == 201
    assert r.json()["loss"] == pytest.approx(0.274811083176155, rel=TOL)
    assert r.json()["layers"][1]["W"] == [[0.4, 0.45]]


def test_read_network_unknown_and_malformed_ids(client: TestClient) -> None:
    for bad in ("0" * 32, "not-an-id", "ZZ" * 16):
        r = client.get(f"/api/networks/{bad}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
        assert r.json()["error"]["field"] == "id"


def test_patch_keeps_weights_and_changes_learning_rate(client: TestClient, net_id: str) -> None:
    before = client.get(f"/api/networks/{net_id}").json()
    r = client.patch(f"/api/networks/{net_id}",
                     json={"optimizer": {"learning_rate": 0.05}, "batch_size": 8,
                           "regularization": {"l2": 0.1}})
    assert r.status_code == 200
    after = r.json()
    assert after["layers"] == before["layers"]
    assert after["spec"]["optimizer"] == {"name": "sgd", "learning_rate": 0.05,
                                          "decay": {"kind": "none"}}
    assert after["batch_size"] == 8 and after["steps_per_epoch"] == 10
    assert after["spec"]["regularization"] == {"l1": 0.0, "l2": 0.1}


def test_patch_switch_optimizer_keeps_learning_rate(client: TestClient, net_id: str) -> None:
    r = client.patch(f"/api/networks/{net_id}", json={"optimizer": {"name": "adam"}})
    assert r.status_code == 200
    opt = r.json()["spec"]["optimizer"]
    assert opt["name"] == "adam" and opt["learning_rate"] == 0.5 and opt["beta2"] == 0.999


def test_patch_new_seed_reinitializes(client: TestClient, net_id: str) -> None:
    before = client.get(f"/api/networks/{net_id}").json()["layers"]
    client.post(f"/api/networks/{net_id}/step", json={"steps": 3})
    r = client.patch(f"/api/networks/{net_id}", json={"init": {"seed": 7}})
    assert r.status_code == 200
    assert r.json()["step"] == 0 and r.json()["layers"] != before


def test_patch_batch_size_too_large_is_422_and_keeps_state(client: TestClient,
                                                          net_id: str) -> None:
    before = client.get(f"/api/networks/{net_id}").json()
    r = client.patch(f"/api/networks/{net_id}", json={"batch_size": 500})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "batch_size"
    assert "80" in r.json()["error"]["message"]
    assert client.get(f"/api/networks/{net_id}").json() == before


def test_replace_parameters_and_shape_errors(client: TestClient, net_id: str) -> None:
    params = [{"W": [[0.1, 0.2]] * 4, "b": [0.0] * 4}, {"W": [[1.0, -1.0, 0.5, 0.0]], "b": [0.2]}]
    r = client.put(f"/api/networks/{net_id}/parameters", json={"parameters": params})
    assert r.status_code == 200
    assert r.json()["layers"][1]["W"] == [[1.0, -1.0, 0.5, 0.0]]
    bad = [{"W": [[0.1, 0.2, 0.3]] * 4, "b": [0.0] * 4}, params[1]]
    r = client.put(f"/api/networks/{net_id}/parameters", json={"parameters": bad})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "parameters[0].W"
    assert "(4, 2)" in r.json()["error"]["message"]
    assert client.get(f"/api/networks/{net_id}").json()["layers"][1]["W"] == [[1.0, -1.0, 0.5, 0.0]]


def test_replace_parameters_rejects_booleans(client: TestClient, net_id: str) -> None:
    params = [{"W": [[True, 0.2]] * 4, "b": [0.0] * 4}, {"W": [[1.0] * 4], "b": [0.2]}]
    r = client.put(f"/api/networks/{net_id}/parameters", json={"parameters": params})
    assert r.status_code == 422
    assert r.json()["error"]["field"].startswith("parameters[0].W")


def test_data_round_trip_and_replace(client: TestClient, net_id: str) -> None:
    r = client.get(f"/api/networks/{net_id}/data")
    assert r.status_code == 200
    assert len(r.json()["X"]) == 80 and len(r.json()["X_val"]) == 20
    new = {"X": [[0.5, 0.5], [-0.5, 0.5], [0.1, -0.9]], "Y": [[1.0], [0.0], [0.0]]}
    before = client.get(f"/api/networks/{net_id}").json()["layers"]
    r = client.put(f"/api/networks/{net_id}/data", json=new)
    assert r.status_code == 200
    assert r.json()["layers"] == before and r.json()["data_info"]["n_train"] == 3
    assert client.get(f"/api/networks/{net_id}/data").json()["X"] == new["X"]
    r = client.put(f"/api/networks/{net_id}/data", json={"X": [[1.0, 2.0, 3.0]], "Y": [[1.0]]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "data.X"


def test_reset_replays_the_same_run(client: TestClient, net_id: str) -> None:
    first = client.post(f"/api/networks/{net_id}/step", json={"steps": 20}).json()
    r = client.post(f"/api/networks/{net_id}/reset")
    assert r.status_code == 200 and r.json()["step"] == 0
    again = client.post(f"/api/networks/{net_id}/step", json={"steps": 20}).json()
    assert again["layers"] == first["layers"] and again["loss"] == first["loss"]


def test_delete_network(client: TestClient, net_id: str) -> None:
    assert client.delete(f"/api/networks/{net_id}").status_code == 204
    assert client.get(f"/api/networks/{net_id}").status_code == 404
    assert client.delete(f"/api/networks/{net_id}").status_code == 404


def test_export_import_round_trip_continues_identically(client: TestClient, net_id: str) -> None:
    client.patch(f"/api/networks/{net_id}", json={"optimizer": {"name": "adam",
                                                                "learning_rate": 0.01}})
    client.post(f"/api/networks/{net_id}/step", json={"steps": 15})
    doc = client.get(f"/api/networks/{net_id}/export").json()
    doc = json.loads(json.dumps(doc))
    r = client.post("/api/networks/import", json=doc)
    assert r.status_code == 201
    copy_id = r.json()["id"]
    assert copy_id != net_id and r.json()["step"] == 15
    a = client.post(f"/api/networks/{net_id}/step", json={"steps": 5}).json()
    b = client.post(f"/api/networks/{copy_id}/step", json={"steps": 5}).json()
    assert a["layers"] == b["layers"] and a["loss"] == b["loss"]


def test_import_rejects_damaged_documents(client: TestClient, net_id: str) -> None:
    doc = client.get(f"/api/networks/{net_id}/export").json()
    r = client.post("/api/networks/import", json={**doc, "format": "other"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"
    r = client.post("/api/networks/import", json={**doc, "optimizer_state": {"t": 0, "x": []}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "optimizer_state"
    bad_params = [{"W": [[1.0]], "b": [0.0]}] * 2
    r = client.post("/api/networks/import", json={**doc, "parameters": bad_params})
    assert r.status_code == 422 and r.json()["error"]["field"] == "parameters[0].W"


def test_datasets_lists_builtins(client: TestClient) -> None:
    r = client.get("/api/datasets")
    assert r.status_code == 200
    names = {d["name"] for d in r.json()}
    assert {"circle", "xor", "gaussian", "spiral", "moons", "spiral3", "sine", "plane",
            "iris"} <= names
    iris = next(d for d in r.json() if d["name"] == "iris")
    assert iris["inputs"] == 4 and iris["classes"] == 3 and iris["max_samples"] == 150


def test_healthz_and_docs_have_examples(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody")
            if body:
                content = body["content"]["application/json"]
                options = content["schema"].get("anyOf", [content["schema"]])
                models = [schema["components"]["schemas"].get(o.get("$ref", "").split("/")[-1],
                                                              o) for o in options]
                has = "examples" in content or any("examples" in m for m in models)
                assert has, f"{method.upper()} {path} has no request example"
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    assert "examples" in p or "example" in p or "examples" in p["schema"], \
                        f"{method.upper()} {path} parameter {p['name']} has no example"
