"""Playground: layers, view code, step modes, speed, timeline, URL and presentation flag."""

import json
import time

import pytest

from gan_core.live.handle import JobHandle
from tests.app import shown
from tests.app.playground import job, train
from tests.e2e.server import wait_for


def newest_layers(handle):
    snap = handle.history.latest()
    return snap.layers if snap is not None else {}


def points_spec(app, trace: str = "real") -> str:
    """The point cloud's figure: ``real`` before Train too, ``generated`` once a run draws."""
    return [spec for spec in shown.figure_specs(app) if f'"{trace}"' in spec][0]


def test_each_layer_toggle_reaches_the_running_job(app):
    app.query_params.update({"target": "ring"})
    app.run()
    handle = train(app)
    expected = {
        "heatmap": "heatmap",
        "arrows": "arrows",
        "manifold": "manifold",
        "optimal_d": "optimal_d",
    }
    for layer, field in expected.items():
        app.pills(key="pg_layers").set_value([layer]).run()
        assert not app.exception
        wait_for(
            lambda f=field: f in newest_layers(handle), timeout=60, what=f"{layer} in the snapshots"
        )
        others = set(expected.values()) - {field}
        wait_for(
            lambda o=others: not o & set(newest_layers(handle)), timeout=60, what="only that layer"
        )
    app.pills(key="pg_layers").set_value(["heatmap"]).run()
    wait_for(lambda: "heatmap" in newest_layers(handle), timeout=60, what="heatmap again")
    app.run()
    assert '"type":"heatmap"' in points_spec(app, "generated").replace(" ", ""), (
        "heatmap drawn on the cloud"
    )
    app.pills(key="pg_layers").set_value(["optimal_d"]).run()
    wait_for(lambda: "optimal_d" in newest_layers(handle), timeout=60, what="D*")
    app.run()
    assert any("optimal D*" in spec for spec in shown.figure_specs(app)), "D* figure"


def test_layers_chosen_before_train_go_with_the_submit(app):
    app.run()
    app.pills(key="pg_layers").set_value(["manifold", "heatmap"]).run()
    handle = train(app)
    assert handle.opts["layers"] == ("heatmap", "manifold")
    wait_for(
        lambda: {"heatmap", "manifold"} <= set(newest_layers(handle)), timeout=60, what="layers"
    )


def test_one_class_of_a_cgan_is_shown(app):
    app.query_params.update({"target": "ring", "gan": "cgan"})
    app.run()
    handle = train(app)
    app.selectbox(key="pg_view_code").set_value(3).run()
    wait_for(lambda: handle.history.latest().view_code == 3, timeout=60, what="view code 3")
    assert set(handle.history.latest().codes.tolist()) == {3}


def test_infogan_continuous_code_traversal(app):
    app.query_params.update({"target": "ring", "gan": "infogan", "cont_codes": "1"})
    app.run()
    handle = train(app)
    app.toggle(key="pg_traverse").set_value(True).run()
    app.slider(key="pg_view_cont").set_value(1.5).run()
    wait_for(
        lambda: handle.history.latest().view_cont == pytest.approx(1.5),
        timeout=60,
        what="view_cont",
    )


def test_step_button_uses_the_mode_and_the_number_of_steps(app, monkeypatch):
    calls = []
    original = JobHandle.step_once

    def spy(self, n=1, mode="both"):
        calls.append((n, mode))
        return original(self, n, mode)

    monkeypatch.setattr(JobHandle, "step_once", spy)
    app.run()
    app.radio(key="pg_mode").set_value("d").run()
    app.number_input(key="pg_step_n").set_value(5).run()
    app.button(key="pg_step").click().run()
    assert calls == [(5, "d")]
    handle = job(app)
    wait_for(lambda: handle.step == 5, timeout=60, what="five D steps")
    app.radio(key="pg_mode").set_value("g").run()
    app.button(key="pg_step").click().run()
    assert calls[-1] == (5, "g")
    wait_for(lambda: handle.step == 10, timeout=60, what="five G steps")


def test_speed_and_mode_apply_live(app, monkeypatch):
    sent = []
    original = JobHandle.set

    def spy(self, **changes):
        sent.append(changes)
        return original(self, **changes)

    monkeypatch.setattr(JobHandle, "set", spy)
    app.run()
    handle = train(app)
    app.select_slider(key="pg_speed").set_value(10).run()
    app.radio(key="pg_mode").set_value("g").run()
    assert {"speed": 10.0} in [{k: v for k, v in s.items() if k == "speed"} for s in sent]
    assert any(s.get("mode") == "g" for s in sent)
    time.sleep(1.0)  # let the new speed take over
    start = handle.step
    time.sleep(3.0)
    assert handle.step - start <= 60, "about 10 steps per second, not flat out"


def test_timeline_scrubs_back_while_the_run_goes_on(app):
    app.run()
    handle = train(app)
    wait_for(lambda: len(handle.snapshots()) >= 4, timeout=60, what="a few snapshots")
    app.run()
    slider = app.select_slider(key="pg_tl_step")
    first = slider.options[0]
    slider.set_value(int(first)).run()
    assert not app.exception
    assert app.session_state["pg_tl_live"] is False
    shown = [c.value for c in app.caption if "Timeline: showing step" in c.value]
    assert shown and f"showing step {first} " in shown[0]
    at = handle.step
    wait_for(lambda: handle.step > at, timeout=60, what="training goes on while scrubbed back")
    app.run()
    assert any(f"showing step {first} " in c.value for c in app.caption), "stays put"
    app.button(key="pg_tl_live_btn").click().run()
    assert not any("Timeline: showing" in c.value for c in app.caption)


def test_timeline_play_steps_through_the_history(app):
    app.run()
    handle = train(app)
    wait_for(lambda: len(handle.snapshots()) >= 4, timeout=60, what="a few snapshots")
    app.button(key="pg_pause").click().run()
    app.run()
    app.button(key="pg_tl_play_btn").click().run()
    assert app.session_state["pg_tl_play"] is True
    steps = [int(app.select_slider(key="pg_tl_step").value)]
    for _ in range(3):
        app.run()
        if not app.session_state["pg_tl_play"]:
            break
        steps.append(int(app.select_slider(key="pg_tl_step").value))
    assert steps == sorted(steps) and len(set(steps)) > 1, steps


def test_url_round_trip_with_presentation_flag(app):
    app.query_params.update({"target": "grid", "gan": "cgan", "seed": "7", "present": "1"})
    app.run()
    assert not app.exception and not app.error
    cfg = app.session_state["pg_config"]
    assert (cfg.target, cfg.gan, cfg.seed) == ("grid", "cgan", 7)
    assert app.selectbox(key="pg_cfg_gan").value == "cgan"
    assert any("stSidebar" in h.proto.body for h in app.get("html")), "presentation CSS"
    cloud = json.loads(points_spec(app))
    assert cloud["layout"]["font"]["size"] >= 18, "Plotly's type enlarged for a projector"
    app.selectbox(key="pg_cfg_gan").set_value("infogan").run()
    params = {k: v[0] if isinstance(v, list) else v for k, v in app.query_params.items()}
    assert params.get("gan") == "infogan" and params.get("present") == "1"
    assert params.get("seed") == "7" and params.get("target") == "grid"
    assert [b.label for b in app.button][:4] == ["Train", "Pause", "Step", "Reset"]


def test_no_presentation_css_without_the_flag(app):
    app.run()
    assert not any("stSidebar" in h.proto.body for h in app.get("html"))
    assert "size" not in json.loads(points_spec(app))["layout"].get("font", {})
