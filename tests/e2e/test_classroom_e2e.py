"""A class in a room, in real browsers: the lecturer opens a room, students join by link
and train, the lecturer's tiles follow them; offers, challenges, leaving, a killed
training process, two rooms, a phone's first screen, and axe-core on the Class pages."""

from __future__ import annotations

import contextlib
import os
import re
import signal

import pytest

from bench.procstat import children
from gan_core.presets import PRESETS
from tests.e2e.server import app_server, wait_for
from tests.e2e.test_accessibility_e2e import assert_accessible
from tests.e2e.test_compare_e2e import choose
from tests.e2e.test_playground_e2e import click, step

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server():
    env = {"GANLAB_PROCESSES": "1", "GANLAB_MAX_RUNS": "8", "GANLAB_GONE_GRACE": "2"}
    with app_server(env) as (url, proc):
        yield url, proc.pid


@contextlib.contextmanager
def opened(browser, url, viewport=None, **kw):
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000}, **kw)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    try:
        yield page
    finally:
        with contextlib.suppress(Exception):
            context.close()


def open_room(page, url) -> tuple[str, str]:
    """The lecturer opens a room; its code and key (from the page's link)."""
    page.goto(f"{url}/class")
    click(page, "Open a room")
    page.locator(".gan-lab-tiles").wait_for(timeout=60_000)
    found = re.search(r"room=([A-Z0-9]{5})&key=([\w-]+)", page.url)
    return found.group(1), found.group(2)


def join(page, name: str) -> None:
    """A student page (opened at the join link) gives its name and presses Train."""
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
    box = page.get_by_placeholder("shown on the lecturer's screen")
    box.press_sequentially(name)  # typed, as a student does: the field stops at 24
    box.press("Enter")
    page.get_by_text(f"as: {name[:24]}").wait_for()
    click(page, "Train")
    # a first Train waits for the warm process, however busy the machine
    wait_for(lambda: step(page) > 0, timeout=120, what="the student's run to step")


def tiles(page) -> dict[str, dict]:
    """The lecturer's tiles as drawn: name → step, state, text."""
    return {
        t["name"]: t
        for t in page.evaluate(
            """() => [...document.querySelectorAll('.gan-lab-tiles-grid .gan-lab-tile')]
              .map(b => ({name: b.querySelector('.gan-lab-tile-name').textContent,
                          step: +b.dataset.step, state: b.dataset.state, text: b.innerText,
                          modes: b.dataset.modes === '' ? -1 : +b.dataset.modes,
                          image: b.querySelector('img').getAttribute('src'),
                          pictured: b.querySelector('img').style.visibility !== 'hidden',
                          html: b.innerHTML}))"""
        )
    }


@pytest.fixture(scope="module")
def room(browser, server):
    """A lecturer's view and two students training in one room."""
    url, _ = server
    with opened(browser, url) as lecturer:
        code, key = open_room(lecturer, url)
        with (
            opened(browser, f"{url}/?room={code}") as ada,
            opened(browser, f"{url}/?room={code}") as bob,
        ):
            join(ada, "Ada")
            join(bob, "<img src=x onerror=alert(1)>")
            yield {
                "url": url,
                "code": code,
                "key": key,
                "lecturer": lecturer,
                "students": [ada, bob],
            }


def test_the_lecturers_tiles_appear_and_update(room):
    lecturer = room["lecturer"]
    hostile = "<img src=x onerror=alert(1)>"[:24]
    # the names as text, never as HTML
    shown = wait_for(lambda: set(tiles(lecturer)) == {"Ada", hostile} and tiles(lecturer), 30)
    assert "&lt;img" in shown[hostile]["html"]
    assert lecturer.locator(".gan-lab-tile img[src='x']").count() == 0
    first = wait_for(lambda: tiles(lecturer)["Ada"]["step"] > 0 and tiles(lecturer)["Ada"], 30)
    assert first["image"].startswith("data:image/png")
    wait_for(lambda: tiles(lecturer)["Ada"]["step"] > first["step"], 30, "Ada's step to rise")
    # the view names the pictures it holds and the route leaves them out: a new one still
    # comes, none is lost
    with lecturer.expect_request(lambda r: "/tiles?since=" in r.url, timeout=60_000):
        pass  # (the view fetches every second)
    later = wait_for(
        lambda: tiles(lecturer)["Ada"]["image"] != first["image"] and tiles(lecturer)["Ada"],
        60,
        "Ada's picture to change",
    )
    assert later["image"].startswith("data:image/png") and later["pictured"]


def test_a_tile_opens_large_until_closed(room):
    lecturer = room["lecturer"]
    lecturer.locator(".gan-lab-tiles-grid .gan-lab-tile", has_text="Ada").click()
    big = lecturer.locator(".gan-lab-tile-big")
    big.wait_for(state="visible")
    assert big.locator(".gan-lab-tile-name").text_content() == "Ada"
    width = big.locator("img").bounding_box()["width"]
    assert width > 2 * lecturer.locator(".gan-lab-tiles-grid img").first.bounding_box()["width"]
    big.get_by_role("button", name="Close").click()
    big.wait_for(state="hidden")


def test_the_offer_is_applied_on_a_student_page(browser, room):
    lecturer, (ada, _) = room["lecturer"], room["students"]
    name = "cgan-ring"
    sent = f"The lecturer sends: {PRESETS[name].title}"
    # a page that has not trained sees it too: its offer watch asks, no timer reruns it
    with opened(browser, f"{room['url']}/?room={room['code']}") as idle:
        idle.get_by_text(f"Room {room['code']}").wait_for(timeout=60_000)
        wait_for(lambda: len(tiles(lecturer)) == 3, 60, "the idle page's tile")
        choose(lecturer, "Send to the room", PRESETS[name].title)
        click(lecturer, "Send")
        idle.get_by_text(sent).wait_for(timeout=60_000)
    wait_for(lambda: len(tiles(lecturer)) == 2, 60, "the idle page's tile to go")
    offer = ada.get_by_text(sent)
    offer.wait_for(timeout=60_000)
    click(ada, "Apply")
    offer.wait_for(state="hidden")
    # the widgets show the offer; the link holds them (and keeps the room)
    wait_for(lambda: "gan=cgan" in ada.url, 30, "the page to take the offered settings")
    assert "target=ring" in ada.url and f"room={room['code']}" in ada.url
    click(ada, "Reset")
    click(ada, "Train")
    wait_for(lambda: "gan=cgan" in tiles(lecturer)["Ada"]["text"], 30, "Ada's tile to show cgan")


def test_a_challenge_is_reached_and_marked_with_its_step(room):
    lecturer = room["lecturer"]
    box = lecturer.get_by_label("Modes to cover", exact=True)
    box.fill("1")
    box.press("Enter")
    click(lecturer, "Set the challenge")
    # the tiles' own status line names it (the form's caption says it too)
    lecturer.locator(".gan-lab-tiles-status").get_by_text("challenge: 1 modes").wait_for()
    marked = wait_for(
        lambda: [t for t in tiles(lecturer).values() if "reached at step" in t["text"]],
        60,
        "a tile marked as reaching the challenge",
    )
    assert re.search(r"reached at step \d+", marked[0]["text"])


def test_the_tiles_sort_by_modes_covered(room):
    lecturer = room["lecturer"]
    lecturer.get_by_text("modes covered", exact=True).click()

    def by_modes():
        modes = [t["modes"] for t in tiles(lecturer).values()]  # (in the grid's order)
        return len(set(modes)) > 1 and modes == sorted(modes, reverse=True)

    wait_for(by_modes, 60, "the tiles in the order of their modes, most first")
    lecturer.get_by_text("join time", exact=True).click()
    wait_for(lambda: list(tiles(lecturer))[0] == "Ada", 30, "the first to join first")


def test_two_rooms_are_kept_apart(browser, room):
    url, lecturer = room["url"], room["lecturer"]
    with opened(browser, url) as other:
        code, key = open_room(other, url)
        assert code != room["code"]
        with opened(browser, f"{url}/?room={code}") as cy:
            join(cy, "Cy")
            wait_for(lambda: list(tiles(other)) == ["Cy"], 30, "Cy's tile in the other room")
            assert "Cy" not in tiles(lecturer) and len(tiles(lecturer)) == 2
        refused = other.evaluate(
            "([u, k]) => fetch(u, {headers: {'X-Room-Key': k}}).then(r => r.status)",
            [f"{url}/_ganlab/room/{code}/tiles", room["key"]],
        )
        assert refused == 403


def test_a_student_leaving_takes_their_tile(browser, room):
    url, lecturer = room["url"], room["lecturer"]
    with opened(browser, f"{url}/?room={room['code']}") as dee:
        join(dee, "Dee")
        wait_for(lambda: "Dee" in tiles(lecturer), 30, "Dee's tile")
    wait_for(lambda: "Dee" not in tiles(lecturer), 30, "Dee's tile to go")


def test_a_killed_training_process_is_said_on_its_students_tiles(room, server):
    _, server_pid = server
    lecturer = room["lecturer"]
    for pid in children(server_pid):
        os.kill(pid, signal.SIGKILL)
    wait_for(
        lambda: all("ended unexpectedly" in t["text"] for t in tiles(lecturer).values()),
        30,
        "the tiles to say their training process ended",
    )


def test_links_and_tiles_behind_a_base_path(browser):
    with app_server({"GANLAB_PROCESSES": "1"}, base="/lab") as (url, _):
        with opened(browser, url) as lecturer:
            code, _ = open_room(lecturer, url)
            join_link = f"{url}/?room={code}"
            assert lecturer.get_by_text(join_link, exact=True).count() == 1
            with opened(browser, join_link) as eve:
                join(eve, "Eve")
                wait_for(lambda: tiles(lecturer).get("Eve", {}).get("step", 0) > 0, 60, "Eve")


def test_a_phone_joins_with_the_buttons_in_one_row_and_the_cloud_on_screen(browser, server):
    url, _ = server
    with opened(browser, url) as lecturer:
        code, _ = open_room(lecturer, url)
        with opened(browser, f"{url}/?room={code}", PHONE, is_mobile=True, has_touch=True) as ph:
            ph.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
            ph.locator(".gan-lab-figure .main-svg").first.wait_for(timeout=60_000)
            boxes = [
                ph.get_by_role("button", name=n, exact=True).bounding_box()
                for n in ("Train", "Pause", "Step", "Reset")
            ]
            assert len({b["y"] for b in boxes}) == 1, boxes
            assert all(b["x"] + b["width"] <= PHONE["width"] for b in boxes), boxes
            top = ph.evaluate(
                "() => document.querySelector('.gan-lab-figure').getBoundingClientRect().top"
            )
            assert top < PHONE["height"] - 200, top
            ph.get_by_text(f"Room {code}").wait_for()


def test_the_class_pages_have_no_serious_violation(browser, room):
    """axe-core on the Class page before a room, the lecturer's tiles and a student's page."""
    with opened(browser, f"{room['url']}/class") as page:
        page.get_by_role("button", name="Open a room").wait_for(timeout=60_000)
        assert_accessible(page, "/class before a room")
    wait_for(lambda: len(tiles(room["lecturer"])) == 2, 60, "both tiles")
    assert_accessible(room["lecturer"], "the lecturer's tiles")
    assert_accessible(room["students"][0], "a student's page in a room")
