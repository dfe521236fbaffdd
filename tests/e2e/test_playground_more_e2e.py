"""Playground in a real browser: the URL round trip, a layer, the timeline, a CSV upload."""

import re

import numpy as np

from tests.e2e.server import DRAWN_CLOUDS, FIGURE_BOXES, app_server, projector_page, wait_for
from tests.e2e.test_compare_e2e import choose, shown
from tests.e2e.test_playground_e2e import click, status, step

SHOWING = re.compile(r"Timeline: showing step (\d+)")

TRACE_TYPES = """() => {
  const out = [];
  for (const p of document.querySelectorAll('.js-plotly-plot')) {
    const names = (p._fullData || []).map(d => d.name);
    if (names.includes('real')) for (const d of p._fullData) out.push([d.type, d.name]);
  }
  return out;
}"""

CLOUD_RANGE = """() => {
  for (const p of document.querySelectorAll('.js-plotly-plot')) {
    const names = (p._fullData || []).map(d => d.name);
    if (names.includes('real')) return Array.from(p._fullLayout.xaxis.range);
  }
  return null;
}"""


def box(page, trace: str) -> dict | None:
    """The first figure holding that trace (``real``: the cloud; ``D*(x)``: D*), or None."""
    boxes = page.evaluate(FIGURE_BOXES, trace)
    return boxes[0] if boxes else None


def href(page) -> str:
    """The address bar: Streamlit updates it with history.replaceState (page.url lags)."""
    return page.evaluate("location.href")


def showing(page) -> int | None:
    m = SHOWING.search(status(page))
    return int(m.group(1)) if m else None


def test_url_round_trip(page):
    page.goto(f"{page.base_url}/?target=ring&gan=cgan&seed=7")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    wait_for(lambda: shown(page, "GAN type") == "Conditional GAN", what="gan from the URL")
    assert shown(page, "Target") == "Ring of Gaussians"
    seed = page.get_by_role("spinbutton", name="Seed")
    assert seed.input_value() == "7"

    choose(page, "GAN type", "InfoGAN")
    wait_for(lambda: "gan=infogan" in href(page), what="the URL follows the widget")
    seed.fill("11")
    seed.press("Enter")
    wait_for(lambda: "seed=11" in href(page), what="seed in the URL")
    assert "target=ring" in href(page)

    page.goto(href(page))  # the new link opens with the new settings
    wait_for(lambda: shown(page, "GAN type") == "InfoGAN", what="infogan after reload")
    assert page.get_by_role("spinbutton", name="Seed").input_value() == "11"


def test_presentation_flag_hides_the_sidebar_and_enlarges_the_type(browser, server):
    with projector_page(browser) as page:
        page.goto(f"{server}/?present=1&target=grid")
        for label in ("Train", "Pause", "Reset"):
            page.get_by_role("button", name=label, exact=True).wait_for(state="visible")
        wait_for(lambda: not page.get_by_test_id("stSidebar").is_visible(), what="no sidebar")
        size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector("
            "'[data-testid=\"stMain\"] .gan-lab-line')).fontSize)"
        )
        assert size >= 20, size
        click(page, "Train")
        wait_for(lambda: step(page) > 0, timeout=60, what="training in presentation mode")
        cloud = box(page, "real")
        assert cloud is not None and cloud["bottom"] <= 720, f"the cloud is cut off at 720: {cloud}"
        assert cloud["tick"] >= 16, f"Plotly's tick labels are not enlarged: {cloud}"
        assert "present=1" in href(page) and "target=grid" in href(page)
        click(page, "Reset")


def test_heatmap_layer_appears_on_the_cloud_and_optimal_d_beside_it(page):
    page.goto(f"{page.base_url}/?target=ring")
    click(page, "Train")
    wait_for(lambda: step(page) > 0, timeout=60, what="training")
    assert ["heatmap", "D(x)"] not in page.evaluate(TRACE_TYPES)
    pill = page.get_by_role("button", name="D heatmap")
    pill.click()
    active = page.get_by_role("button", name="D heatmap", pressed=True)
    wait_for(lambda: active.count() == 1, timeout=20, what="the D heatmap pill on")
    wait_for(
        lambda: ["heatmap", "D(x)"] in page.evaluate(TRACE_TYPES),
        timeout=30,
        what="D's heatmap trace in the points figure",
    )
    wait_for(
        lambda: ["contour", "D's boundary"] in page.evaluate(TRACE_TYPES),
        what="its boundary line",
    )
    now = step(page)  # (layered frames come over the frame route too)
    wait_for(lambda: step(page) > now, timeout=30, what="the layered picture follows the run")
    page.get_by_role("button", name="Optimal D*").click()
    wait_for(lambda: box(page, "D*(x)") is not None, timeout=30, what="the D* figure")
    cloud, optimal = box(page, "real"), box(page, "D*(x)")
    assert optimal["left"] >= cloud["right"] - 1, f"D* beside the cloud: {cloud} {optimal}"
    assert optimal["top"] < cloud["bottom"] and cloud["top"] < optimal["bottom"], "same row"
    assert ["heatmap", "D(x)"] in page.evaluate(TRACE_TYPES), "the learned D stays on the cloud"
    now = step(page)
    wait_for(lambda: step(page) > now, timeout=30, what="the picture follows the run beside D*")
    click(page, "Reset")


def test_timeline_scrubs_back_while_the_run_continues(page):
    page.goto(page.base_url)
    click(page, "Train")
    slider = page.get_by_role("slider", name="Timeline (step)")
    slider.wait_for(timeout=60_000)
    wait_for(lambda: step(page) > 200, timeout=60, what="some training")
    assert showing(page) is None, "live at first"

    slider.focus()
    slider.press("Home")
    wait_for(lambda: showing(page) is not None, timeout=20, what="the cloud shows an older step")
    back = showing(page)
    now = step(page)
    assert back < now
    wait_for(lambda: step(page) > now + 100, timeout=60, what="the run goes on meanwhile")
    assert showing(page) == back, "the scrubbed position stays put"

    slider.focus()
    for _ in range(3):  # later snapshots: still scrubbed, a newer step
        slider.press("ArrowRight")
        page.wait_for_timeout(300)
    wait_for(lambda: (showing(page) or 0) > back, timeout=20, what="a later step shown")
    assert showing(page) < step(page)

    click(page, "Live")
    wait_for(lambda: showing(page) is None, timeout=20, what="back to live")
    click(page, "Reset")


def test_csv_upload_shows_the_custom_points(page, tmp_path):
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(60, 2)) * 2 + [6.0, 0.0]
    csv = "x,y\n" + "".join(f"{x:.4f},{y:.4f}\n" for x, y in pts)
    extent = float(np.abs(np.round(pts, 4)).max() * 1.15 + 1e-3)

    page.goto(page.base_url)
    page.get_by_role("button", name="Train", exact=True).wait_for()
    wait_for(lambda: page.evaluate(CLOUD_RANGE), what="the target's cloud")
    assert abs(page.evaluate(CLOUD_RANGE)[1] - extent) > 0.5, "moons has another window"

    page.get_by_text("Your own points (upload a CSV or draw)").click()
    box = page.get_by_test_id("stFileUploader").filter(has_text="CSV of x,y[,label]")
    box.locator("input[type=file]").set_input_files(
        files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    wait_for(lambda: "60 points from the file" in status(page), timeout=30, what="file read")
    wait_for(
        lambda: abs((page.evaluate(CLOUD_RANGE) or [0, 0])[1] - extent) < 1e-3,
        timeout=30,
        what="the cloud's window fits the uploaded points",
    )
    click(page, "Train")
    wait_for(lambda: step(page) > 0, timeout=60, what="training on the uploaded points")
    assert abs(page.evaluate(CLOUD_RANGE)[1] - extent) < 1e-3
    click(page, "Reset")


def test_drawing_points_with_a_lasso_makes_them_the_target(page):
    page.goto(page.base_url)
    page.get_by_role("button", name="Train", exact=True).wait_for()
    page.get_by_text("Your own points (upload a CSV or draw)").click()
    page.get_by_text("Draw on a plane").click()
    plane = page.locator(".js-plotly-plot").filter(has=page.locator(".nsewdrag"))
    canvas = wait_for(
        lambda: next(
            (
                plane.nth(i)
                for i in range(plane.count())
                if "plane" in plane.nth(i).evaluate("p => (p._fullData || []).map(d => d.name)")
            ),
            None,
        ),
        what="the drawing plane",
    )
    canvas.scroll_into_view_if_needed()
    box = canvas.locator(".nsewdrag").first.bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    page.mouse.move(x0, y0)
    page.mouse.down()
    for dx, dy in [(60, 0), (60, 60), (0, 60), (0, 0)]:
        page.mouse.move(x0 + dx, y0 + dy, steps=5)
    page.mouse.up()
    drawn = re.compile(r"(\d+) drawn point\(s\)")
    wait_for(
        lambda: int(drawn.search(status(page)).group(1)) >= 10,
        timeout=30,
        what="ten or more points drawn",
    )
    moons = 2.0  # the default target's window; the drawn points' is another
    wait_for(
        lambda: abs((page.evaluate(CLOUD_RANGE) or [0, moons])[1] - moons) > 0.01,
        timeout=30,
        what="the cloud's window fits the drawn points",
    )


def test_buttons_follow_a_run_that_ends_on_its_own(page):
    """The buttons are outside the live fragments: the page must rerun when a run ends."""
    page.goto(page.base_url)
    budget = page.get_by_role("spinbutton", name="Step budget")
    budget.fill("300")
    budget.press("Enter")
    train = page.get_by_role("button", name="Train", exact=True)
    pause = page.get_by_role("button", name="Pause", exact=True)
    wait_for(lambda: budget.input_value() == "300", what="the budget set")
    train.click()
    wait_for(lambda: pause.is_enabled(), timeout=60, what="Pause enabled while training")
    wait_for(lambda: step(page) >= 300, timeout=60, what="the run reaching its budget")
    wait_for(lambda: train.is_enabled(), timeout=20, what="Train enabled again, no click")
    assert not pause.is_enabled()
    held = step(page)
    page.wait_for_timeout(1500)  # the status line stays where the run ended
    assert step(page) == held == 300
    click(page, "Reset")


def test_hosted_under_a_path_the_live_clouds_still_draw(browser):
    """Behind a proxy at /gan-lab/ the live figures load Plotly.js from under that path.

    On Compare: it has no st.plotly_chart, whose bundle would bring a Plotly of its own.
    """
    with app_server({"GANLAB_MAX_RUNS": "2"}, base="gan-lab") as (url, _proc):
        assert url.endswith("/gan-lab")
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            loaded = []
            page.on(
                "response",
                lambda r: loaded.append((r.url, r.status)) if "plotly.min.js" in r.url else None,
            )
            page.goto(f"{url}/compare")
            click(page, "Train")
            wait_for(lambda: page.evaluate(DRAWN_CLOUDS), timeout=60, what="the clouds drawn")
            assert loaded and all(
                "/gan-lab/component/" in u and status == 200 for u, status in loaded
            ), loaded
            click(page, "Reset")
        finally:
            context.close()


DIAGRAM_LIT = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.layout && p.layout.meta && 'lit' in p.layout.meta)
  .map(p => ({lit: p.layout.meta.lit, title: p.layout.title.text,
              boxes: p.layout.annotations.filter(a => a.name.startsWith('box:')).length}))"""


def test_diagram_lights_the_network_each_step_trains(page):
    page.goto(page.base_url + "/?target=ring&gan=infogan")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    page.get_by_text("Diagram", exact=True).click()
    shown = wait_for(lambda: page.evaluate(DIAGRAM_LIT), what="the diagram drawn")
    assert shown[0]["boxes"] == 8 and shown[0]["lit"] == [], shown
    for mode, side, seconds in (("D only", "d", 60), ("G only", "g", 30)):
        page.get_by_text(mode, exact=True).click()
        page.get_by_role("button", name="Step", exact=True).click()
        wait_for(
            lambda side=side: (page.evaluate(DIAGRAM_LIT) or [{}])[0].get("lit") == [side],
            timeout=seconds,
            what=f"{side.upper()} lit after a {side.upper()} step",
        )
    assert "the last step trained G" in page.evaluate(DIAGRAM_LIT)[0]["title"]
    assert not page.locator("[data-testid='stException']").count()
    page.get_by_role("button", name="Reset", exact=True).click()


def test_the_picture_fetches_its_frames_and_stops_with_the_run(page):
    """With serve.py the picture asks the frame route for its run's frames (ui/frames.py)
    instead of a fragment run per frame, and stops asking once the run is gone."""
    answered = []  # (filled while Playwright runs a call: each check below makes one)

    def on_response(response):
        if "/_ganlab/frame/" in response.url and response.status == 200:
            answered.append(response.json())

    page.on("response", on_response)
    page.goto(page.base_url)
    click(page, "Train")
    wait_for(
        lambda: step(page) >= 0 and len({f["step"] for f in answered if f.get("image")}) >= 5,
        timeout=60,
        what="five frames fetched from the route",
    )
    shown = {f["step"] for f in answered if f.get("image")}
    wait_for(lambda: step(page) in shown or step(page) > max(shown), what="a fetched frame shown")
    # the page draws the figure when the run's first frame is there at Train's redraw,
    # else the route sends it with the first frame: never again with every frame
    assert sum("figure" in f for f in answered) <= 1, "the figure came at most once"
    click(page, "Reset")
    wait_for(lambda: step(page) == 0, what="reset")
    page.wait_for_timeout(500)  # (one question may have been on its way)
    asked = len(answered)
    page.wait_for_timeout(1500)
    assert len(answered) == asked, "no fetching for a run that is gone"
