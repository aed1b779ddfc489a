"""Browser test of the layer inspector and the equation panel on the real page: the numbers
they show equal what the API returns (full precision in data-value, %.4g rounding in the
typeset maths), and they do no work in a hidden tab during play."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot

REL = 1e-12
# Words allowed in the Chinese UI: proper names and activation/optimizer names.
ALLOWED_LATIN = {"bp", "nielsen", "sigmoid", "softmax", "tanh", "relu", "sgd", "adam",
                 "rmsprop", "api"}


def call(base: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def tex_num(x: float) -> str:
    """The panel's TeX rounding: %.4g, scientific as m\\times10^{e}."""
    s = format(x, ".4g")
    if "e" in s:
        m, e = s.split("e")
        return f"{m}\\times10^{{{int(e)}}}"
    return s


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(abs(a), abs(b), 1e-300)


def cells(page: Page, array: str) -> dict[tuple[int, int], float]:
    got = page.eval_on_selector_all(
        f"#panel-inspector td[data-array='{array}']",
        "els => els.map(e => [+e.dataset.row, +e.dataset.col, e.dataset.value])")
    return {(r, c): float(v) for r, c, v in got}


def line(page: Page, eq_id: str) -> tuple[dict[str, float], str]:
    loc = page.locator(f"#panel-equations [data-eq-line='{eq_id}']")
    expect(loc).to_have_count(1)
    return json.loads(loc.get_attribute("data-values")), loc.get_attribute("data-tex")


HASH = ("data=blobs3&hidden=4&act=tanh,softmax&loss=log_likelihood&opt=sgd&n=30&ds=1&vf=0.2"
        "&lr=0.5&l1=0&l2=0.1&batch=full&is=0&init=xavier&lang=en")


def open_page(page: Page, base: str) -> str:
    """Open the page on the test network (built from the URL hash); return its id."""
    page.goto(f"{base}/#{HASH}")
    page.wait_for_selector("body[data-ready='1']")
    return page.evaluate("document.body.dataset.networkId")


def press(page: Page, name: str) -> None:
    """Click a stepper button and wait until the stepper is idle again."""
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("button", name="Forward", exact=True)).to_be_enabled()


def show(page: Page, panel: str) -> None:
    page.click(f"#tab-{panel}")


def test_inspector_and_equations_show_api_numbers(page: Page, base_url: str,
                                                  console_errors: list[str]) -> None:
    nid = open_page(page, base_url)
    spec = call(base_url, "GET", f"/api/networks/{nid}")["spec"]
    assert spec["layers"] == [2, 4, 3] and spec["regularization"]["l2"] == 0.1
    page.wait_for_selector("#panel-inspector td[data-array='W']")
    press(page, "Forward")
    press(page, "Backward")
    before = call(base_url, "GET", f"/api/networks/{nid}")["layers"][1]
    press(page, "Update")
    page.wait_for_selector("#panel-inspector td[data-array='W_after']")
    page.wait_for_timeout(400)
    lay = call(base_url, "GET", f"/api/networks/{nid}/layers/2")

    # δ (first rows), W now, W before/after the update: exactly the API's numbers
    delta = cells(page, "delta")
    assert len(delta) == 8 * 3
    assert all(close(v, lay["delta"][r][c]) for (r, c), v in delta.items())
    for array, ref in (("W", lay["W"]), ("W_after", lay["W"]), ("W_before", before["W"])):
        got = cells(page, array)
        assert len(got) == 12 and all(close(v, ref[r][c]) for (r, c), v in got.items()), array
    assert "W² (3×4)" in page.inner_text("#panel-inspector")

    # row-vector convention: W shown as (n_in × n_out), cell (k, j) = W[j][k]
    page.check("#panel-inspector [data-control='row-vector']")
    text = page.inner_text("#panel-inspector")
    assert "W² (4×3)" in text and "∂C/∂W² (4×3)" in text
    got = cells(page, "W")
    assert all(close(v, lay["W"][c][r]) for (r, c), v in got.items()) and (3, 2) in got
    page.uncheck("#panel-inspector [data-control='row-vector']")

    # select w²_{2,3} (API W[1][2]) by clicking its cell; choose sample 3
    page.click("#panel-inspector td[data-array='W'][data-row='1'][data-col='2']")
    expect(page.locator("#panel-inspector td.is-selected[data-array='W']")).to_have_count(1)
    page.select_option("#panel-inspector [data-control='sample']", "2")
    show(page, "equations")
    values, tex = line(page, "bp4-sample")
    a, d = lay["a_prev"][2][2], lay["delta"][2][1]
    assert values["a"] == a and values["delta"] == d and close(values["product"], a * d)
    for x in (a, d, a * d):
        assert tex_num(x) in tex, (x, tex)
    values, tex = line(page, "bp4-batch")
    g = lay["grad_W"][1][2]
    assert values["result"] == g and tex.endswith(f"= {tex_num(g)}")
    assert "\\frac{\\lambda}{n}" in tex  # L2 regularization shown explicitly
    eta = call(base_url, "GET", f"/api/networks/{nid}")["learning_rate"]
    values, tex = line(page, "update-next")
    w = lay["W"][1][2]
    assert close(values["result"], w - eta * g)
    assert tex.endswith(f"= {tex_num(w - eta * g)}") and tex_num(w) in tex and tex_num(g) in tex
    assert page.locator("#panel-equations .eq-line .katex").count() >= 3
    shot(page, "equations-en-page")

    # a hidden neuron: BP2 with the numbers of layer 1, δ as the API has it
    show(page, "inspector")
    page.select_option("#panel-inspector [data-control='layer']", "1")
    page.click("#panel-inspector td[data-array='delta'][data-col='0']")
    shot(page, "inspector-en-page")
    show(page, "equations")
    values, tex = line(page, "bp2-number")
    lay1 = call(base_url, "GET", f"/api/networks/{nid}/layers/1")
    assert values["delta"] == lay1["delta"][2][0]
    assert tex.endswith(f"= {tex_num(lay1['delta'][2][0])}")
    assert tex_num(values["sum"] * values["sigma_prime"]) == tex_num(values["delta"])

    # the gradient check passes
    page.click("#panel-equations [data-action='gradient-check']")
    badge = page.locator("#panel-equations [data-overall='true']")
    expect(badge).to_have_attribute("data-passed", "true")
    expect(page.locator("#panel-equations .eq-gradcheck-table tbody tr")).to_have_count(2)

    # Chinese: no English words in the panels (outside the typeset maths)
    page.click("button[data-lang='zh']")
    for panel in ("equations", "inspector"):
        show(page, panel)
        page.wait_for_timeout(300)
        shot(page, f"{panel}-zh-page")
        text = page.eval_on_selector(f"#panel-{panel}", """el => { const c = el.cloneNode(true);
            c.querySelectorAll('.katex').forEach(k => k.remove()); return c.textContent; }""")
        text = re.sub(r"n_(in|out)", "", text)
        words = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)} - ALLOWED_LATIN
        assert not words, (panel, words)
    options = page.locator("#panel-inspector [data-control='layer'] option").all_inner_texts()
    assert options[0] == "第 1 层"
    assert console_errors == []


COUNT_MUTATIONS = """() => {
    window.detailMutations = {};
    for (const id of ['panel-inspector', 'panel-equations']) {
        const root = document.getElementById(id);
        const n = window.detailMutations[id] = {records: 0, rebuilds: 0};
        new MutationObserver((records) => {
            n.records += records.length;
            n.rebuilds += records.filter((r) => r.target === root).length;
        }).observe(root, {childList: true, subtree: true, attributes: true, characterData: true});
    }
}"""


def play_for(page: Page, ms: int) -> dict[str, dict[str, int]]:
    """Play for ms, pause; return the mutations counted in each panel while playing."""
    page.evaluate("Object.values(window.detailMutations).forEach(n => n.records = n.rebuilds = 0)")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(ms)
    counts = page.evaluate("JSON.parse(JSON.stringify(window.detailMutations))")
    press(page, "Pause")
    page.wait_for_timeout(300)
    return counts


def test_panels_do_no_work_in_a_hidden_tab_during_play(page: Page, base_url: str,
                                                       console_errors: list[str]) -> None:
    nid = open_page(page, base_url)
    page.wait_for_selector("#panel-inspector td[data-array='W']")
    show(page, "equations")
    page.wait_for_selector("#panel-equations [data-eq-line] .katex")
    page.evaluate(COUNT_MUTATIONS)
    show(page, "surface")
    hidden = play_for(page, 1500)
    assert hidden["panel-inspector"]["records"] == 0, hidden
    assert hidden["panel-equations"]["records"] == 0, hidden
    show(page, "inspector")  # catches up once, then updates its cells in place
    expect(page.locator("#panel-inspector td[data-array='W']").first).to_be_visible()
    shown = play_for(page, 2000)
    assert shown["panel-inspector"]["records"] > 0, shown  # it does follow the training
    assert shown["panel-inspector"]["rebuilds"] <= 1, shown
    assert shown["panel-equations"]["records"] == 0, shown
    ref = call(base_url, "GET", f"/api/networks/{nid}/layers/2")["W"]  # paused: final weights
    got = cells(page, "W")
    assert len(got) == 12 and all(close(v, ref[r][c]) for (r, c), v in got.items())
    assert console_errors == []
