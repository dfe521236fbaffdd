"""Accessibility in a real browser: axe-core finds no serious or critical violation on the
pages, before and after Train and on a projector; the transport buttons work from the
keyboard."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.server import FIGURE_BOXES, enter, main_text, wait_for

AXE = Axe()
SEVERE = ("serious", "critical")
STEP = re.compile(r"^step (\d+)\b")


def severe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is drawn now."""
    found = AXE.run(page).response["violations"]
    return [v for v in found if v["impact"] in SEVERE]


def report(violations: list[dict]) -> str:
    """One line per violation, then each offending element and what axe says is wrong."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(s)]")
        for node in v["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    violations = severe_violations(page)
    assert not violations, f"{where}:\n{report(violations)}"


def lines(page) -> list[str]:
    """The runs' status lines ('step 120 · 1,500 steps/s · …'), left to right."""
    return page.locator("[data-testid='stMain'] .gan-lab-line").all_inner_texts()


def steps(page) -> list[int]:
    """The step of every run on the page."""
    return [int(m.group(1)) for line in lines(page) if (m := STEP.match(line))]


def button(page, label):
    return page.get_by_role("button", name=label, exact=True)


def train_then_check(page, where: str) -> None:
    """Axe before Train, Train, axe once the runs show steps, then Reset."""
    button(page, "Train").wait_for()
    wait_for(lambda: page.evaluate(FIGURE_BOXES, "real"), 60, f"{where}: the clouds drawn")
    wait_for(lambda: steps(page) and not any(steps(page)), 60, f"{where}: runs at step 0")
    assert_accessible(page, f"{where} before Train")
    button(page, "Train").click()
    # (a first Train waits for the warm processes, however busy the machine)
    wait_for(lambda: steps(page) and all(steps(page)), 120, f"{where}: the runs train")
    assert_accessible(page, f"{where} while training")
    button(page, "Reset").click()


@pytest.mark.parametrize("path", ["/", "/?present=1", "/compare"])
def test_playground_and_compare_have_no_serious_violation(page, path):
    page.goto(page.base_url + path)
    train_then_check(page, path)


def test_sweep_has_no_serious_violation(page):
    page.goto(page.base_url + "/sweep")
    button(page, "Train").wait_for()
    enter(page, "Steps per run", "300")
    enter(page, "x values", "0.0001, 0.001")
    enter(page, "y values", "0.0001, 0.001")
    wait_for(lambda: "4 runs (2 × 2 cells" in main_text(page), what="the grid's size")
    assert_accessible(page, "/sweep before Train")
    button(page, "Train").click()
    cells = page.locator(".sweep-map td.final")
    wait_for(lambda: cells.count() >= 1, timeout=120, what="a cell of the map filled")
    assert_accessible(page, "/sweep while training")
    button(page, "Reset").click()


def test_guide_has_no_serious_violation(page):
    page.goto(page.base_url + "/guide")
    demo = page.get_by_role("button", name="Train a minimax GAN here")
    demo.wait_for()
    wait_for(lambda: page.evaluate(FIGURE_BOXES, "non-saturating: −log D(G(z))"), 30, "G loss")
    assert_accessible(page, "/guide before Train")
    demo.click()
    wait_for(lambda: _marked(page), 60, "the demo's mark on the curves")
    assert_accessible(page, "/guide while the demo trains")


def _marked(page) -> bool:
    return bool(
        page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')]
              .some(p => (p._fullData || []).some(d => (d.name || '').startsWith('the demo')))"""
        )
    )


FOCUSED = "() => document.activeElement ? document.activeElement.innerText.trim() : ''"


def tab_to(page, label: str, limit: int = 150) -> None:
    """Press Tab until the keyboard focus is on the button ``label``, as a keyboard user
    moves through the page (the sidebar's widgets first)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == label:
            return
    raise AssertionError(f"Tab never reached the {label!r} button in {limit} presses")


def step(page) -> int:
    found = steps(page)
    return found[0] if found else -1


def test_train_pause_step_and_reset_work_from_the_keyboard(page):
    page.goto(page.base_url)
    button(page, "Train").wait_for()
    wait_for(lambda: step(page) == 0, 60, "the run's line at step 0")

    tab_to(page, "Train")
    page.keyboard.press("Enter")
    wait_for(lambda: step(page) > 0, 60, "Train (Enter) starts the run")
    wait_for(lambda: button(page, "Pause").is_enabled(), 30, "Pause enabled while training")

    tab_to(page, "Pause")
    page.keyboard.press("Space")
    wait_for(lambda: "paused" in " ".join(lines(page)), 30, "Pause (Space) pauses the run")
    paused_at = step(page)
    wait_for(lambda: button(page, "Step").is_enabled(), 30, "Step enabled while paused")

    tab_to(page, "Step")
    page.keyboard.press("Enter")
    wait_for(lambda: step(page) == paused_at + 1, 30, "Step (Enter) trains one step")

    tab_to(page, "Reset")
    page.keyboard.press("Space")
    wait_for(lambda: step(page) == 0, 30, "Reset (Space) ends the run")
    wait_for(lambda: button(page, "Reset").is_disabled(), 30, "nothing left to reset")
