import time

import pytest

from gan_core.engine.config import RunConfig
from tests.app import shown
from tests.e2e.server import wait_for


def config(at) -> RunConfig:
    return at.session_state["pg_config"]


def test_page_builds_the_default_config(app):
    app.run()
    assert not app.exception
    assert [b.label for b in app.button][:4] == ["Train", "Pause", "Step", "Reset"]
    assert config(app) == RunConfig()
    assert "step 0" in shown.lines(app)[0]


@pytest.mark.parametrize(
    "kind,key,value,field,expected",
    [
        ("selectbox", "pg_cfg_target", "ring", "target", "ring"),
        ("selectbox", "pg_cfg_gan", "infogan", "gan", "infogan"),
        ("selectbox", "pg_cfg_loss", "wgan-gp", "loss", "wgan-gp"),
        ("slider", "pg_cfg_g_depth", 3, "g_depth", 3),
        ("slider", "pg_cfg_d_depth", 2, "d_depth", 2),
        ("select_slider", "pg_cfg_g_width", 64, "g_width", 64),
        ("select_slider", "pg_cfg_d_width", 256, "d_width", 256),
        ("slider", "pg_cfg_z_dim", 2, "z_dim", 2),
        ("radio", "pg_cfg_opt", "sgd", "optimizer", "sgd"),
        ("select_slider", "pg_cfg_lr_g", 2e-4, "lr_g", 2e-4),
        ("select_slider", "pg_cfg_lr_d", 5e-3, "lr_d", 5e-3),
        ("select_slider", "pg_cfg_batch", 128, "batch", 128),
        ("slider", "pg_cfg_d_steps", 3, "d_steps", 3),
        ("number_input", "pg_cfg_seed", 42, "seed", 42),
        ("selectbox", "pg_cfg_act", "tanh", "activation", "tanh"),
        ("selectbox", "pg_cfg_z_dist", "uniform", "z_dist", "uniform"),
        ("slider", "pg_cfg_beta1", 0.9, "beta1", 0.9),
        ("number_input", "pg_cfg_info_weight", 2.0, "info_weight", 2.0),
        ("number_input", "pg_cfg_codes", 4, "codes", 4),
        ("slider", "pg_cfg_cont", 2, "cont_codes", 2),
        ("number_input", "pg_cfg_ema", 0.999, "ema", 0.999),
        ("number_input", "pg_cfg_n_points", 5000, "n_points", 5000),
        ("number_input", "pg_cfg_gp_weight", 5.0, "gp_weight", 5.0),
    ],
)
def test_each_widget_maps_to_the_config(app, kind, key, value, field, expected):
    app.run()
    getattr(app, kind)(key=key).set_value(value).run()
    assert not app.exception
    assert getattr(config(app), field) == expected


def test_target_parameters_map_to_the_config(app):
    app.run()
    app.selectbox(key="pg_cfg_target").set_value("ring").run()
    app.slider(key="pg_cfg_tp_ring_modes").set_value(6).run()
    app.number_input(key="pg_cfg_tp_ring_std").set_value(0.05).run()
    params = dict(config(app).target_params)
    assert params["modes"] == 6 and params["std"] == pytest.approx(0.05)


def test_url_restores_the_config(app):
    app.query_params.update({"target": "grid", "gan": "cgan", "seed": "9", "lr_g": "0.0002"})
    app.run()
    assert not app.error
    cfg = config(app)
    assert (cfg.target, cfg.gan, cfg.seed, cfg.lr_g) == ("grid", "cgan", 9, 2e-4)


@pytest.mark.parametrize(
    "query,fragment",
    [
        ({"z_dim": "999"}, "z_dim: 999 is out of range"),
        ({"gan": "vae"}, "gan: unknown 'vae'"),
        ({"batch": "lots"}, "batch: 'lots' is not an integer"),
        ({"target": "moons", "modes": "8"}, "modes: unknown setting"),
    ],
)
def test_invalid_url_value_shows_an_error_not_a_traceback(app, query, fragment):
    app.query_params.update(query)
    app.run()
    assert not app.exception
    assert any(fragment in e.value for e in app.error), [e.value for e in app.error]
    assert config(app) is not None, "falls back to defaults and stays usable"


def test_structural_change_asks_for_reset_and_live_change_applies(app):
    app.run()
    app.button[0].click().run()  # Train
    handle = app.session_state["job:playground"]
    deadline = time.monotonic() + 60
    while handle.step == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert handle.step > 0
    app.select_slider(key="pg_cfg_lr_g").set_value(2e-4).run()
    assert handle.config.lr_g == 2e-4, "learning rate applied to the running job"
    assert not app.info
    app.slider(key="pg_cfg_z_dim").set_value(8).run()
    assert any("z_dim" in i.value and "Reset" in i.value for i in app.info)
    assert handle.config.z_dim == 32, "nothing silently restarts"


def test_the_picture_updates_through_the_frame_route(app):
    """The page draws the picture once and names its run's frame route: the route's
    answers (what the browser fetches, ui/frames.py) bring the newer steps."""
    from tests.app.playground import train
    from ui import frames

    app.run()
    handle = train(app)
    wait_for(lambda: handle.latest() is not None and handle.latest().state == "running")
    app.run()
    picture = shown.live_views(app)[0]
    assert picture["poll"].startswith(frames.ROUTE) and picture["every"] == 0.2
    token = picture["poll"].rsplit("/", 1)[1]
    first = frames.answer(token, picture["fig"])
    assert "figure" not in first, "the page holds the figure: only the picture travels"
    newer = wait_for(
        lambda: (f := frames.answer(token, picture["fig"]))["step"] > first["step"] and f
    )
    assert newer["image"] != first["image"] and newer["line"].startswith(f"step {newer['step']}")
    app.button[3].click().run()  # Reset
    assert frames.answer(token) is None, "an ended run's route says 404: the page stops"


def test_a_fetching_page_keeps_the_class_pace(app, monkeypatch):
    """The picture fetches at the page's pace: slower when many pages are open, said on
    its line, the curves slower too (ui/live.py)."""
    from tests.app.playground import train
    from ui import session

    monkeypatch.setattr(session, "open_pages", lambda: 30)
    app.run()
    handle = train(app)
    wait_for(lambda: handle.latest() is not None and handle.latest().state == "running")
    app.run()
    picture = shown.live_views(app)[0]
    assert picture["poll"].startswith("/_ganlab/frame/") and picture["every"] == 0.35
    assert picture["line"].endswith("3 frames/s: many pages are open on this server")
    assert app.session_state["_pace"] == 0.35
