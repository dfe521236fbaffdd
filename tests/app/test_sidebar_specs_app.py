"""The Playground's sidebar is SPECS (gan_core/engine/specs.py) drawn: every setting's
widget has the label, help, range and values of its entry, and the sidebar holds no
range of its own."""

import pytest

from gan_core.engine import targets as T
from gan_core.engine.config import SPECS, RunConfig
from gan_core.engine.specs import CONV
from ui.controls import SIDEBAR, TITLES, widget_key

KEY = "pg_cfg_"
KIND = {"select": "selectbox", "radio": "radio", "slider": "slider"}
KIND |= {"number": "number_input", "steps": "select_slider"}
NOT_SETTINGS = {
    "pg_budget": "the run's step budget: its top is the host's limit (runner.MAX_STEPS)",
    "pg_step_n": "steps per Step click: how the buttons step, not the run",
    "pg_speed": "the speed limit: how fast the run is shown, not the run",
}
"""Ranged sidebar widgets that are not run settings, and why."""


def ranged(at) -> dict:
    """The sidebar's widgets that offer a range or a scale of values, by key."""
    out = {}
    for kind in ("slider", "number_input", "select_slider"):
        out |= {w.key: w for w in getattr(at.sidebar, kind)}
    return out


def shown(name, value) -> str:
    w = SPECS[name].widget
    if w.format:
        return w.format % value
    return TITLES[name](value) if name in TITLES else str(value)


def test_every_setting_is_its_specs_widget(app):
    app.query_params["target"] = "digits"  # (an image target: the DCGAN expander shows)
    app.run()
    assert not app.exception
    d = RunConfig(target="digits")
    for name, spec in SIDEBAR.items():
        if name == "target":
            continue
        w = spec.widget
        widget = getattr(app, KIND[w.kind])(key=KEY + widget_key(name))
        assert (widget.label, widget.help) == (w.label, spec.help), name
        assert widget.value == getattr(d, name), name
        if w.kind in ("select", "radio"):
            assert widget.options == [shown(name, c) for c in spec.choices], name
        elif w.kind == "steps":
            assert widget.options == [shown(name, v) for v in w.steps], name
        else:
            lo, hi = w.span or (spec.lo, spec.hi)
            assert (widget.min, widget.max) == (lo, hi), name
            if w.step is not None:
                assert widget.step == w.step, name
            if w.format is not None:
                assert widget.proto.format == w.format, name
    target = app.selectbox(key=KEY + "target")
    assert (target.label, target.help) == (SPECS["target"].widget.label, SPECS["target"].help)
    assert target.options == [T.TARGETS[n].title for n in SPECS["target"].choices if n != "custom"]


def test_the_sidebar_has_no_range_that_specs_lacks(app):
    app.query_params["target"] = "ring"
    app.run()
    widgets = ranged(app)
    choices = ("select", "radio")  # (no range)
    on_ring = {n: s for n, s in SIDEBAR.items() if s.widget.section != CONV}  # (no DCGAN)
    settings = {KEY + widget_key(n) for n, s in on_ring.items() if s.widget.kind not in choices}
    params = {f"{KEY}tp_ring_{p}": spec for p, spec in T.TARGETS["ring"].params.items()}
    assert set(widgets) == settings | set(params) | set(NOT_SETTINGS)
    for key, param in params.items():
        assert (widgets[key].min, widgets[key].max) == (param.lo, param.hi), key


@pytest.mark.parametrize(
    "name,value,check",
    [
        ("beta1", "0.995", lambda w: w.max == 0.995 and w.min == 0.0),
        ("beta2", "0.5", lambda w: w.min == 0.5 and w.max == SPECS["beta2"].hi),
        ("lr_g", "0.0003", lambda w: "0.0003" in w.options),
        ("g_width", "100", lambda w: "100" in w.options),
    ],
)
def test_a_linked_value_outside_the_usual_ones_widens_the_widget(app, name, value, check):
    app.query_params[name] = value
    app.run()
    assert not app.error
    assert getattr(app.session_state["pg_config"], name) == SPECS[name].kind(value)
    kind = KIND[SPECS[name].widget.kind]
    assert check(getattr(app, kind)(key=KEY + widget_key(name)))


def test_the_settings_against_mode_collapse_from_a_link(app):
    app.query_params.update({"pack": "2", "mbstd": "on", "spectral_norm": "on"})
    app.run()
    assert not app.exception and not app.error
    cfg = app.session_state["pg_config"]
    assert (cfg.pack, cfg.mbstd, cfg.spectral_norm) == (2, "on", "on")
    assert app.slider(key=KEY + widget_key("pack")).value == 2
    assert app.radio(key=KEY + widget_key("mbstd")).value == "on"
    assert app.radio(key=KEY + widget_key("spectral_norm")).value == "on"
    labels = [e.label for e in app.sidebar.expander]
    assert SPECS["pack"].widget.section in labels
