"""Loss-landscape tabs of the real page ``/`` in a real browser: the drawn path, losses, slopes
and gradient norms equal what the API returns, the race draws one path per optimizer, and a
hidden tab does no work while training plays.

The network comes from the page's URL hash (the builder's shareable state): 2-4-2-1 tanh,
sigmoid output, cross-entropy, XOR, full batch, η = 0.5. Parameters are picked by clicking
edges of the network view and training runs through the stepper's buttons.
"""

from __future__ import annotations

import json
import math
import urllib.request
from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import ARTIFACTS

HASH = "#data=xor&hidden=4,2&act=tanh,tanh,sigmoid&batch=full&lr=0.5&lang=en"
REL = 1e-9
SURFACE = "#panel-surface [data-testid='surface-view']"
TABS = {"surface": "Loss surface", "slope": "Slope", "race": "Optimizer race",
        "gradients": "Gradient flow"}

# Plotly keeps the drawn data on the plot element.
TRACES_JS = """(sel) => {
  const el = document.querySelector(sel);
  return (el?.data ?? []).map((t) => ({role: t.meta?.role ?? t.type, x: t.x, y: t.y, z: t.z,
    customdata: t.customdata}));
}"""

# The current steps the surface view draws during `ms` milliseconds.
DRAWN_STEPS_JS = """async (ms) => {
  const view = document.querySelector("#panel-surface [data-testid='surface-view']");
  const steps = [];
  const obs = new MutationObserver(() => steps.push(view.dataset.currentStep));
  obs.observe(view, { attributes: true, attributeFilter: ['data-current-step'] });
  await new Promise((resolve) => setTimeout(resolve, ms));
  obs.disconnect();
  return steps;
}"""

# The path overlay over the contour map, read during one animation frame while playing.
OVERLAY_JS = """() => new Promise((resolve) => {
  const view = document.querySelector("#panel-surface [data-testid='surface-view']");
  const svg = view.querySelector('.sv-overlay');
  let frames = 0;
  const look = () => {
    const active = view.classList.contains('sv-overlaying');
    if (!active && frames++ < 120) { requestAnimationFrame(look); return; }
    resolve({ active, circles: svg.querySelectorAll('circle').length,
      stars: svg.querySelectorAll('path').length, length: Number(view.dataset.pathLength) });
  };
  requestAnimationFrame(look);
})"""

# A point of an edge's hit path (viewport px) where that path is the topmost element, so a
# real mouse click there selects this edge and no other.
EDGE_POINT_JS = """(el) => {
  const len = el.getTotalLength();
  const m = el.getScreenCTM();
  for (const f of [0.3, 0.2, 0.4, 0.15, 0.5, 0.6, 0.7, 0.8]) {
    const p = el.getPointAtLength(len * f);
    const x = m.a * p.x + m.c * p.y + m.e;
    const y = m.b * p.x + m.d * p.y + m.f;
    if (document.elementFromPoint(x, y) === el) return [x, y];
  }
  return null;
}"""


def api(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}/api/networks/{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def open_page(page: Page, base_url: str) -> str:
    page.goto(f"{base_url}/{HASH}")
    page.wait_for_function("document.body.dataset.ready === '1'")
    return page.evaluate("document.body.dataset.networkId")


def show_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=TABS[name], exact=True).click()


def click_edge(page: Page, layer: int, frm: int, to: int) -> None:
    """Click the network view's edge of Wˡ[to][frm] with the mouse."""
    hit = page.locator(f'path.edge-hit[data-layer="{layer}"][data-from="{frm}"][data-to="{to}"]')
    hit.scroll_into_view_if_needed()
    point = hit.evaluate(EDGE_POINT_JS)
    assert point, f"edge W{layer}[{to}][{frm}] is covered everywhere"
    page.mouse.click(*point)


def step_count(page: Page) -> int:
    return int(page.get_by_test_id("step-count").inner_text())


def wait_surface(page: Page, step: int) -> None:
    page.wait_for_function(f"""() => {{ const d = document.querySelector("{SURFACE}").dataset;
        return d.resolution === '101' && d.currentStep === '{step}'; }}""", timeout=30_000)


def panel_shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("section.tabs").screenshot(path=str(ARTIFACTS / f"landscape-{name}.png"))


def check_surface(page: Page, base_url: str, net_id: str, recorded: list) -> dict:
    """The drawn path and losses equal the API's; returns the network document."""
    net = api(base_url, "GET", net_id)
    wait_surface(page, net["step"])
    traces = page.evaluate(TRACES_JS, "#panel-surface .sv-contour")
    path = next(t for t in traces if t["role"] == "path")
    current = next(t for t in traces if t["role"] == "current")
    contour = next(t for t in traces if t["role"] == "contour")
    # One point per step 0..10. The plane is (α, β) = (w³₁₂, w²₂₄) in click order; α and β
    # are the API's parameters after each step minus the current ones; the last is (0, 0).
    assert len(path["x"]) == len(recorded) == 11
    w3_now, w2_now = recorded[-1]
    assert (path["x"][-1], path["y"][-1]) == (0, 0)
    for i, (w3, w2) in enumerate(recorded):
        assert abs(path["x"][i] - (w3 - w3_now)) < 1e-12, i
        assert abs(path["y"][i] - (w2 - w2_now)) < 1e-12, i
    plane = {"kind": "parameters", "params": [{"layer": 3, "name": "W", "index": [0, 1]},
                                              {"layer": 2, "name": "W", "index": [1, 3]}]}
    ref = api(base_url, "POST", f"{net_id}/loss-surface",
              {"plane": plane, "span": float(contour["x"][-1]), "resolution": 101})
    assert [p["step"] for p in ref["path"]] == [c[0] for c in path["customdata"]]
    assert [p["alpha"] for p in ref["path"]] == path["x"]
    assert [p["beta"] for p in ref["path"]] == path["y"]
    assert contour["z"] == ref["loss"]
    # The drawn loss at the current point is the API's loss: the marker, and the surface's
    # centre (a grid point at α = β = 0).
    loss = net["loss"]
    assert close(float(page.locator(SURFACE).get_attribute("data-current-loss")), loss)
    assert close(current["z"][0], loss)
    assert close(contour["z"][50][50], loss)
    check_surface_3d(page, path, loss)
    return net


def check_surface_3d(page: Page, path: dict, loss: float) -> None:
    """The 3-D view, drawn after the contour map, shows the same path and current point on
    a mesh decimated to 51×51 (every other grid point, centre kept), and says so."""
    page.wait_for_function(f"document.querySelector(\"{SURFACE}\").dataset.resolution3d === '101'",
                           timeout=30_000)
    traces = page.evaluate(TRACES_JS, "#panel-surface .sv-3d")
    mesh = next(t for t in traces if t["role"] == "surface")
    path3d = next(t for t in traces if t["role"] == "path")
    current = next(t for t in traces if t["role"] == "current")
    assert len(mesh["z"]) == len(mesh["z"][0]) == 51
    assert mesh["x"][25] == 0 and close(mesh["z"][25][25], loss)
    assert path3d["x"] == path["x"] and path3d["y"] == path["y"]
    assert close(current["z"][0], loss)
    caption = page.evaluate("document.querySelector('#panel-surface .sv-3d')._fullLayout"
                            ".annotations[0].text")
    assert caption == "Resolution 51×51"


def test_landscape_tabs_match_the_api(page: Page, base_url: str, console_errors: list) -> None:
    net_id = open_page(page, base_url)
    show_tab(page, "surface")
    # Pick w³₁₂ (layer 3, from neuron 1 to 0) then w²₂₄ (layer 2, from neuron 3 to 1).
    click_edge(page, 3, 1, 0)
    click_edge(page, 2, 3, 1)
    page.wait_for_function("document.querySelector('#panel-surface .lv-chips').textContent"
                           " === 'α: w³₁₂β: w²₂₄'")
    recorded = step_ten_times(page, base_url, net_id)
    net = check_surface(page, base_url, net_id, recorded)
    check_plane_kinds(page, base_url, net_id)
    check_slope_and_gradients(page, base_url, net, w_now=recorded[-1][1])
    check_race(page, base_url, net)
    check_play(page, base_url, net_id)
    shoot_tabs(page, "en")
    page.click(".lang-btn[data-lang='zh']")
    shoot_tabs(page, "zh")
    assert console_errors == []


def step_ten_times(page: Page, base_url: str, net_id: str) -> list[tuple[float, float]]:
    """Press Step ten times; return (w³₁₂, w²₂₄) from the API at steps 0..10."""
    step_button = page.get_by_role("button", name="Step", exact=True)
    recorded = []
    for k in range(11):
        if k:
            step_button.click()
            page.wait_for_function(f"document.body.dataset.busy === '0' && document."
                                   f"querySelector('[data-testid=step-count]').textContent"
                                   f" === '{k}'")
        doc = api(base_url, "GET", net_id)
        assert doc["step"] == k
        recorded.append((doc["layers"][2]["W"][0][1], doc["layers"][1]["W"][1][3]))
    return recorded


def check_plane_kinds(page: Page, base_url: str, net_id: str) -> None:
    """PCA and random planes say what they are; then back to the two picked parameters."""
    for kind in ("pca", "random", "parameters"):
        page.click(f"#panel-surface [data-kind='{kind}']")
        page.wait_for_function(
            f"document.querySelector('#panel-surface').dataset.planeKind === '{kind}' && "
            f"document.querySelector(\"{SURFACE}\").dataset.resolution === '101'",
            timeout=30_000)
        title = page.evaluate("document.querySelector('#panel-surface .sv-contour')._fullLayout"
                              ".xaxis.title.text")
        if kind == "pca":
            ref = api(base_url, "POST", f"{net_id}/loss-surface",
                      {"plane": {"kind": "pca"}, "resolution": 2})
            assert f"{ref['explained_variance'][0] * 100:.1f} %" in title
        elif kind == "random":
            assert "seed 0" in title
        else:
            assert "w³₁₂" in title


def check_slope_and_gradients(page: Page, base_url: str, net: dict, w_now: float) -> None:
    """Slope: the tangent's slope is ∂C/∂w²₂₄ from POST backward at the current value.
    Gradient flow: the latest norms are ‖grad_W‖_F of the API's gradients."""
    step = net["step"]
    show_tab(page, "slope")
    page.wait_for_function(f"document.querySelector('#panel-slope svg')?.dataset.step === '{step}'")
    svg = page.locator("#panel-slope svg")
    grad = api(base_url, "POST", f"{net['id']}/backward")
    assert close(float(svg.get_attribute("data-slope")), grad["layers"][1]["grad_W"][1][3])
    assert close(float(svg.get_attribute("data-value")), w_now)
    assert close(float(svg.get_attribute("data-loss")), net["loss"])

    show_tab(page, "gradients")
    page.wait_for_function("document.querySelector('#panel-gradients svg')?.dataset.latestStep"
                           f" === '{step}'")
    norms = json.loads(page.locator("#panel-gradients svg").get_attribute("data-latest"))
    expected = [math.sqrt(sum(v * v for row in lay["grad_W"] for v in row))
                for lay in grad["layers"]]
    assert all(close(a, b) for a, b in zip(norms, expected, strict=True))
    assert int(page.locator("#panel-gradients svg").get_attribute("data-points")) == step + 1


def check_race(page: Page, base_url: str, net: dict) -> None:
    """One path per ticked optimizer, all from the common start (0, 0), one loss curve each;
    the network itself does not move."""
    show_tab(page, "race")
    page.get_by_role("button", name="Run race").click()
    page.wait_for_function("document.querySelector('#panel-race').dataset.runCount === '4'",
                           timeout=30_000)
    paths = [t for t in page.evaluate(TRACES_JS, "#panel-race .sv-contour")
             if t["role"] == "path"]
    assert len(paths) == 4
    assert all(abs(p["x"][0]) < 1e-12 and abs(p["y"][0]) < 1e-12 for p in paths)
    curves = page.evaluate(TRACES_JS, "#panel-race .race-curves")
    assert len([c for c in curves if c["role"] == "loss"]) == 4
    assert api(base_url, "GET", net["id"])["step"] == net["step"]


def check_play(page: Page, base_url: str, net_id: str) -> None:
    """While playing, hidden landscape tabs ask the server for nothing; the surface tab,
    shown, grows its path live and catches up with the network after Pause."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    page.get_by_role("tab", name="Inspector", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(300)
    asked.clear()
    before = step_count(page)
    page.wait_for_timeout(1200)
    assert step_count(page) > before
    assert [u for u in asked if "/loss-" in u or "/race" in u] == []
    show_tab(page, "surface")
    assert len(set(page.evaluate(DRAWN_STEPS_JS, 1500))) >= 3
    # While playing the path moves on a light overlay (one point per step drawn), not by
    # redrawing the plots.
    overlay = page.evaluate(OVERLAY_JS)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_function("document.body.dataset.playing === '0' && "
                           "document.body.dataset.busy === '0'")
    step = api(base_url, "GET", net_id)["step"]
    wait_surface(page, step)
    assert page.locator("#panel-surface").get_attribute("data-surface-step") == str(step)
    assert overlay["active"] and overlay["circles"] == overlay["length"] > 11
    assert overlay["stars"] == 1
    # After Pause the plots show the path again and the overlay is gone.
    page.wait_for_function(f"!document.querySelector(\"{SURFACE}\").classList"
                           ".contains('sv-overlaying')")
    traces = page.evaluate(TRACES_JS, "#panel-surface .sv-contour")
    path = next(t for t in traces if t["role"] == "path")
    assert path["customdata"][-1][0] == step and (path["x"][-1], path["y"][-1]) == (0, 0)


# Text that shows a tab is drawn in a language: (element selector, text it contains).
DRAWN = {
    "surface": (".sv-contour .gtitle", {"en": "Top view (contour map)",
                                        "zh": "俯视图（等高线图）"}),
    "slope": (".lv-axis-title", {"en": "value of", "zh": "的取值"}),
    "race": (".race-curves .gtitle", {"en": "Loss during the race", "zh": "比赛中的损失"}),
    "gradients": (".lv-axis-title", {"en": "Frobenius norm", "zh": "Frobenius 范数"}),
}


def shoot_tabs(page: Page, lang: str) -> None:
    """Open each landscape tab and screenshot it once it is drawn in the language."""
    for name, (probe, text) in DRAWN.items():
        page.locator(f"#tab-{name}").click()
        page.wait_for_function(f"""() => [...document.querySelectorAll("#panel-{name} {probe}")]
            .some((e) => e.textContent.includes("{text[lang]}"))""", timeout=15_000)
        page.wait_for_timeout(200)
        panel_shot(page, f"{name}-{lang}")
