"""The Sweep page in a real browser: cells fill as runs go, a cell opens the Playground."""

from pathlib import Path

from tests.e2e.server import enter, main_text, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_cells_fill_as_runs_go_and_a_cell_opens_the_playground(page):
    page.goto(page.base_url + "/sweep")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    enter(page, "Steps per run", "400")  # first: the grid's caption below waits for all
    enter(page, "x values", "0.0001, 0.001")
    enter(page, "y values", "0.0001, 0.001")
    wait_for(lambda: "4 runs (2 × 2 cells" in main_text(page), what="the grid's size")
    # the e2e server trains 2 runs at once: the page says the rest will queue
    assert "2 will wait in the queue" in main_text(page)

    page.get_by_role("button", name="Train", exact=True).click()
    finals = page.locator(".sweep-map td.final")
    seen: set[int] = set()

    def all_final() -> bool:
        seen.add(finals.count())
        return finals.count() == 4

    wait_for(all_final, timeout=120, what="every cell final")
    assert "at step 400" in main_text(page), "the budget typed in is the runs' budget"
    assert min(seen) < 4, "cells fill one by one as their runs finish"
    assert "4 of 4 runs done" in main_text(page)
    page.screenshot(path=str(ROOT / "docs" / "sweep.png"))
    texts = [t.strip() for t in page.locator(".sweep-map td a").all_inner_texts()]
    assert all(t[:1].isdigit() for t in texts), texts
    assert not page.locator("[data-testid='stException']").count()

    with page.context.expect_page() as opened:
        page.locator(".sweep-map td a").first.click()
    playground = opened.value
    playground.wait_for_load_state()
    assert "lr_d=0.0001" in playground.url and "lr_g=0.0001" in playground.url
    assert "target=ring" in playground.url
    playground.get_by_role("button", name="Train", exact=True).wait_for()
    sidebar = playground.locator("[data-testid='stSidebar']")
    wait_for(lambda: sidebar.inner_text().count("0.0001") >= 2, what="both rates in the sidebar")
    playground.close()
    page.get_by_role("button", name="Reset", exact=True).click()
