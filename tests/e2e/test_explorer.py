"""Browser tests of the explorer page: builder, stepper, network view, output view, loss
chart, language and shareable links, checked against the numbers the API returns."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot

REL = 1e-6
STEPPER = ["forward", "backward", "update", "step", "play", "pause", "reset"]
NEGATIVE, NEUTRAL, POSITIVE = (245, 147, 34), (244, 245, 247), (8, 119, 189)
#: Words allowed in Chinese mode: names and symbols that stay the same in Chinese tutorials.
ALLOWED_LATIN = {"relu", "leaky", "tanh", "sigmoid", "softmax", "adam", "sgd", "rmsprop", "csv",
                 "json", "xavier", "he", "l1", "l2", "x1", "x2", "y1", "y2", "label", "bp1",
                 "bp2", "bp3", "bp4", "mse", "w", "en", "c"}


def wait_ready(page: Page) -> str:
    page.wait_for_function("document.body.dataset.ready === '1'")
    return page.evaluate("document.body.dataset.networkId")


def wait_idle(page: Page) -> None:
    page.wait_for_function("document.body.dataset.busy === '0'")


def api(page: Page, base_url: str, method: str, path: str, data: dict | None = None) -> dict:
    url = f"{base_url}/api/networks/{path}"
    resp = page.request.fetch(url, method=method, data=data)
    assert resp.ok, resp.text()
    return resp.json()


def diverging_rgb(t: float) -> tuple[int, ...]:
    """The network view's colour of t in [-1, 1] (orange < 0 < blue), as in draw-utils.js."""
    u = max(-1.0, min(1.0, t))
    end = NEGATIVE if u < 0 else POSITIVE
    return tuple(round(m + (e - m) * abs(u)) for m, e in zip(NEUTRAL, end, strict=True))


def fill_rgb(locator) -> tuple[int, ...]:
    fill = locator.evaluate("e => getComputedStyle(e).fill")
    return tuple(int(v) for v in re.findall(r"\d+", fill)[:3])


def edge(page: Page, layer: int, frm: int, to: int):
    return page.locator(f'path.edge[data-layer="{layer}"][data-from="{frm}"][data-to="{to}"]')


def edge_hit(page: Page, layer: int, frm: int, to: int):
    return page.locator(f'path.edge-hit[data-layer="{layer}"][data-from="{frm}"][data-to="{to}"]')


def test_build_forward_backward_update_edit(page: Page, base_url: str, console_errors: list):
    page.goto(f"{base_url}/#lang=en")
    first = wait_ready(page)
    # Build through the builder: full batch (PATCH keeps the network), one more layer and
    # one more neuron in layer 1 (each rebuilds).
    page.locator('select[name="batchMode"]').select_option("full")
    page.wait_for_function("document.body.dataset.ready === '1'")
    page.get_by_role("button", name="Add a hidden layer").click()
    page.wait_for_function(f"document.body.dataset.networkId !== '{first}'")
    second = wait_ready(page)
    page.get_by_role("button", name="Add a neuron to layer 1").click()
    page.wait_for_function(f"document.body.dataset.networkId !== '{second}'")
    net_id = wait_ready(page)
    doc = api(page, base_url, "GET", net_id)
    assert doc["spec"]["layers"] == [2, 5, 2, 2, 1]
    assert doc["spec"]["batch_size"] is None
    assert page.locator("path.edge").count() == 2 * 5 + 5 * 2 + 2 * 2 + 2 * 1
    shot(page, "core-01-built-en")

    # Stable ids on the stepper buttons, with their accessible names.
    for name in STEPPER:
        expect(page.locator(f"#btn-{name}")).to_have_text(re.compile(name, re.I))
    # Forward: the output neuron shows the batch mean of the API's a.
    page.get_by_role("button", name="Forward", exact=True).click()
    wait_idle(page)
    fwd = api(page, base_url, "POST", f"{net_id}/forward")
    a_out = [row[0] for row in fwd["layers"][-1]["a"]]
    out_neuron = page.locator('g.neuron[data-layer="4"][data-neuron="0"]')
    shown = float(out_neuron.get_attribute("data-value"))
    mean = sum(a_out) / len(a_out)
    assert shown == pytest.approx(mean, rel=REL)
    # Colour scale "per layer" on a one-neuron layer: (mean − 0.5) ÷ max |a − 0.5| over the
    # batch, not full colour.
    t = (mean - 0.5) / max(abs(a - 0.5) for a in a_out)
    assert abs(t) < 0.9
    got = fill_rgb(out_neuron.locator("circle.body"))
    assert all(abs(g - e) <= 1 for g, e in zip(got, diverging_rgb(t), strict=True)), (got, t)
    shot(page, "core-02-forward-en")

    # Backward: the tooltip of W²[0][1] shows ∂C/∂w from the API.
    page.get_by_role("button", name="Backward", exact=True).click()
    wait_idle(page)
    bwd = api(page, base_url, "POST", f"{net_id}/backward")
    grad = bwd["layers"][1]["grad_W"][0][1]
    edge_hit(page, 2, 1, 0).dispatch_event("mouseenter")
    tip = page.locator(".nv-tooltip")
    expect(tip).to_be_visible()
    assert "W²[0][1]" in tip.inner_text()
    assert f"{grad:.3g}"[:5].rstrip("0") in tip.inner_text().replace("−", "-")
    shot(page, "core-03-backward-en")
    edge_hit(page, 2, 1, 0).dispatch_event("mouseleave")

    # Update: the edge carries the API's new weight; loss before → after equals the API.
    before = api(page, base_url, "GET", net_id)
    with page.expect_response(lambda r: r.url.endswith("/step")) as info:
        page.get_by_role("button", name="Update", exact=True).click()
    step = info.value.json()
    wait_idle(page)
    after = api(page, base_url, "GET", net_id)
    w_new = after["layers"][1]["W"][0][1]
    assert step["layers"][1]["W"][0][1] == w_new
    assert float(edge(page, 2, 1, 0).get_attribute("data-w")) == w_new
    change = page.locator(".loss-change")
    assert float(change.get_attribute("data-loss-before")) == pytest.approx(before["loss"], rel=REL)
    assert float(change.get_attribute("data-loss-after")) == pytest.approx(after["loss"], rel=REL)
    assert page.locator(".count-step").inner_text() == "1"
    shot(page, "core-04-update-en")

    # Stroke widths are proportional to |w| (ratios against the largest weight).
    widths = page.eval_on_selector_all("path.edge", """els => els.map(e => [+e.dataset.layer,
        +e.dataset.from, +e.dataset.to, +e.getAttribute('stroke-width')])""")
    W = [layer["W"] for layer in after["layers"]]
    max_w = max(abs(w) for Wl in W for row in Wl for w in row)
    max_px = max(px for *_, px in widths)
    for layer, frm, to, px in widths:
        assert px / max_px == pytest.approx(abs(W[layer - 1][to][frm]) / max_w, rel=REL, abs=1e-12)

    # Select a weight: the selection is highlighted; edit it by hand: the API has the value.
    edge_hit(page, 2, 1, 0).dispatch_event("click")
    expect(edge(page, 2, 1, 0)).to_have_class(re.compile("selected"))
    edge_hit(page, 2, 1, 0).dispatch_event("dblclick")
    editor = page.locator(".nv-editor input")
    expect(editor).to_be_visible()
    editor.fill("0.75")
    editor.press("Enter")
    page.wait_for_function("""() => document.querySelector(
        'path.edge[data-layer="2"][data-from="1"][data-to="0"]').dataset.w === '0.75'""")
    assert api(page, base_url, "GET", net_id)["layers"][1]["W"][0][1] == 0.75

    # Output view: a click adds a training point (validation data kept).
    data0 = api(page, base_url, "GET", f"{net_id}/data")
    page.locator(".ov-points").click(position={"x": 60, "y": 60})
    page.wait_for_function(f"document.querySelectorAll('.ov-points circle').length === "
                           f"{len(data0['X']) + len(data0['X_val']) + 1}")
    data1 = api(page, base_url, "GET", f"{net_id}/data")
    assert len(data1["X"]) == len(data0["X"]) + 1
    assert data1["X_val"] == data0["X_val"]
    shot(page, "core-05-selected-en")
    assert console_errors == []


def chinese_leftovers(page: Page) -> list[str]:
    """Return Latin words in the controls that are not allowed names."""
    text = page.evaluate("""() => ['#builder', '#data-panel', '#training-panel', '#stepper',
        '.tab-list', '.app-header', '#network-legend', '.ov-tools', '.chart-legend']
        .map(s => document.querySelector(s))
        .map(el => el.innerText + ' ' + [...el.querySelectorAll('option')]
             .map(o => o.textContent).join(' ')).join(' ')""")
    text = text.replace("Backprop Explorer", "")
    words = re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
    return sorted({w for w in words if w.lower() not in ALLOWED_LATIN})


def test_play_language_and_shared_link(page: Page, base_url: str, console_errors: list):
    page.goto(f"{base_url}/#lang=en")
    net_id = wait_ready(page)
    start = api(page, base_url, "GET", net_id)
    page.get_by_role("button", name="Play").click()
    # Play frames draw the weights on the edge canvas (in a worker) instead of the SVG.
    page.wait_for_function("document.querySelector('.nv').classList.contains('fast-edges')")
    page.wait_for_timeout(2500)
    shot(page, "core-06-playing-en")
    page.get_by_role("button", name="Pause").click()
    page.wait_for_function("document.body.dataset.playing === '0'")
    wait_idle(page)
    page.wait_for_timeout(300)
    trained = api(page, base_url, "GET", net_id)
    # After the pause the SVG is back, with the server's weights.
    expect(page.locator(".nv")).not_to_have_class(re.compile("fast-edges"))
    assert float(edge(page, 1, 0, 0).get_attribute("data-w")) == trained["layers"][0]["W"][0][0]
    assert trained["step"] > 20
    assert trained["loss"] < start["loss"]
    readout = page.locator(".chart-readout")
    assert int(readout.get_attribute("data-step")) == trained["step"]
    assert float(readout.get_attribute("data-loss")) == pytest.approx(trained["loss"], rel=REL)

    page.get_by_role("button", name="中文").click()
    expect(page.locator(".btn-forward")).to_contain_text("前向传播")
    assert chinese_leftovers(page) == []
    shot(page, "core-07-trained-zh")

    # The shared link rebuilds the same network: same spec, same initial weights.
    url = page.url
    assert "lang=zh" in url
    page.goto("about:blank")
    page.goto(url)
    new_id = wait_ready(page)
    assert new_id != net_id
    rebuilt = api(page, base_url, "GET", new_id)
    assert rebuilt["spec"] == start["spec"]
    assert rebuilt["layers"] == start["layers"]
    expect(page.locator(".btn-forward")).to_contain_text("前向传播")
    page.get_by_role("button", name="前向传播").click()
    wait_idle(page)
    shot(page, "core-08-shared-forward-zh")
    assert console_errors == []


CSV = "x1,x2,label\n" + "\n".join(
    f"{x / 5 - 1:.2f},{y / 5 - 1:.2f},{int(x > y)}" for x in range(11) for y in range(0, 11, 2))


def test_csv_upload_and_small_screen(page: Page, base_url: str, console_errors: list):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{base_url}/#lang=en")
    net_id = wait_ready(page)
    picker = page.locator('select[name="dataset"]')
    assert picker.input_value() == "xor"
    # A CSV file replaces the training data; the picker says so, the hint names the file.
    page.locator(".ov-tools input[type=file]").set_input_files(
        files=[{"name": "points.csv", "mimeType": "text/csv", "buffer": CSV.encode()}])
    expect(picker.locator("option:checked")).to_have_text("Uploaded data")
    expect(page.locator(".data-pick .hint")).to_contain_text("points.csv")
    data = api(page, base_url, "GET", f"{net_id}/data")
    assert len(data["X"]) == 66
    assert data["X"][0] == [-1.0, -1.0]
    page.wait_for_function("document.querySelectorAll('.ov-points circle.pt:not(.val)').length"
                           " === 66")
    page.get_by_role("button", name="Forward", exact=True).click()
    wait_idle(page)
    shot(page, "core-09-csv-1024-en")
    page.get_by_role("button", name="中文").click()
    expect(picker.locator("option:checked")).to_have_text("上传的数据")
    assert chinese_leftovers(page) == ["points"]  # the file's name
    shot(page, "core-10-csv-1024-zh")
    # Picking a data set rebuilds from generated data.
    picker.select_option("moons")
    page.wait_for_function(f"document.body.dataset.networkId !== '{net_id}'")
    wait_ready(page)
    expect(picker.locator("option:checked")).to_have_text("双月形")
    assert page.locator('select[name="dataset"] option[value="__uploaded__"]').count() == 0
    assert console_errors == []
