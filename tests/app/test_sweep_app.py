"""The Sweep page (AppTest): axes and their validation, presets, the map's cells filling."""

import re

from tests.e2e.server import wait_for

PAGE = "app_pages/sweep.py"


def open_sweep(app):
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def grid(app, x: str, y: str, steps: int | None = None):
    app.text_input(key="sw_x_values").set_value(x).run()
    app.text_input(key="sw_y_values").set_value(y).run()
    if steps is not None:
        app.number_input(key="sw_steps").set_value(steps).run()
    return app


def errors(app) -> list[str]:
    return [e.value for e in app.error]


def map_html(app) -> str:
    return next((m.value for m in app.markdown if "sweep-map" in m.value), "")


def test_axes_build_a_sweep_and_say_how_many_runs(app):
    open_sweep(app)
    assert app.selectbox(key="sw_x_name").value == "lr_d"
    assert app.selectbox(key="sw_y_name").value == "lr_g"
    grid(app, "1e-4, 1e-3, 1e-2", "1e-4, 1e-3")
    app.slider(key="sw_seeds").set_value(2).run()
    assert not errors(app)
    assert any("12 runs (3 × 2 cells × 2 seed(s))" in c.value for c in app.caption)
    assert not app.button(key="sw_train").disabled


def test_bad_grids_say_why_and_nothing_starts(app):
    open_sweep(app)
    cases = [
        ("1e-3, 0.001", "1e-4", "given twice"),
        ("", "1e-4", "no values"),
        ("5", "1e-4", "out of range"),
        (",".join(["1e-4"] * 1 + [f"{k}e-3" for k in range(1, 9)]), "1e-4", "at most 8"),
    ]
    for x, y, words in cases:
        grid(app, x, y)
        assert any(words in e for e in errors(app)), (x, errors(app))
        assert app.button(key="sw_train").disabled
    grid(app, "1e-4, 1e-3", "1e-4")
    app.selectbox(key="sw_y_name").set_value("lr").run()
    assert any("both set lr_d" in e for e in errors(app)), errors(app)
    assert app.button(key="sw_train").disabled, "a refused grid cannot start"
    assert "sw_job" not in app.session_state


def test_log_spaced_helper_fills_the_values(app):
    open_sweep(app)
    app.number_input(key="sw_x_lo").set_value(1e-4).run()
    app.number_input(key="sw_x_hi").set_value(1e-2).run()
    app.number_input(key="sw_x_n").set_value(3).run()
    app.button(key="sw_x_fill").click().run()
    assert app.text_input(key="sw_x_values").value == "0.0001, 0.001, 0.01"


def test_preset_link_sets_axes_and_base(app):
    app.query_params["preset"] = "dsteps-loss"
    open_sweep(app)
    assert app.selectbox(key="sw_x_name").value == "d_steps"
    assert app.selectbox(key="sw_y_name").value == "loss"
    assert app.text_input(key="sw_y_values").value.startswith("minimax")
    assert app.selectbox(key="sw_metric").value == "effective_modes"
    assert any("20 runs" in c.value for c in app.caption)


def test_unknown_preset_in_link_is_explained(app):
    app.query_params["preset"] = "nope"
    open_sweep(app)
    assert any("'nope'" in e for e in errors(app))


def test_train_fills_every_cell_with_links_to_the_playground(app):
    open_sweep(app)
    grid(app, "1e-4, 1e-3", "hinge, lsgan", steps=200)
    app.selectbox(key="sw_y_name").set_value("loss").run()
    assert not errors(app)
    app.button(key="sw_train").click().run()
    handles = app.session_state["many:sweep"]
    assert len(handles) == 4
    wait_for(lambda: all(h.state == "done" for h in handles), timeout=90, what="every run done")
    app.run()  # the map reads the final snapshots
    html = map_html(app)
    cells = re.findall(r'<td class="(\w+)"[^>]*><a href="([^"]+)"[^>]*>([^<]*)<', html)
    assert len(cells) == 4 and all(cls == "final" for cls, _, _ in cells), cells
    assert all(re.fullmatch(r"\d", text) for _, _, text in cells), "modes covered, written in"
    links = [href.replace("&amp;", "&") for _, href, _ in cells]
    assert any("lr_d=0.0001" in h and "loss=lsgan" in h and "target=ring" in h for h in links)
    assert any("4 of 4 runs done" in c.value for c in app.caption)
    assert "fails 0" in html and "8 works" in html, "the legend: 0 to 8 modes"
    csv = app.get("download_button")
    assert csv, "the table as CSV once every run finished"
    app.button(key="sw_reset").click().run()
    assert all(h.state == "stopped" or h.state == "done" for h in handles)
    assert not map_html(app)


def test_map_marks_diverged_queued_and_live_cells():
    from gan_core import sweep as S
    from gan_core.engine.config import RunConfig
    from ui.sweep import map_html

    base = RunConfig(target="ring")
    sweep = S.Sweep(
        base, S.parse_axis("x", "lr_d=1e-3,1,0.5", base), S.parse_axis("y", "batch=32", base)
    )
    ok, bad, waiting = sweep.runs()
    results = {ok: {"modes": 7}, bad: {"error": "D's loss is nan at step 12"}, waiting: None}
    states = {ok: "running", bad: "diverged", waiting: "queued"}
    html = map_html(sweep, "modes", results, states, modes_total=8)
    cells = re.findall(r'<td class="(\w+)"[^>]*><a [^>]*>([^<]*)<small>([^<]*)</small>', html)
    assert cells == [("live", "7", "training"), ("final", "✕", "diverged"), ("live", "queued", "")]
    assert "fails 0" in html and "8 works" in html
