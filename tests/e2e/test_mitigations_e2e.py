"""The settings against mode collapse in a real browser: from a link, from the sidebar,
and the Compare preset that trains the unrolled and self-conditioned GANs beside a GAN."""

import pytest

from gan_core import run_types
from gan_core.engine import targets as T
from gan_core.engine.config import SPECS
from gan_core.engine.specs import AGAINST_COLLAPSE
from gan_core.presets import PRESETS
from tests.e2e.server import enter, wait_for
from tests.e2e.test_compare_e2e import n_values, shown, steps
from tests.e2e.test_playground_e2e import click, status, step
from tests.e2e.test_playground_more_e2e import href
from ui.controls import TITLES

LINKS = {"pack": "2", "unroll": "5", "mbstd": "on", "spectral_norm": "on", "gan": "selfcond"}
"""Each setting against collapse with a value that turns it on, as a link writes it."""
CHANGED = "The runs or their settings changed"
"""Compare's note when the sidebar's runs differ from the running ones."""

GENERATED_KEY = """() => {
  for (const p of document.querySelectorAll('.js-plotly-plot')) {
    const t = (p._fullData || []).find(d => d.name === 'generated');
    if (t) return {scale: !!t.marker.showscale, cmax: t.marker.cmax};
  }
  return null;
}"""
"""``page.evaluate(GENERATED_KEY)``: the generated points' colour key on the live cloud
(a colour bar when the points are coloured by class, code or cluster), or None."""


def open_section(page, section: str) -> None:
    """Open the sidebar's expander ``section`` (a click on an open one would close it)."""
    sidebar = page.get_by_test_id("stSidebar")
    details = sidebar.locator("details").filter(has=page.locator("summary", has_text=section))
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    wait_for(lambda: details.evaluate("d => d.open"), what=f"the {section} expander open")


def widget_value(page, name: str) -> str:
    """What the setting's sidebar widget shows, as a link writes it (or, for a drop-down,
    the choice's title)."""
    widget = SPECS[name].widget
    sidebar = page.get_by_test_id("stSidebar")
    if widget.kind == "slider":
        return sidebar.get_by_role("slider", name=widget.label).input_value()
    if widget.kind == "radio":
        group = sidebar.get_by_role("radiogroup", name=widget.label)
        picked = [c for c in SPECS[name].choices if group.get_by_label(c, exact=True).is_checked()]
        return ",".join(picked)
    return shown(page, widget.label)


def train_until_judged(page) -> None:
    """Train, and wait for the status line's step count and its modes covered."""
    click(page, "Train")
    wait_for(lambda: step(page) > 0, timeout=90, what="step N above 0")
    wait_for(lambda: "modes covered" in status(page), timeout=60, what="modes covered")


@pytest.mark.parametrize("name", list(LINKS))
def test_a_link_opens_the_setting_and_trains_with_it(page, name):
    """The link's value shows in its sidebar widget, and the run trains and is judged."""
    value = LINKS[name]
    page.goto(f"{page.base_url}/?target=ring&{name}={value}")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    assert "Link setting ignored" not in status(page)
    if SPECS[name].widget.section:
        open_section(page, SPECS[name].widget.section)
    expected = TITLES[name](value) if name in TITLES else value
    wait_for(lambda: widget_value(page, name) == expected, what=f"{name} shows {expected}")
    assert f"{name}={value}" in href(page), "the link keeps the setting"

    train_until_judged(page)
    if name == "gan":  # selfcond: G's points coloured by D's clusters, one to pick
        key = wait_for(lambda: page.evaluate(GENERATED_KEY), what="the generated points' key")
        clusters = T.TARGETS["ring"].params["modes"].default  # (codes 0: the target's classes)
        assert key["scale"] and key["cmax"] == clusters - 0.5, f"a colour per cluster: {key}"
        assert shown(page, "Show G's points for cluster") == "every cluster"
    assert not page.locator("[data-testid='stException']").count()
    click(page, "Reset")
    wait_for(lambda: step(page) == 0, what="reset to step 0")


def test_settings_changed_in_the_sidebar_reach_the_next_run(page):
    """Pack by the keyboard and mbstd by the mouse while a run trains: the link takes
    them, the page asks for Reset, and the run after Reset has them (nothing to apply)."""
    page.goto(f"{page.base_url}/?target=ring")
    train_until_judged(page)
    open_section(page, AGAINST_COLLAPSE)
    sidebar = page.get_by_test_id("stSidebar")
    pack = sidebar.get_by_role("slider", name=SPECS["pack"].widget.label)
    assert pack.input_value() == "1"
    pack.focus()
    pack.press("ArrowRight")  # the keyboard
    wait_for(lambda: "pack=2" in href(page), what="pack=2 in the link")
    mbstd = sidebar.get_by_role("radiogroup", name=SPECS["mbstd"].widget.label)
    mbstd.get_by_text("on", exact=True).click()  # the mouse
    wait_for(lambda: "mbstd=on" in href(page), what="mbstd=on in the link")
    wait_for(
        lambda: "Changed: mbstd, pack" in status(page),
        what="the running run asks for Reset to take them",
    )

    click(page, "Reset")
    wait_for(lambda: step(page) == 0, what="reset to step 0")
    wait_for(lambda: "Changed:" not in status(page), what="no run: nothing left to apply")
    train_until_judged(page)
    assert "Changed:" not in status(page), "the new run has the sidebar's settings"
    assert widget_value(page, "pack") == "2" and widget_value(page, "mbstd") == "on"
    click(page, "Reset")
    wait_for(lambda: step(page) == 0, what="reset to step 0")


def test_compare_mitigations_ring_2_trains_every_run(page):
    """The preset's three runs train together under their titles; a change in the
    sidebar asks for Reset, and Reset clears that note with the runs."""
    name = "mitigations-ring-2"
    preset = PRESETS[name]
    n = len(preset.runs)
    page.goto(f"{page.base_url}/compare?preset={name}")
    wait_for(lambda: steps(page) == [0] * n, what=f"{n} runs ready at step 0")

    click(page, "Train")
    wait_for(
        lambda: n_values(steps(page), n, above=[0] * n),
        timeout=120,
        what="every run's step N above 0",
    )
    lines = page.locator("[data-testid='stMain'] .gan-lab-line")
    wait_for(
        lambda: n_values([t for t in lines.all_inner_texts() if "modes covered" in t], n),
        timeout=60,
        what="every run's modes covered",
    )
    headings = page.locator("[data-testid='stMain'] h3")
    titles = [t.removeprefix("■").strip() for t in headings.all_inner_texts()]
    assert titles == [run_types.title(k) for k in preset.runs]
    assert not page.locator("[data-testid='stException']").count()

    enter(page, "Seed", str(preset.runs["gan"].seed + 1))  # a change the runs lack
    wait_for(lambda: CHANGED in status(page), what="the runs ask for Reset to take it")
    click(page, "Reset")
    wait_for(lambda: steps(page) == [0] * n, what="every run reset to step 0")
    wait_for(lambda: CHANGED not in status(page), what="no runs: nothing left to apply")
