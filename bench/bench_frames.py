"""Frame-time bench of play mode on Playground's largest net (6 hidden layers × 8, tanh).

Starts the real server, opens the page in Chromium (Playwright), builds the net from a shared
link, plays for about 5 s with every neuron's heatmap and the decision boundary refreshed on
each frame, and prints, measured in the page:

- frame time: median / p95 of requestAnimationFrame deltas (ms; 16.7 ms = 60 fps),
- draw time: median / p95 of the time spent drawing one play frame (performance.measure
  'bpe-draw', recorded by static/js/stepper.js when body[data-perf="on"]; it includes the
  'frame' handlers of every panel),
- frames received per second over the WebSocket (performance.mark 'bpe-frame-in'), frames
  drawn per second, training steps per second,
- the renderer's CPU time per second (main thread and whole process, from the DevTools
  Performance domain): less sensitive than frame times to other load on the machine.

Usage: .venv/bin/python bench/bench_frames.py [--seconds 5] [--speed 5] [--tab inspector]
       [--runs 1] [--headed]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.utils.server import start_server  # noqa: E402

HASH = ("data=spiral&hidden=8,8,8,8,8,8&act=tanh,tanh,tanh,tanh,tanh,tanh,sigmoid"
        "&loss=cross_entropy&opt=adam&lr=0.01&batch=mini&bs=10&lang=en")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

RAF_PROBE = """() => {
  window.__frameDeltas = [];
  window.__stopProbe = false;
  let last = performance.now();
  const tick = (now) => {
    window.__frameDeltas.push(now - last);
    last = now;
    if (!window.__stopProbe) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def cpu_seconds(cdp) -> tuple[float, float]:
    """Return the renderer's (main-thread, process) CPU seconds so far."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics.get("ThreadTime", float("nan")), metrics.get("ProcessTime", float("nan"))


def play_and_measure(page, seconds: float) -> dict[str, float]:
    """Play for ``seconds`` on a ready page and return the measured numbers."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    page.evaluate("document.body.dataset.perf = 'on'")
    page.locator("#btn-play").click()
    page.wait_for_timeout(800)  # warm-up: first frames, JIT
    page.evaluate("performance.clearMeasures('bpe-draw'); performance.clearMarks('bpe-frame-in')")
    step0 = int(page.locator(".count-step").inner_text())
    thread0, process0 = cpu_seconds(cdp)
    page.evaluate(RAF_PROBE)
    t0 = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    deltas = page.evaluate("window.__stopProbe = true; window.__frameDeltas")
    elapsed = time.perf_counter() - t0
    thread1, process1 = cpu_seconds(cdp)
    draws = page.evaluate("performance.getEntriesByName('bpe-draw').map(e => e.duration)")
    received = page.evaluate("performance.getEntriesByName('bpe-frame-in').length")
    step1 = int(page.locator(".count-step").inner_text())
    page.locator("#btn-pause").click()
    deltas = deltas[1:]
    return {
        "seconds": elapsed,
        "frame_median_ms": statistics.median(deltas),
        "frame_p95_ms": percentile(deltas, 95),
        "fps": len(deltas) / elapsed,
        "draw_median_ms": statistics.median(draws) if draws else float("nan"),
        "draw_p95_ms": percentile(draws, 95),
        "frames_drawn_per_s": len(draws) / elapsed,
        "frames_received_per_s": received / elapsed,
        "steps_per_s": (step1 - step0) / elapsed,
        "main_cpu_ms_per_s": 1000 * (thread1 - thread0) / elapsed,
        "renderer_cpu_ms_per_s": 1000 * (process1 - process0) / elapsed,
    }


def run(seconds: float, speed: int, opts: argparse.Namespace) -> dict[str, float]:
    """Start a server and a browser, build the net, play ``opts.runs`` times; return medians."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.db")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS, headless=not opts.headed)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{url}/#{HASH}")
                page.wait_for_function("document.body.dataset.ready === '1'", timeout=20000)
                page.locator('select[name="speed"]').select_option(str(speed))
                if opts.tab:
                    page.locator(f"#tab-{opts.tab}").click()
                for _ in range(opts.runs):
                    results.append(play_and_measure(page, seconds))
                    page.wait_for_function("document.body.dataset.playing === '0'")
                    page.wait_for_timeout(500)
                browser.close()
                if errors:
                    print("page errors:", *errors, sep="\n  ")
        finally:
            proc.terminate()
            proc.wait(10)
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--speed", type=int, default=5, help="steps per frame")
    parser.add_argument("--tab", default=None, help="show this panel tab first (e.g. equations)")
    parser.add_argument("--runs", type=int, default=1, help="play this many times; print medians")
    parser.add_argument("--headed", action="store_true")
    args = parser.parse_args()
    r = run(args.seconds, args.speed, args)
    print("Play mode, 6 hidden layers x 8 tanh, heatmaps on (51 neuron maps + decision boundary)")
    print(f"  rAF frame time      median {r['frame_median_ms']:.1f} ms   "
          f"p95 {r['frame_p95_ms']:.1f} ms   ({r['fps']:.1f} fps)")
    print(f"  draw per play frame median {r['draw_median_ms']:.2f} ms   "
          f"p95 {r['draw_p95_ms']:.2f} ms")
    print(f"  frames received     {r['frames_received_per_s']:.1f} /s   "
          f"drawn {r['frames_drawn_per_s']:.1f} /s   steps {r['steps_per_s']:.0f} /s   "
          f"over {r['seconds']:.1f} s")
    print(f"  renderer CPU        main thread {r['main_cpu_ms_per_s']:.0f} ms/s   "
          f"whole process {r['renderer_cpu_ms_per_s']:.0f} ms/s")


if __name__ == "__main__":
    main()
