"""Loss-surface drawing speed on the real page ``/`` in a real browser (Playwright + Debian's
Chromium).

On Playground's largest net (2-8x6-1, tanh, quadratic, spiral, 500 samples, full batch),
built from the page's shareable link and trained a little with Play, the Loss surface tab
shown, measures:
1. time from asking for a surface (switching the plane) to the coarse 31×31 contour map
   drawn (the surface "appears"), to its 3-D view drawn (after the contour, at an idle
   moment), and the same for the refined 101×101 surface (request + JSON + Plotly);
2. the pure drawing time of a 101×101 surface with a path, contour map and 3-D view (mesh
   decimated to 51×51) separately, timed in the page with performance.now;
3. while playing with the tab shown: the interval between path updates drawn on the
   surface, the time each takes to draw (an SVG overlay over the contour map), and the
   browser's animation-frame intervals (jank);
4. while playing with the Inspector tab shown instead (the landscape tabs hidden): the
   animation-frame intervals and the landscape requests made (should be none).

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
HASH = ("#data=spiral&hidden=8,8,8,8,8,8&act=tanh,tanh,tanh,tanh,tanh,tanh,tanh"
        "&loss=quadratic&n=500&vf=0&batch=full&lr=0.03&lang=en")
VIEW = "#panel-surface [data-testid='surface-view']"

# Switch the plane and time the drawn resolutions: the contour map sets data-resolution when
# drawn, the 3-D view (drawn after it, at an idle moment) data-resolution3d.
ASK_JS = """async (kind) => {
  const view = document.querySelector("#panel-surface [data-testid='surface-view']");
  const panel = document.querySelector('#panel-surface');
  const t0 = performance.now();
  const times = {};
  await new Promise((resolve) => {
    const obs = new MutationObserver((records) => {
      if (panel.dataset.planeKind !== kind) return;
      for (const rec of records) {
        const value = view.getAttribute(rec.attributeName);
        const key = (rec.attributeName === 'data-resolution' ? 'contour' : '3d') + value;
        if (!(key in times)) times[key] = performance.now() - t0;
      }
      if ('contour101' in times && '3d101' in times) { obs.disconnect(); resolve(); }
    });
    obs.observe(view, { attributes: true,
                        attributeFilter: ['data-resolution', 'data-resolution3d'] });
    document.querySelector(`#panel-surface [data-kind='${kind}']`).click();
  });
  return times;
}"""

# Pure drawing of a 101×101 surface with a path: the contour map (update() resolves when it
# is drawn) and the 3-D view (drawn after it; whenDrawn() resolves then), each timed in the
# page with performance.now.
DRAW_JS = """async () => {
  const { SurfaceView } = await import('/static/js/surface-view.js');
  const { api } = await import('/static/js/api.js');
  const id = document.body.dataset.networkId;
  const resp = await api.lossSurface(id, { plane: { kind: 'random', seed: 3 }, resolution: 101 });
  const box = document.createElement('div');
  box.style.width = '1200px';
  document.body.appendChild(box);
  const view = new SurfaceView(box, { t: (k) => k, height: 340 });
  const contour = [];
  const surface = [];
  const painted = [];
  for (let i = 0; i < 6; i += 1) {
    // fresh arrays each time, so Plotly recomputes everything as for a new surface
    const loss = resp.loss.map((row) => row.map((v) => v * (1 + 1e-9 * i)));
    const path = { name: 'p', color: '#D55E00', points: resp.path, current: true };
    contour.push(await view.update({ alpha: resp.alpha, beta: resp.beta, loss, xTitle: 'a',
      yTitle: 'b', revision: 'r', paths: [path] }));
    await view.whenDrawn();
    surface.push(Number(box.dataset.draw3dMs));
    painted.push(Number(box.dataset.paint3dMs));
  }
  await view.reset();
  box.remove();
  return { contour: contour.slice(1), surface: surface.slice(1), painted: painted.slice(1) };
}"""

# Play for `ms`, recording animation-frame intervals and surface path updates.
PLAY_JS = """async (ms) => {
  const view = document.querySelector("#panel-surface [data-testid='surface-view']");
  const updates = [];
  const drawMs = [];
  const frames = [];
  const obs = new MutationObserver(() => {
    updates.push(performance.now());
    drawMs.push(Number(view.dataset.drawMs));
  });
  obs.observe(view, { attributes: true, attributeFilter: ['data-current-step'] });
  let last = performance.now();
  let running = true;
  const tick = (now) => {
    frames.push(now - last);
    last = now;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.querySelector('[data-action="play"]').click();
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  obs.disconnect();
  document.querySelector('[data-action="pause"]').click();
  const gaps = updates.slice(1).map((t, i) => t - updates[i]);
  return { gaps, drawMs, frames: frames.slice(1),
           step: document.querySelector('.count-step').textContent };
}"""


def summary(xs: list[float]) -> str:
    if not xs:
        return "(none)"
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(0.95 * len(xs)))]
    return f"median {statistics.median(xs):7.1f} ms   p95 {p95:7.1f} ms   (n={len(xs)})"


def frames(xs: list[float]) -> str:
    """Frame intervals: the summary, the longest and how many missed more than one frame."""
    late = sum(1 for x in xs if x > 34)
    return f"{summary(xs)}   max {max(xs, default=0):6.1f} ms   >34 ms: {late}"


def wait_idle(page) -> None:
    page.wait_for_function("document.body.dataset.playing === '0' && "
                           "document.body.dataset.busy === '0'", timeout=60_000)


def measure(page) -> dict:
    """Run every measurement on a page showing the built network."""
    page.locator("#tab-surface").click()
    page.locator('[data-action="play"]').click()
    page.wait_for_timeout(1500)
    page.locator('[data-action="pause"]').click()
    wait_idle(page)
    page.wait_for_function(f"document.querySelector(\"{VIEW}\").dataset.resolution === '101'",
                           timeout=60_000)
    page.wait_for_timeout(2000)
    coarse = []
    for kind in ["random", "parameters", "random", "parameters", "random"]:
        t = page.evaluate(ASK_JS, kind)
        coarse.append(t)
    out = {"asks": coarse, "draw": page.evaluate(DRAW_JS)}
    out["shown"] = page.evaluate(PLAY_JS, 6000)
    wait_idle(page)
    asked: list[str] = []
    page.wait_for_timeout(1500)  # the surface catches up after Pause
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    page.locator("#tab-inspector").click()
    page.wait_for_timeout(1000)
    out["hidden"] = page.evaluate(PLAY_JS, 6000)
    out["hidden_requests"] = [u for u in asked if "/loss-" in u or "/race" in u]
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.db")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{url}/{HASH}")
                page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
                out = measure(page)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    shown, hidden = out["shown"], out["hidden"]
    asks, draw = out["asks"], out["draw"]
    print("Loss surface on the page, largest Playground net (2-8x6-1 tanh, 500 samples)")
    for label, key in [("ask → coarse 31×31 contour drawn", "contour31"),
                       ("ask → coarse 31×31 3-D drawn    ", "3d31"),
                       ("ask → 101×101 contour drawn     ", "contour101"),
                       ("ask → 101×101 3-D drawn         ", "3d101")]:
        print(f"  {label} {summary([t[key] for t in asks if key in t])}")
    print(f"  draw 101×101 contour map          {summary(draw['contour'])}")
    print(f"  draw 101×101 3-D (51×51 mesh)     {summary(draw['surface'])}")
    print(f"    … until painted (software GL)   {summary(draw['painted'])}")
    print(f"  tab shown, playing: path updates  {summary(shown['gaps'])}")
    print(f"  tab shown, playing: path draw     {summary(shown['drawMs'])}")
    print(f"  tab shown, playing: frames        {frames(shown['frames'])}"
          f"   (reached step {shown['step']})")
    print(f"  tab hidden, playing: frames       {frames(hidden['frames'])}"
          f"   (reached step {hidden['step']})")
    print(f"  tab hidden, playing: landscape requests {len(out['hidden_requests'])}")

if __name__ == "__main__":
    main()
