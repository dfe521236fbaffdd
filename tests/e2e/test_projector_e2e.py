"""A projector (1280 × 720, ``?present=1``): after Train, without scrolling, the cloud and
the loss curves of the Playground, and every run's cloud on Compare, lie inside the
window, axes and tick labels included; type ≥ 16 px; no empty band above the cloud."""

from pathlib import Path

import pytest

from gan_core.presets import PRESETS
from tests.e2e.server import FIGURE_BOXES, main_text, projector_page, wait_for
from ui.presets import for_compare

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ["collapse-ring", "cgan-ring", "infogan-ring"]  # GAN, cGAN, InfoGAN first runs

TOPS = """() => {
  const r = (el) => el ? el.getBoundingClientRect() : null;
  const pills = r(document.querySelector('[data-testid="stButtonGroup"]'));
  const train = [...document.querySelectorAll('button')].find(b => b.innerText === 'Train');
  return {buttons: r(train) && r(train).bottom, pills: pills && pills.top};
}"""


def inside(b: dict) -> bool:
    return b["top"] >= 0 and b["bottom"] <= 720 and b["left"] >= 0 and b["right"] <= 1280


@pytest.mark.parametrize("preset", PLAYGROUND)
def test_playground_cloud_and_curves_fit_a_projector(browser, server, preset):
    with projector_page(browser) as page:
        page.goto(f"{server}/?present=1&preset={preset}")
        page.get_by_role("button", name="Train", exact=True).click()
        wait_for(lambda: "step " in main_text(page) and " steps/s" in main_text(page), 60)
        wait_for(lambda: page.evaluate(FIGURE_BOXES, "D loss"), timeout=30, what="loss curves")
        cloud = page.evaluate(FIGURE_BOXES, "real")[0]
        curves = page.evaluate(FIGURE_BOXES, "D loss")[0]
        assert inside(cloud), f"{preset}: the cloud leaves the window: {cloud}"
        assert inside(curves), f"{preset}: the loss curves leave the window: {curves}"
        assert cloud["tick"] >= 16 and curves["tick"] >= 16, (cloud, curves)
        tops = page.evaluate(TOPS)
        assert tops["pills"] - tops["buttons"] < 60, f"an empty band under the buttons: {tops}"
        if preset == "infogan-ring":  # the README's projector picture, with the diagram
            page.screenshot(path=str(ROOT / "docs" / "projector.png"))
        page.get_by_role("button", name="Reset", exact=True).click()


@pytest.mark.parametrize("preset", for_compare())
def test_compare_clouds_fit_a_projector(browser, server, preset):
    with projector_page(browser) as page:
        page.goto(f"{server}/compare?present=1&preset={preset}")
        n = len(PRESETS[preset].runs)
        trace = "generated" if preset.endswith("digits") else "real"  # digits: G's sheets
        page.get_by_role("button", name="Train", exact=True).click()
        clouds = wait_for(
            lambda: (
                len(page.evaluate(FIGURE_BOXES, trace)) == n and page.evaluate(FIGURE_BOXES, trace)
            ),
            timeout=60,
            what=f"{n} clouds",
        )
        for cloud in clouds:
            assert inside(cloud), f"{preset}: a cloud leaves the window: {clouds}"
            assert cloud["tick"] is None or cloud["tick"] >= 16, clouds
        page.get_by_role("button", name="Reset", exact=True).click()
