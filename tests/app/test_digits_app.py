"""Digits in the Playground (AppTest): the sheet, the judge's figures, off-plane layers."""

import json

import numpy as np

from tests.app import shown
from tests.app.playground import train
from tests.e2e.server import wait_for

DIGITS = {"target": "digits", "gan": "cgan", "g_depth": "2", "g_width": "256", "batch": "64"}


def test_digits_view_sheet_judge_and_no_plane_layers(app):
    app.query_params.update(DIGITS)
    app.run()
    assert not app.exception
    assert not [p for p in app.main.get("button_group") if p.key == "pg_layers"], "no pills"
    assert any("draw on the 2-D plane" in c.value for c in app.caption)
    handle = train(app)
    wait_for(lambda: "purity" in (handle.history.latest().metrics or {}), timeout=60, what="judged")
    snap = handle.history.latest()
    assert snap.fake.shape == (100, 64) and np.abs(snap.fake).max() <= 1
    assert snap.codes.tolist() == np.repeat(np.arange(10), 10).tolist(), "a row per label"
    assert snap.image.startswith("data:image/png;base64,")
    m = snap.metrics
    assert m["modes_total"] == 10 and len(m["code_table"]) == 10
    assert {"precision", "recall", "density", "coverage"} <= set(m)
    assert "kl" not in m, "plane histograms do not apply to images"
    app.run()
    assert not app.exception
    line = shown.lines(app)[0]
    assert "digits covered" in line and "purity" in line, line
    specs = shown.figure_specs(app)
    sheets = [json.loads(s) for s in specs if '"uirevision":"sheet:' in s.replace(" ", "")]
    assert len(sheets) == 1 and len(sheets[0]["layout"]["images"]) == 2, "G's and real"
    assert [a["text"] for a in sheets[0]["layout"]["annotations"]] == ["generated", "real"]
    assert any("precision" in s and "coverage" in s for s in specs), "the k-NN chart"
    assert any("held-out real digits" in c.value for c in app.caption), "the judge's accuracy"
    app.button(key="pg_reset").click().run()


def test_a_plane_layer_in_a_link_on_digits_is_explained_and_ignored(app):
    app.query_params.update({**DIGITS, "layers": "heatmap,arrows"})
    app.run()
    errors = [e.value for e in app.error]
    assert any("layers=heatmap,arrows" in e and "2-D plane" in e for e in errors), errors
    handle = train(app)
    assert handle.opts["layers"] == ()
    wait_for(lambda: handle.step > 50, timeout=60, what="the run goes on")
    assert not handle.history.latest().layers
    app.button(key="pg_reset").click().run()


def test_an_unknown_layer_in_a_link_is_named(app):
    app.query_params.update({"target": "ring", "layers": "heatmap,bogus"})
    app.run()
    assert any("'bogus'" in e.value for e in app.error)
    assert app.session_state["pg_layers"] == ["heatmap"]


def test_compare_shows_the_digits_preset_as_three_sheets_of_gs_digits(app):
    from gan_core.presets import PRESETS

    app.run()
    app.query_params["preset"] = "collapse-digits"
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    assert list(app.session_state["cmp_configs"]) == list(PRESETS["collapse-digits"].runs)
    specs = [s.replace(" ", "") for s in shown.figure_specs(app)]
    sheets = [json.loads(s) for s in specs if '"uirevision":"sheet:' in s]
    assert len(sheets) == 3, "a sheet per run"
    assert all(len(s["layout"]["images"]) == 1 for s in sheets), (
        "G's images alone: the real ones would halve them in a column"
    )
    app.button(key="cmp_train").click().run()
    group = app.session_state["group:compare"]
    handle = group["cgan"]
    wait_for(
        lambda: handle.history.latest() is not None and handle.step > 0, timeout=60, what="run"
    )
    wait_for(lambda: handle.history.latest().image is not None, timeout=60, what="picture")
    app.run()
    assert not app.exception
    assert len([line for line in shown.lines(app) if line.startswith("step ")]) == 3
    assert any("k-NN coverage" in c.value for c in app.caption), "the any-target chart"
    app.button(key="cmp_reset").click().run()


def test_timeline_shows_an_older_sheet_redrawn_by_the_server(app):
    app.query_params.update(DIGITS)
    app.run()
    handle = train(app)
    wait_for(lambda: len(handle.snapshots()) >= 4, timeout=60, what="a few snapshots")
    app.run()
    slider = app.select_slider(key="pg_tl_step")
    first = int(slider.options[0])
    newest = shown.live_views(app)[0]["image"]
    slider.set_value(first).run()
    assert not app.exception
    assert any(f"showing step {first} " in c.value for c in app.caption)
    old = shown.live_views(app)[0]["image"]
    assert old.startswith("data:image/png;base64,") and old != newest, "the older sheet"
    # Reset while scrubbed back: the page once reran itself without end (a timeline of a
    # run that is gone kept asking for fast redraws); now it ends, and starts live again
    app.button(key="pg_reset").click().run()
    assert not app.exception and app.session_state["pg_tl_live"] is True
