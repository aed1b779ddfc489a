"""The play WebSocket: frames at the client's rate, pause/resume/stop, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _frames(ws, n: int) -> list[dict]:
    out = []
    while len(out) < n:
        msg = ws.receive_json()
        if msg["type"] == "frame":
            out.append(msg)
    return out


def test_play_streams_frames_and_stops(client: TestClient, net_id: str) -> None:
    with client.websocket_connect(f"/api/networks/{net_id}/play") as ws:
        ws.send_json({"type": "start", "steps_per_frame": 5, "fps": 120})
        frames = _frames(ws, 4)
        steps = [f["step"] for f in frames]
        assert steps == [5, 10, 15, 20]
        assert frames[-1]["layers"][0]["index"] == 1 and len(frames[-1]["layers"][0]["W"]) == 4
        assert frames[-1]["history"]["step"][-1] == 20
        ws.send_json({"type": "pause"})
        while ws.receive_json()["type"] != "paused":
            pass
        ws.send_json({"type": "stop"})
        while ws.receive_json()["type"] != "stopped":
            pass
    doc = client.get(f"/api/networks/{net_id}").json()
    assert doc["step"] >= 20 and doc["step"] % 5 == 0
    assert doc["loss"] == frames[-1]["loss"] or doc["step"] > 20


def test_play_config_changes_steps_and_heatmaps(client: TestClient, net_id: str) -> None:
    with client.websocket_connect(f"/api/networks/{net_id}/play") as ws:
        ws.send_json({"type": "start", "steps_per_frame": 1, "fps": 120, "heatmaps": 8})
        first = _frames(ws, 1)[0]
        assert first["step"] == 1 and len(first["heatmaps"]["layers"]) == 3
        ws.send_json({"type": "config", "steps_per_frame": 10, "heatmaps": 0})
        later = _frames(ws, 3)
        assert later[-1]["step"] - later[-2]["step"] == 10 and "heatmaps" not in later[-1]
        ws.send_json({"type": "stop"})


def test_play_bad_messages_and_unknown_id(client: TestClient, net_id: str) -> None:
    with client.websocket_connect(f"/api/networks/{net_id}/play") as ws:
        ws.send_json({"type": "start", "steps_per_frame": 0})
        msg = ws.receive_json()
        assert msg["type"] == "error" and "steps_per_frame" in msg["error"]["message"]
        ws.send_json({"type": "dance"})
        assert ws.receive_json()["type"] == "error"
        ws.send_json({"type": "stop"})
    with client.websocket_connect("/api/networks/" + "0" * 32 + "/play") as ws:
        msg = ws.receive_json()
        assert msg["type"] == "error" and msg["error"]["code"] == "not_found"


def test_play_pauses_on_divergence(client: TestClient) -> None:
    spec = {"layers": [1, 1], "activations": ["linear"], "loss": "quadratic",
            "data": {"X": [[1.0], [2.0]], "Y": [[1.0], [2.0]]},
            "optimizer": {"name": "sgd", "learning_rate": 1e5}}
    nid = client.post("/api/networks", json=spec).json()["id"]
    with client.websocket_connect(f"/api/networks/{nid}/play") as ws:
        ws.send_json({"type": "start", "steps_per_frame": 100, "fps": 60})
        msgs = [ws.receive_json() for _ in range(2)]
        assert msgs[0]["type"] == "frame" and msgs[0]["status"] == "diverged"
        assert msgs[1] == {"type": "paused", "reason": "diverged"}
        ws.send_json({"type": "stop"})
