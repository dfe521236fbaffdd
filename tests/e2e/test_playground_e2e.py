"""Press Train in a real browser and watch the run: the issue's acceptance scenario."""

import re
from pathlib import Path

from tests.e2e.server import DRAWN_CLOUDS, wait_for

ROOT = Path(__file__).resolve().parents[2]
STEP = re.compile(r"\bstep (\d+)\b")

# the Plotly graph divs carry their drawn (decoded) data: read it straight from the page
TRACE_X = """(name) => {
  for (const p of document.querySelectorAll('.js-plotly-plot')) {
    const t = (p._fullData || []).find(d => d.name === name);
    if (t && t.x && t.x.length) return Array.from(t.x);
  }
  return null;
}"""


def trace_x(page, name):
    return page.evaluate(TRACE_X, name)


def live_image(page):
    """The live point cloud is one PNG under the axes (gan_core/figures/raster.py), as drawn."""
    drawn = page.evaluate(DRAWN_CLOUDS)
    return drawn[0] if drawn else None


def step(page) -> int:
    m = STEP.search(page.inner_text("section.main, [data-testid='stMain']"))
    return int(m.group(1)) if m else -1


def status(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def click(page, label):
    page.get_by_role("button", name=label, exact=True).click()


def test_train_pause_step_reset_and_live_learning_rate(page):
    page.goto(page.base_url)
    page.get_by_role("button", name="Train", exact=True).wait_for()
    assert step(page) == 0

    click(page, "Train")
    wait_for(lambda: step(page) > 0, timeout=60, what="step N rising")
    first = step(page)
    wait_for(lambda: step(page) > first, what="step keeps rising")
    # one picture: the waiting one before Train is gone, not left beside the live one
    assert len(STEP.findall(status(page))) == 1, status(page)[:400]

    before = wait_for(lambda: live_image(page), what="generated points drawn")
    wait_for(lambda: live_image(page) not in (None, before), what="points move")
    cloud = page.locator(".gan-lab-figure").first  # the pixels, not only the source
    shot = cloud.screenshot()
    wait_for(lambda: cloud.screenshot() != shot, what="the drawn cloud changes on screen")
    n_loss = len(wait_for(lambda: trace_x(page, "D loss"), what="loss curve drawn"))
    wait_for(lambda: len(trace_x(page, "D loss") or []) > n_loss, what="loss curve grows")
    page.screenshot(path=str(ROOT / "docs" / "playground.png"))

    click(page, "Pause")
    wait_for(lambda: "paused" in status(page), what="paused status")
    paused_at = step(page)
    page.wait_for_timeout(2000)  # the assertion itself: two seconds of no progress
    assert step(page) == paused_at, "Pause stops the step count"

    click(page, "Step")
    wait_for(lambda: step(page) == paused_at + 1, what="one step while paused")

    click(page, "Train")  # resumes the paused run
    wait_for(lambda: step(page) > paused_at + 1, what="training resumed")

    # change G's learning rate while training: the run goes on, nothing restarts
    at_change = step(page)
    slider = page.get_by_role("slider", name="G learning rate")
    slider.focus()
    slider.press("ArrowLeft")
    wait_for(lambda: "0.0005" in page.inner_text("[data-testid='stSidebar']"), what="new lr")
    wait_for(lambda: step(page) > at_change + 100, what="step still rising after the change")
    assert "press Reset" not in status(page).lower(), "a learning rate needs no Reset"

    click(page, "Reset")
    wait_for(lambda: step(page) == 0, what="reset to step 0")
