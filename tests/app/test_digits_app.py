"""Digits in the Playground (AppTest): the sheet, the judge's figures, off-plane layers."""

import numpy as np

from gan_core.runner import JobHandle
from tests.app import shown
from tests.e2e.server import wait_for

DIGITS = {"target": "digits", "gan": "cgan", "g_depth": "2", "g_width": "256", "batch": "64"}


def job(app) -> JobHandle:
    return app.session_state["job:playground"]


def train(app) -> JobHandle:
    app.button(key="pg_train").click().run()
    handle = job(app)
    wait_for(lambda: handle.step > 0, timeout=60, what="training")
    return handle


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
    assert any('"generated"' in s and '"real"' in s for s in specs), "two sheets, labelled"
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
