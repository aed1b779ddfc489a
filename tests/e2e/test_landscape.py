"""Loss-landscape views in a real browser: the drawn path, losses and slopes equal the API's.

Runs against the real page ``/`` when it has the landscape tabs, a stepper and exposes
selection targets in the network view; otherwise against the development harness
``/static/dev/surface.html`` (which mounts the same panel modules on the same bus events).
"""

from __future__ import annotations

import json
import math
import urllib.request
from typing import Any

from tests.e2e.conftest import shot

HARNESS = "/static/dev/surface.html"
REL = 1e-9
PLOT = "#panel-surface .sv-contour"

# Trace lookups done in the page: Plotly keeps the drawn data on the plot element.
TRACES_JS = """(sel) => {
  const el = document.querySelector(sel);
  return (el?.data ?? []).map((t) => ({role: t.meta?.role ?? t.type, x: t.x, y: t.y, z: t.z,
    customdata: t.customdata}));
}"""


def api(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def page_ready(base_url: str) -> bool:
    """Whether the real page has what these tests drive: the landscape tab, a Step button
    (#btn-step), its main module, and a bus exposed as window.bpe.bus for selections."""
    try:
        with urllib.request.urlopen(f"{base_url}/", timeout=10) as resp:
            html = resp.read().decode()
        with urllib.request.urlopen(f"{base_url}/static/js/main.js", timeout=10) as resp:
            main = resp.read().decode()
    except OSError:
        return False
    return 'id="panel-surface"' in html and 'id="btn-step"' in html and "window.bpe" in main


def open_target(page, base_url: str) -> str:
    """Open the real page if it is ready for these tests, else the harness; return which."""
    if page_ready(base_url):
        page.goto(f"{base_url}/")
        page.wait_for_function("document.body.dataset.networkId && window.bpe?.bus")
        page.click("#tab-surface")
        return "page"
    page.goto(f"{base_url}{HARNESS}")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return "harness"


def bus_emit(page, mode: str, event: str, payload: Any) -> None:
    holder = "window.bpe" if mode == "page" else "window.harness"
    page.evaluate(f"([e, p]) => {holder}.bus.emit(e, p)", [event, payload])


def step_once(page, mode: str, expected: int) -> None:
    page.click("#btn-step" if mode == "page" else "#step")
    page.wait_for_function("document.querySelector('#panel-surface').dataset.step"
                           f" === '{expected}'", timeout=15_000)


def test_surface_slope_race_match_the_api(page, base_url, console_errors) -> None:
    mode = open_target(page, base_url)
    print(f"landscape e2e ran against the {mode}")
    net_id = page.evaluate("document.body.dataset.networkId")
    # Pick b¹₂ then w²₁₃ (layer 2, from neuron 2 to neuron 0): the plane is (b¹₂, w²₁₃) and
    # the slope view shows the last pick, w²₁₃.
    bus_emit(page, mode, "selection", {"kind": "bias", "layer": 1, "neuron": 1})
    bus_emit(page, mode, "selection", {"kind": "weight", "layer": 2, "from": 2, "to": 0})
    page.wait_for_function("document.querySelector('#panel-surface .lv-chips').textContent"
                           ".includes('w²₁₃')")
    recorded = []
    doc = api(base_url, "GET", f"/api/networks/{net_id}")
    recorded.append((doc["layers"][0]["b"][1], doc["layers"][1]["W"][0][2]))
    for k in range(1, 11):
        step_once(page, mode, doc["step"] + k)
        net = api(base_url, "GET", f"/api/networks/{net_id}")
        recorded.append((net["layers"][0]["b"][1], net["layers"][1]["W"][0][2]))
    step = net["step"]
    surface = page.locator("#panel-surface [data-testid='surface-view']")
    page.wait_for_function(f"""() => {{ const d = document.querySelector(
        "#panel-surface [data-testid='surface-view']").dataset;
        return d.resolution === '101' && d.currentStep === '{step}'; }}""", timeout=30_000)
    assert surface.get_attribute("data-resolution") == "101"

    traces = page.evaluate(TRACES_JS, PLOT)
    path = next(t for t in traces if t["role"] == "path")
    current = next(t for t in traces if t["role"] == "current")
    contour = next(t for t in traces if t["role"] == "contour")
    # The path: one point per step 0..10, ending at (0, 0). The plane is (α, β) = (b¹₂, w²₁₃)
    # in pick order, and α, β are the recorded values minus the current ones.
    assert len(path["x"]) == 11
    assert path["x"][-1] == 0 and path["y"][-1] == 0
    b_now, w_now = recorded[-1]
    for i, (b_i, w_i) in enumerate(recorded):
        assert abs(path["x"][i] - (b_i - b_now)) < 1e-12, i
        assert abs(path["y"][i] - (w_i - w_now)) < 1e-12, i
    # …and it is the API's path and surface on that plane.
    plane = {"kind": "parameters", "params": [{"layer": 1, "name": "b", "index": [1]},
                                              {"layer": 2, "name": "W", "index": [0, 2]}]}
    ref = api(base_url, "POST", f"/api/networks/{net_id}/loss-surface",
              {"plane": plane, "span": float(contour["x"][-1]), "resolution": 101})
    assert [p["step"] for p in ref["path"]] == [c[0] for c in path["customdata"]]
    assert [p["alpha"] for p in ref["path"]] == path["x"]
    assert [p["beta"] for p in ref["path"]] == path["y"]
    # The drawn loss at the current point equals the network's loss (GET), both as the
    # current marker and as the surface's centre value (a grid point at α = β = 0).
    loss = net["loss"]
    assert close(float(surface.get_attribute("data-current-loss")), loss)
    assert close(current["z"][0], loss)
    assert close(contour["z"][50][50], loss)
    assert contour["z"] == ref["loss"]

    # Slope view: the tangent's slope is ∂C/∂w²₁₃ from POST backward.
    page.evaluate("document.querySelector('#panel-slope').scrollIntoView()")
    if mode == "page":
        page.click("#tab-slope")
    page.wait_for_function(f"document.querySelector('#panel-slope svg')?.dataset.step === '{step}'")
    svg = page.locator("#panel-slope svg")
    grad = api(base_url, "POST", f"/api/networks/{net_id}/backward")
    assert close(float(svg.get_attribute("data-slope")), grad["layers"][1]["grad_W"][0][2])
    assert close(float(svg.get_attribute("data-value")), w_now)

    # Gradient flow: the latest norms are ‖grad_W‖_F of the API's gradients.
    if mode == "page":
        page.click("#tab-gradients")
    page.wait_for_function(f"document.querySelector('#panel-gradients svg')?.dataset.latestStep"
                           f" === '{step}'")
    norms = json.loads(page.locator("#panel-gradients svg").get_attribute("data-latest"))
    expected = [math.sqrt(sum(v * v for row in lay["grad_W"] for v in row))
                for lay in grad["layers"]]
    assert all(close(a, b) for a, b in zip(norms, expected, strict=True))

    # Race: one path per ticked optimizer, all from the common start (0, 0).
    if mode == "page":
        page.click("#tab-race")
    page.click("#panel-race [data-role='run']")
    page.wait_for_function("document.querySelector('#panel-race').dataset.runCount === '4'",
                           timeout=30_000)
    race = page.evaluate(TRACES_JS, "#panel-race .sv-contour")
    paths = [t for t in race if t["role"] == "path"]
    assert len(paths) == 4
    assert all(abs(p["x"][0]) < 1e-12 and abs(p["y"][0]) < 1e-12 for p in paths)
    curves = page.evaluate(TRACES_JS, "#panel-race .race-curves")
    assert len([c for c in curves if c["role"] == "loss"]) == 4

    if mode == "page":
        page.click("#tab-surface")
    shot(page, "landscape-en")
    if mode == "page":
        page.click(".lang-btn[data-lang='zh']")
    else:
        page.click("#lang")
    page.wait_for_function("document.querySelector('#panel-surface h3').textContent === '损失曲面'")
    page.wait_for_timeout(400)
    shot(page, "landscape-zh")
    assert console_errors == []


def test_surface_plane_kinds_and_play(page, base_url, console_errors) -> None:
    mode = open_target(page, base_url)
    net_id = page.evaluate("document.body.dataset.networkId")
    if mode == "harness":
        page.click("#step10")
    else:
        for _ in range(3):
            page.click("#btn-step")
    for kind in ("pca", "random"):
        page.click(f"#panel-surface [data-kind='{kind}']")
        page.wait_for_function(
            f"document.querySelector('#panel-surface').dataset.planeKind === '{kind}' && "
            "document.querySelector(\"#panel-surface [data-testid='surface-view']\")"
            ".dataset.resolution === '101'", timeout=30_000)
        title = page.evaluate("document.querySelector('#panel-surface .sv-contour')._fullLayout"
                              ".xaxis.title.text")
        if kind == "pca":
            ref = api(base_url, "POST", f"/api/networks/{net_id}/loss-surface",
                      {"plane": {"kind": "pca"}, "resolution": 2})
            assert f"{ref['explained_variance'][0] * 100:.1f} %" in title
        else:
            assert "seed 0" in title
    if mode == "page":
        return
    # Play: the path grows live (several distinct current steps are drawn while playing).
    page.click("#play")
    seen = set()
    for _ in range(30):
        page.wait_for_timeout(100)
        seen.add(page.locator("#panel-surface [data-testid='surface-view']")
                 .get_attribute("data-current-step"))
    page.click("#pause")
    assert len(seen) >= 3
    assert console_errors == []
