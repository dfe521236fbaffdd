"""Presets and the Compare page in a real browser: the mode-collapse demo, live."""

import re

import pytest

from gan_core import run_types
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.gans import GAN_REGISTRY
from gan_core.presets import PRESETS
from tests.e2e.server import DRAWN_CLOUDS, FIGURE_BOXES, projector_page, wait_for
from tests.e2e.test_playground_e2e import ROOT, click, status, trace_x
from ui import presets

STATUS = re.compile(r"^step (\d+)\b")


def steps(page) -> list[int]:
    """The step count of every run's status line, left to right."""
    texts = page.locator("[data-testid='stMain'] .gan-lab-line")
    return [int(m.group(1)) for t in texts.all_inner_texts() if (m := STATUS.match(t))]


def n_values(values: list, n: int, above=None, unlike=None) -> list | None:
    """``values`` when there are n of them, each above / unlike its partner; else None."""
    if len(values) != n:
        return None
    if above is not None and not all(v > a for v, a in zip(values, above, strict=True)):
        return None
    if unlike is not None and not all(v != u for v, u in zip(values, unlike, strict=True)):
        return None
    return values


def shown(page, label) -> str:
    """What a selectbox shows (its combobox input's value)."""
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def choose(page, label, option):
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_compare_collapse_preset_trains_three_runs_side_by_side(page):
    name = next(n for n in presets.for_compare() if n.startswith("collapse"))
    preset = PRESETS[name]
    n = len(preset.runs)
    page.goto(f"{page.base_url}/compare")
    nav = page.get_by_test_id("stSidebarNav")
    wait_for(
        lambda: {"Playground", "Compare", "Guide"} <= set(nav.inner_text().split()),
        what="the app's navigation (app.py ran)",
    )

    choose(page, "Preset", preset.title)
    wait_for(lambda: preset.caption in status(page), what="the preset's caption")
    wait_for(lambda: steps(page) == [0] * n, what=f"{n} runs ready at step 0")

    click(page, "Train")
    first = wait_for(
        lambda: n_values(steps(page), n, above=[0] * n),
        timeout=120,
        what="every run's step N above 0",
    )
    wait_for(
        lambda: n_values(steps(page), n, above=first),
        timeout=60,
        what="every run's step count rising",
    )
    images = wait_for(lambda: n_values(page.evaluate(DRAWN_CLOUDS), n), what=f"{n} live clouds")
    wait_for(
        lambda: n_values(page.evaluate(DRAWN_CLOUDS), n, unlike=images),
        timeout=60,
        what="every point cloud moving",
    )
    for run in preset.runs:
        title = run_types.title(run)
        wait_for(lambda t=title: trace_x(page, f"{t} modes"), timeout=60, what=f"{title} curve")

    shot_at = min(2000, preset.steps // 2)
    wait_for(lambda: min(steps(page) or [0]) >= shot_at, timeout=180, what=f"step {shot_at}")
    page.screenshot(path=str(ROOT / "docs" / "compare.png"))

    click(page, "Pause")
    wait_for(lambda: status(page).count("paused") >= n, what="every run paused")
    paused = steps(page)
    page.wait_for_timeout(2000)  # the assertion itself: two seconds of no progress
    assert steps(page) == paused, "one Pause pauses every run"

    click(page, "Step")
    wait_for(lambda: steps(page) == [s + 1 for s in paused], what="one step for every run")

    click(page, "Reset")
    wait_for(lambda: steps(page) == [0] * n, what="every run reset to step 0")


@pytest.mark.parametrize("name", ["mitigations-ring", "mitigations-ring-2", "dcgan-rules"])
def test_compare_preset_shows_every_runs_title(page, name):
    """The preset's link opens it on Compare: one titled column per run (the plain GAN
    and each mitigation; the DCGAN, the fully connected nets and the DCGAN without
    batchnorm), each with its status line at step 0 (nothing trained)."""
    preset = PRESETS[name]
    n = len(preset.runs)
    page.goto(f"{page.base_url}/compare?preset={name}")
    wait_for(lambda: preset.caption in status(page), what="the preset's caption")
    wait_for(lambda: steps(page) == [0] * n, what=f"{n} runs ready at step 0")
    headings = page.locator("[data-testid='stMain'] h3")
    titles = [run_types.title(k) for k in preset.runs]
    wait_for(
        lambda: [t.removeprefix("■").strip() for t in headings.all_inner_texts()] == titles,
        what=f"the runs' titles {titles}",
    )
    assert shown(page, "Preset") == preset.title


def test_playground_preset_sets_the_widgets(page):
    default = RunConfig()
    name = next(
        n
        for n in PRESETS
        if presets.first_config(n).target != default.target
        and presets.first_config(n).gan != default.gan
    )
    cfg = presets.first_config(name)
    page.goto(page.base_url)
    page.get_by_role("button", name="Train", exact=True).wait_for()

    choose(page, "Preset", PRESETS[name].title)
    wait_for(lambda: PRESETS[name].caption in status(page), what="the preset's caption")
    wait_for(
        lambda: shown(page, "Target") == T.TARGETS[cfg.target].title,
        what="the target widget",
    )
    assert shown(page, "GAN type") == GAN_REGISTRY[cfg.gan].title
    assert shown(page, "Preset") == PRESETS[name].title
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_role("spinbutton", name="Step budget").input_value() == str(
        PRESETS[name].steps
    )
    assert sidebar.get_by_role("spinbutton", name="Seed").input_value() == str(cfg.seed)
    z_dim = sidebar.get_by_role("slider", name="z dimension")
    assert z_dim.input_value() == str(cfg.z_dim)
    lr_g = sidebar.get_by_role("slider", name="G learning rate")
    assert lr_g.get_attribute("aria-valuetext") == f"{cfg.lr_g:g}"
    wait_for(lambda: f"target={cfg.target}" in page.url, what="the link follows the settings")


def test_compare_on_a_projector_shows_every_cloud_above_720_rows(browser, server):
    with projector_page(browser) as page:
        page.goto(f"{server}/compare?present=1&preset=collapse-ring")
        page.get_by_role("button", name="Train", exact=True).wait_for()
        wait_for(lambda: len(page.evaluate(FIGURE_BOXES, "real")) == 3, timeout=30, what="3 clouds")
        bottoms = [b["bottom"] for b in page.evaluate(FIGURE_BOXES, "real")]
        assert max(bottoms) <= 720, f"a cloud is cut off at 720 rows: {bottoms}"
        note = page.get_by_text(PRESETS["collapse-ring"].title, exact=False).first
        note.wait_for()
        assert note.bounding_box()["y"] > max(bottoms), "the caption comes after the clouds"
