"""Continuous training over a WebSocket ("Play").

Protocol (JSON text messages). Client → server: ``{"type": "start", "steps_per_frame": 10,
"fps": 60, "heatmaps": 0}`` (heatmaps: a resolution to include every neuron's map in each
frame, 0 for none), ``{"type": "pause"}``, ``{"type": "resume"}``, ``{"type": "config", ...}``
(same fields as start), ``{"type": "stop"}``. Server → client: ``{"type": "frame", "step",
"epoch", "loss", "validation_loss", "accuracy", "validation_accuracy", "status", "layers":
[{"index", "W", "b"}], "history": {...}, "heatmaps"?}``, ``{"type": "paused", "reason"}``,
``{"type": "stopped"}``, ``{"type": "error", "error": {...}}``.

No unbounded buffering: a frame is computed only after the previous one was handed to the
socket, so a slow client slows the frame rate instead of piling frames up.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from app.api.present import heatmaps_public, history_public, parameter_layers
from app.core.errors import ApiError, error_body
from app.store import NetworkStore
from engine.errors import SpecError
from engine.heatmap import neuron_heatmaps

router = APIRouter()
LIMITS = {"steps_per_frame": (1, 1000), "fps": (1, 120), "heatmaps": (0, 101)}


def _config(msg: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """Return cfg updated from a start/config message; raises ValueError naming the field."""
    out = dict(cfg)
    for key, (lo, hi) in LIMITS.items():
        if key in msg:
            v = msg[key]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ValueError(f"{key} must be an integer from {lo} to {hi}")
            out[key] = v
    return out


def _frame(store: NetworkStore, net_id: str, cfg: dict[str, Any], since: int) -> dict[str, Any]:
    """Train one frame's steps under the network's lock, persist, and build the frame."""
    with store.use(net_id) as entry:
        tr = entry.trainer
        res = tr.step(cfg["steps_per_frame"])
        store.save(net_id, entry)
        frame = {"type": "frame", **{k: v for k, v in res.items() if k != "step_losses"},
                 "layers": parameter_layers(tr), "history": history_public(tr, since)}
        if cfg["heatmaps"] and tr.layout.sizes[0] in (1, 2):
            frame["heatmaps"] = heatmaps_public(neuron_heatmaps(tr, cfg["heatmaps"]),
                                                tr.spec["activations"], "uint8")
        return frame


def _exists(store: NetworkStore, net_id: str) -> int:
    with store.use(net_id) as entry:
        return entry.trainer.t


async def _send(ws: WebSocket, msg: dict[str, Any]) -> None:
    await ws.send_text(orjson.dumps(msg, option=orjson.OPT_SERIALIZE_NUMPY).decode())


@router.websocket("/{net_id}/play")
async def play(websocket: WebSocket, net_id: str) -> None:
    """Train continuously and stream frames at the client's rate."""
    store: NetworkStore = websocket.app.state.store
    await websocket.accept()
    try:
        since = await run_in_threadpool(_exists, store, net_id)
    except ApiError as exc:
        await _send(websocket, {"type": "error", **error_body(exc.code, exc.message, "id")})
        await websocket.close(code=4404)
        return
    cfg: dict[str, Any] = {"steps_per_frame": 10, "fps": 30, "heatmaps": 0}
    state = {"running": False, "stop": False}
    wake = asyncio.Event()

    async def receive() -> None:
        nonlocal cfg
        try:
            while not state["stop"]:
                msg = await websocket.receive_json()
                kind = msg.get("type") if isinstance(msg, dict) else None
                try:
                    if kind in ("start", "config", "resume"):
                        cfg = _config(msg, cfg)
                        state["running"] = kind != "config" or state["running"]
                    elif kind == "pause":
                        state["running"] = False
                        await _send(websocket, {"type": "paused", "reason": "client"})
                    elif kind == "stop":
                        state["stop"] = True
                    else:
                        raise ValueError("type must be start, pause, resume, config or stop")
                except ValueError as exc:
                    await _send(websocket, {"type": "error",
                                            **error_body("invalid", str(exc), "message")})
                wake.set()
        except (WebSocketDisconnect, RuntimeError, ValueError):
            state["stop"] = True
            wake.set()

    receiver = asyncio.create_task(receive())
    loop = asyncio.get_running_loop()
    try:
        while not state["stop"]:
            if not state["running"]:
                wake.clear()
                await wake.wait()
                continue
            started = loop.time()
            try:
                frame = await run_in_threadpool(_frame, store, net_id, cfg, since)
            except ApiError as exc:
                await _send(websocket, {"type": "error", **error_body(exc.code, exc.message)})
                break
            except SpecError as exc:  # e.g. steps_per_frame over the work limit for this net
                state["running"] = False
                await _send(websocket, {"type": "error", **error_body(
                    exc.code, exc.message, "steps_per_frame")})
                await _send(websocket, {"type": "paused", "reason": "error"})
                continue
            since = frame["step"]
            await _send(websocket, frame)
            if frame["status"] != "ok" or frame.get("early_stopped"):
                state["running"] = False
                reason = "diverged" if frame["status"] != "ok" else "early_stopped"
                await _send(websocket, {"type": "paused", "reason": reason})
                continue
            delay = 1.0 / cfg["fps"] - (loop.time() - started)
            if delay > 0:
                await asyncio.sleep(delay)
        await _send(websocket, {"type": "stopped"})
        await websocket.close()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        state["stop"] = True
        receiver.cancel()
