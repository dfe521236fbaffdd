"""The Guide in a real browser: the G-loss plot with a demo run marked as it trains, and
the optimal D that follows its sliders."""

import re

from tests.e2e.server import FIGURE_BOXES, wait_for

TRACE_Y = """(name) => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => (p._fullData || []).some(d => (d.name || '').startsWith(name)));
  if (!p) return null;
  const t = p._fullData.find(d => (d.name || '').startsWith(name));
  return {x: Array.from(t.x), y: Array.from(t.y)};
}"""

MARK = """(name) => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => (p._fullData || []).some(d => (d.name || '').startsWith(name)));
  if (!p) return null;
  const t = p._fullData.find(d => (d.name || '').startsWith(name));
  return {name: t.name, x: t.x[0]};
}"""


def test_guide_plots_draw_and_follow_the_demo_and_the_sliders(page):
    page.goto(page.base_url + "/guide")
    wait_for(lambda: page.evaluate(FIGURE_BOXES, "non-saturating: −log D(G(z))"), 30, "G loss")
    wait_for(lambda: page.evaluate(TRACE_Y, "D*(x)"), 30, "D* drawn")
    before = page.evaluate(TRACE_Y, "D*(x)")["y"]
    slider = page.get_by_role("slider", name="p_g's mean (the generator)")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowLeft")
    wait_for(lambda: page.evaluate(TRACE_Y, "D*(x)")["y"] != before, 30, "D* follows p_g")

    page.get_by_role("button", name="Train a minimax GAN here").click()
    mark = wait_for(lambda: page.evaluate(MARK, "the demo run"), 60, "the demo's mark")
    assert 0 < mark["x"] < 1
    # the demo trains its budget under a speed limit: the page redraws the mark at
    # several steps on the way, each at the run's D(G(z)) then
    seen = {_step(mark["name"]): mark["x"]}

    def moved_twice() -> bool:
        now = page.evaluate(MARK, "the demo run")
        if now is not None:
            seen[_step(now["name"])] = now["x"]
        return len(seen) >= 3

    try:
        wait_for(moved_twice, timeout=90, what="the mark at three steps")
    except AssertionError:
        raise AssertionError(f"the mark was drawn at fewer than three steps: {seen}") from None
    assert len(set(seen.values())) > 1, f"the mark stays at one D(G(z)): {seen}"
    assert not page.locator("[data-testid='stException']").count()


def _step(name: str) -> int:
    """The step in the mark's name ('the demo run, step 1,234: D(G(z)) = 0.47')."""
    return int(re.search(r"step ([\d,]+)", name).group(1).replace(",", ""))
