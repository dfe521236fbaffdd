"""Presets on the Playground: one pick sets every sidebar widget and the step budget."""

import pytest

from gan_core.presets import PRESETS
from ui import presets


def config(at):
    return at.session_state["pg_config"]


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_sets_the_widgets_to_its_first_run(app, name):
    app.run()
    app.selectbox(key="pg_preset").set_value(name).run()
    assert not app.exception and not app.error
    first = presets.first_config(name)
    assert config(app) == first
    assert app.selectbox(key="pg_cfg_gan").value == first.gan
    assert app.selectbox(key="pg_cfg_target").value == first.target
    assert app.number_input(key="pg_budget").value == PRESETS[name].steps
    assert PRESETS[name].caption in app.info[0].value
    assert not app.caption or all("Settings changed" not in c.value for c in app.caption)


def test_preset_overrides_earlier_changes_and_notes_later_ones(app):
    app.run()
    app.selectbox(key="pg_cfg_target").set_value("grid").run()
    app.slider(key="pg_cfg_z_dim").set_value(3).run()
    name = next(n for n in PRESETS if presets.first_config(n).target == "ring")
    app.selectbox(key="pg_preset").set_value(name).run()
    assert config(app) == presets.first_config(name)
    app.slider(key="pg_cfg_z_dim").set_value(3).run()
    assert any("Settings changed" in c.value for c in app.caption)


def test_link_opens_a_preset_on_the_playground(app):
    name = list(PRESETS)[-1]
    app.query_params["preset"] = name
    app.run()
    assert not app.exception
    assert config(app) == presets.first_config(name)
    assert app.query_params.get("preset") is None


def test_unknown_preset_in_link_is_a_message(app):
    app.query_params["preset"] = "bogus"
    app.run()
    assert not app.exception
    assert any("'bogus'" in e.value for e in app.error)
    assert config(app) is not None
