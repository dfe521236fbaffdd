"""The Guide in a real browser: the G-loss plot with a demo run marked as it trains, and
the optimal D that follows its sliders."""

from tests.e2e.server import FIGURE_BOXES, wait_for

TRACE_Y = """(name) => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => (p._fullData || []).some(d => (d.name || '').startsWith(name)));
  if (!p) return null;
  const t = p._fullData.find(d => (d.name || '').startsWith(name));
  return {x: Array.from(t.x), y: Array.from(t.y)};
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
    mark = wait_for(lambda: page.evaluate(TRACE_Y, "the demo run"), 60, "the demo's mark")
    assert 0 < mark["x"][0] < 1
    first = mark["x"][0]
    wait_for(
        lambda: (page.evaluate(TRACE_Y, "the demo run") or {"x": [first]})["x"][0] != first,
        timeout=30,
        what="the mark moves as the demo trains",
    )
    assert not page.locator("[data-testid='stException']").count()
