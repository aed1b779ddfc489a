"""Loss-surface drawing speed in a real browser (Playwright + Debian's Chromium).

On Playground's largest net (2-8x6-1, tanh, quadratic, spiral, 500 samples, full batch),
mounted in the landscape harness (static/dev/surface.html?preset=deep), measures:
1. time from asking for a surface (switching the plane) to the coarse 31×31 surface drawn,
   and to the refined 101×101 surface drawn (request + JSON + both Plotly plots);
2. the pure drawing time of a 101×101 surface: SurfaceView.update (Plotly.react of the
   contour and the 3-D surface with a path), timed in the page with performance.now;
3. while playing: the interval between path updates drawn on the surface, and the
   browser's animation-frame intervals (jank).

Run: .venv/bin/python bench/bench_surface_browser.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.utils.server import start_server  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"]

# Switch the plane and time the drawn resolutions (MutationObserver on data-resolution).
ASK_JS = """async (kind) => {
  const view = document.querySelector("#panel-surface [data-testid='surface-view']");
  const panel = document.querySelector('#panel-surface');
  const t0 = performance.now();
  const times = {};
  await new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (panel.dataset.planeKind !== kind) return;
      const r = view.dataset.resolution;
      if (!(r in times)) times[r] = performance.now() - t0;
      if ('101' in times) { obs.disconnect(); resolve(); }
    });
    obs.observe(view, { attributes: true });
    document.querySelector(`#panel-surface [data-kind='${kind}']`).click();
  });
  return times;
}"""

DRAW_JS = """async () => {
  const { SurfaceView } = await import('/static/js/surface-view.js');
  const { api } = await import('/static/js/api.js');
  const id = document.body.dataset.networkId;
  const resp = await api.lossSurface(id, { plane: { kind: 'random', seed: 3 }, resolution: 101 });
  const box = document.createElement('div');
  box.style.width = '1200px';
  document.body.appendChild(box);
  const view = new SurfaceView(box, { t: (k) => k, height: 340 });
  const times = [];
  for (let i = 0; i < 6; i += 1) {
    // fresh arrays each time, so Plotly recomputes everything as for a new surface
    const loss = resp.loss.map((row) => row.map((v) => v * (1 + 1e-9 * i)));
    const path = { name: 'p', color: '#D55E00', points: resp.path, current: true };
    const ms = await view.update({ alpha: resp.alpha, beta: resp.beta, loss, xTitle: 'a',
      yTitle: 'b', revision: 'r', paths: [path] });
    times.push(ms);
  }
  box.remove();
  return times.slice(1);
}"""

PLAY_JS = """async (ms) => {
  const view = document.querySelector("#panel-surface [data-testid='surface-view']");
  const updates = [];
  const frames = [];
  const obs = new MutationObserver(() => updates.push(performance.now()));
  obs.observe(view, { attributes: true, attributeFilter: ['data-current-step'] });
  let last = performance.now();
  let running = true;
  const tick = (now) => {
    frames.push(now - last);
    last = now;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.querySelector('#play').click();
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  obs.disconnect();
  document.querySelector('#pause').click();
  const gaps = updates.slice(1).map((t, i) => t - updates[i]);
  return { gaps, frames: frames.slice(1), steps: view.dataset.currentStep };
}"""


def summary(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(0.95 * len(xs)))]
    return f"median {statistics.median(xs):7.1f} ms   p95 {p95:7.1f} ms   (n={len(xs)})"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.db")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{url}/static/dev/surface.html?preset=deep")
                page.wait_for_selector("body[data-ready='1']", timeout=60_000)
                page.click("#step10")
                page.wait_for_function("document.querySelector('#panel-surface')"
                                       ".dataset.step === '10'", timeout=60_000)
                page.wait_for_timeout(3000)
                coarse, fine = [], []
                for kind in ["random", "parameters", "random", "parameters", "random"]:
                    t = page.evaluate(ASK_JS, kind)
                    coarse.append(t["31"])
                    fine.append(t["101"])
                draw = page.evaluate(DRAW_JS)
                play = page.evaluate(PLAY_JS, 6000)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print("Loss surface in the browser, largest Playground net (2-8x6-1 tanh, 500 samples)")
    print(f"  ask → coarse 31×31 drawn      {summary(coarse)}")
    print(f"  ask → refined 101×101 drawn   {summary(fine)}")
    print(f"  draw 101×101 (contour + 3-D)  {summary(draw)}")
    print(f"  path updates while playing    {summary(play['gaps'])}   reached step {play['steps']}")
    print(f"  animation frames while playing {summary(play['frames'])}")


if __name__ == "__main__":
    main()
