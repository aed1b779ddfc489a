"""API speed through a real uvicorn on loopback.

Measures (see docs/performance.md for the latest numbers):
1. POST /api/networks/{id}/step with one step on Playground's default net (2-4-2-1, tanh,
   500 samples): p50 and p99 latency over keep-alive HTTP.
2. POST .../step with 2000 steps on Playground's largest net (2-8x6-1, tanh, quadratic,
   500 samples, full batch): cost per step, side by side with a bare NumPy loop and PyTorch
   eager doing the same steps in this process (PyTorch only if installed).
3. Play mode on the largest net: frames per second with 10 steps per frame.

Run: .venv/bin/python bench/bench_api.py
"""

from __future__ import annotations

import asyncio
import http.client
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from bench.bench_engine import DEFAULT, LARGEST, numpy_loop_step  # noqa: E402
from tests.utils.server import start_server  # noqa: E402


def call(conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None
         ) -> dict:
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 400:
        raise RuntimeError(data)
    return json.loads(data)


def bench_step_latency(conn: http.client.HTTPConnection, n: int = 1000) -> tuple[float, float]:
    nid = call(conn, "POST", "/api/networks", DEFAULT)["id"]
    for _ in range(50):
        call(conn, "POST", f"/api/networks/{nid}/step", {"steps": 1})
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        call(conn, "POST", f"/api/networks/{nid}/step", {"steps": 1})
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)]


def torch_steps(X: np.ndarray, Y: np.ndarray, params: list[np.ndarray], steps: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    ps = [torch.tensor(p, requires_grad=True) for p in params]
    opt = torch.optim.SGD(ps, lr=0.03)
    L = len(ps) // 2
    t0 = time.perf_counter()
    for _ in range(steps):
        a = Xt
        for l in range(L):
            a = torch.tanh(a @ ps[l].T + ps[L + l])
        loss = 0.5 * ((a - Yt) ** 2).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - t0) / steps


def bench_many_steps(conn: http.client.HTTPConnection, steps: int = 2000) -> dict[str, float]:
    nid = call(conn, "POST", "/api/networks", LARGEST)["id"]
    call(conn, "POST", f"/api/networks/{nid}/step", {"steps": 10})
    api_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        call(conn, "POST", f"/api/networks/{nid}/step", {"steps": steps})
        api_times.append((time.perf_counter() - t0) / steps)
    tr = engine.create(LARGEST)
    Ws = [W.copy() for W in tr.net.W]
    bs = [b.copy() for b in tr.net.b]
    loop_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            numpy_loop_step(Ws, bs, tr.data.X, tr.data.Y, 0.03)
        loop_times.append((time.perf_counter() - t0) / steps)
    torch_t = [torch_steps(tr.data.X, tr.data.Y, [W.copy() for W in tr.net.W]
                           + [b.copy() for b in tr.net.b], steps) for _ in range(3)]
    out = {"api": min(api_times), "numpy_loop": min(loop_times)}
    if torch_t[0] is not None:
        out["torch_eager"] = min(torch_t)
    return out


async def bench_play(url: str, seconds: float = 4.0) -> float:
    import websockets

    conn = http.client.HTTPConnection(url.removeprefix("http://"))
    nid = call(conn, "POST", "/api/networks", LARGEST)["id"]
    ws_url = url.replace("http", "ws") + f"/api/networks/{nid}/play"
    async with websockets.connect(ws_url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "steps_per_frame": 10, "fps": 120}))
        frames, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            msg = json.loads(await ws.recv())
            frames += msg["type"] == "frame"
        rate = frames / (time.perf_counter() - t0)
        await ws.send(json.dumps({"type": "stop"}))
    return rate


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.db")
        try:
            conn = http.client.HTTPConnection(url.removeprefix("http://"))
            p50, p99 = bench_step_latency(conn)
            print(f"POST step (1 step), default net 2-4-2-1, 500 samples: "
                  f"p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms")
            many = bench_many_steps(conn)
            line = ", ".join(f"{k} {v * 1e3:.3f} ms" for k, v in many.items())
            print(f"per step, largest net 2-8x6-1, 2000 steps in one call: {line}")
            print(f"  api / numpy loop = {many['api'] / many['numpy_loop']:.2f}"
                  + (f", api / torch eager = {many['api'] / many['torch_eager']:.2f}"
                     if "torch_eager" in many else " (PyTorch not installed)"))
            fps = asyncio.run(bench_play(url))
            print(f"play, largest net, 10 steps per frame: {fps:.0f} frames/s")
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
