"""Digits in a real browser: the sheet of generated digits beside real ones, live."""

import re

from tests.e2e.server import DRAWN_CLOUDS, FIGURE_BOXES, wait_for

STEP = re.compile(r"\bstep (\d+)\b")
DIGITS = "?target=digits&gan=cgan&g_depth=2&g_width=256&d_depth=2&d_width=256&batch=64"


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def step(page) -> int:
    m = STEP.search(main_text(page))
    return int(m.group(1)) if m else -1


def sheet(page):
    drawn = page.evaluate(DRAWN_CLOUDS)
    return drawn[0] if drawn else None


def test_digits_train_live_with_judged_coverage(page):
    page.goto(page.base_url + DIGITS)
    page.get_by_role("button", name="Train", exact=True).wait_for()
    text = main_text(page)
    assert "draw on the 2-D plane" in text, "the layers are replaced by a line saying why"
    assert page.get_by_text("D heatmap", exact=True).count() == 0
    wait_for(lambda: page.evaluate(FIGURE_BOXES, "real"), what="the real digits before Train")
    assert sheet(page) is None, "no generated sheet before Train"

    page.get_by_role("button", name="Train", exact=True).click()
    wait_for(lambda: step(page) > 0, timeout=60, what="step N rising")
    wait_for(lambda: sheet(page), timeout=30, what="generated digits drawn")
    first = sheet(page)
    wait_for(lambda: sheet(page) != first, what="the digits change as G learns")
    # the judge's figures reach the status line and the per-digit chart
    wait_for(lambda: "digits covered" in main_text(page), timeout=30, what="digits covered")
    assert re.search(r"purity \d+%", main_text(page)), main_text(page)[:300]
    # (the per-digit chart is in the slower views fragment: it follows within seconds)
    wait_for(lambda: "Samples per digit" in main_text(page), timeout=30, what="per-digit chart")
    assert not page.locator("[data-testid='stException']").count()
    page.get_by_role("button", name="Reset", exact=True).click()


def test_plane_layer_asked_for_digits_in_a_link_is_explained(page):
    page.goto(page.base_url + DIGITS + "&layers=heatmap")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    wait_for(lambda: "Link setting ignored" in main_text(page), what="the link's message")
    assert "layers=heatmap" in main_text(page)
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for(lambda: step(page) > 0, timeout=60, what="the run trains regardless")
    assert not page.locator("[data-testid='stException']").count()
    page.get_by_role("button", name="Reset", exact=True).click()


DCGAN_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.layout && p.layout.meta && 'lit' in p.layout.meta)
  .map(p => {
    const xa = p._fullLayout.xaxis, notes = p.layout.annotations, out = {};
    notes.forEach((a, i) => {
      if (!['box:G', 'box:D'].includes(a.name)) return;
      const s = p.layout.shapes.find(s => Math.abs((s.x0 + s.x1) / 2 - a.x) < 1e-6
                                        && Math.abs((s.y0 + s.y1) / 2 - a.y) < 1e-6);
      const text = p.querySelector(`.annotation[data-index="${i}"] .annotation-text`);
      out[a.name.slice(4)] = {text: text ? text.textContent : '',
                              width: text ? text.getBBox().width : null,
                              room: xa.l2p(s.x1) - xa.l2p(s.x0)};
    });
    return out;
  })"""
"""``page.evaluate(DCGAN_BOXES)``: the diagram's G and D boxes as drawn: their text, its
width and the box's (px)."""


def test_a_dcgan_from_a_link_trains_with_its_layers_on_the_diagram(page):
    page.goto(page.base_url + "?target=digits&gan=cgan&arch=dcgan&batchnorm=off&diagram=1")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    assert "Link setting ignored" not in main_text(page)
    boxes = wait_for(lambda: page.evaluate(DCGAN_BOXES), what="the diagram drawn")[0]
    assert boxes["G"]["text"].startswith("G · DCGAN") and "convT ↑8×8×1" in boxes["G"]["text"]
    assert "BN" not in boxes["G"]["text"] + boxes["D"]["text"], "batchnorm=off in the link"
    assert boxes["D"]["text"].startswith("D · DCGAN") and "LeakyReLU" in boxes["D"]["text"]
    for net, box in boxes.items():
        assert 0 < box["width"] <= box["room"], (net, box)

    page.get_by_role("button", name="Train", exact=True).click()
    wait_for(lambda: step(page) > 0, timeout=120, what="the DCGAN's steps")
    wait_for(lambda: sheet(page), timeout=30, what="its generated digits drawn")
    first = sheet(page)
    wait_for(lambda: sheet(page) != first, timeout=60, what="the digits change as G learns")
    assert "D · DCGAN" in page.evaluate(DCGAN_BOXES)[0]["D"]["text"]
    assert not page.locator("[data-testid='stException']").count()
    page.get_by_role("button", name="Reset", exact=True).click()
