"""Compare page in AppTest: widgets → one config per run, presets fill everything."""

import pytest

from gan_core import run_types
from gan_core.engine.config import RunConfig
from gan_core.presets import PRESETS
from tests.app import shown
from ui import compare, presets


@pytest.fixture
def cmp(app):
    app.run()
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    return app


def configs(at) -> dict[str, RunConfig] | None:
    return at.session_state["cmp_configs"]


def statuses(at) -> list[str]:
    return [line for line in shown.lines(at) if line.startswith("step ")]


def test_page_builds_gan_cgan_infogan_on_the_ring(cmp):
    assert not cmp.error
    assert [b.label for b in cmp.button][:4] == ["Train", "Pause", "Step", "Reset"]
    runs = configs(cmp)
    assert list(runs) == ["gan", "cgan", "infogan"]
    assert {(c.target, c.seed) for c in runs.values()} == {("ring", 0)}
    assert [c.gan for c in runs.values()] == ["gan", "cgan", "infogan"]
    assert len(statuses(cmp)) == 3, "one status line per run"
    assert cmp.session_state["cmp_budget_steps"] == compare.DEFAULT_BUDGET


@pytest.mark.parametrize("name", presets.for_compare())
def test_preset_sets_runs_target_seed_and_budget(cmp, name):
    preset = PRESETS[name]
    cmp.selectbox(key="cmp_preset").set_value(name).run()
    assert not cmp.exception and not cmp.error
    assert cmp.multiselect(key="cmp_runs").value == list(preset.runs)
    first = next(iter(preset.runs.values()))
    assert cmp.selectbox(key="cmp_cfg_target").value == first.target
    assert cmp.number_input(key="cmp_seed").value == first.seed
    assert cmp.number_input(key="cmp_budget").value == preset.steps
    assert configs(cmp) == preset.runs, "each run keeps the preset's own settings"
    assert preset.caption in cmp.info[0].value


def headings(at) -> list[str]:
    """The runs' titles above their point clouds, in page order."""
    return [
        m.value.split("</span> ")[-1].removesuffix("</h3>") for m in at.markdown if "<h3" in m.value
    ]


@pytest.mark.parametrize("name", ["mitigations-ring", "mitigations-ring-2"])
def test_mitigation_presets_show_every_runs_title(cmp, name):
    """The plain GAN first, then one column per mitigation, each titled by its run type."""
    cmp.selectbox(key="cmp_preset").set_value(name).run()
    assert not cmp.exception and not cmp.error
    runs = list(PRESETS[name].runs)
    assert runs[0] == "gan" and len(runs) >= 3
    assert headings(cmp) == [run_types.title(k) for k in runs]
    assert "GAN" in headings(cmp) and "gan loss" not in " ".join(headings(cmp))
    assert len(statuses(cmp)) == len(runs), "one status line per run"
    assert cmp.multiselect(key="cmp_runs").value == runs


def test_the_dcgan_preset_shows_its_nets(cmp):
    cmp.selectbox(key="cmp_preset").set_value("dcgan-rules").run()
    assert not cmp.exception and not cmp.error
    runs = configs(cmp)
    assert [(c.target, c.arch, c.batchnorm) for c in runs.values()] == [
        ("digits", "dcgan", "on"),
        ("digits", "mlp", "on"),
        ("digits", "dcgan", "off"),
    ]
    assert headings(cmp) == ["DCGAN", "Fully connected nets", "DCGAN without batchnorm"]


def test_a_mitigation_run_type_applies_to_the_base(cmp):
    cmp.multiselect(key="cmp_runs").set_value(["gan", "pack2", "unroll5"]).run()
    assert not cmp.exception and not cmp.error
    runs = configs(cmp)
    assert [(c.gan, c.pack, c.unroll) for c in runs.values()] == [
        ("gan", 1, 0),
        ("gan", 2, 0),
        ("gan", 1, 5),
    ]
    assert headings(cmp) == ["GAN", "PacGAN (pack 2)", "Unrolled GAN (k 5)"]


def test_shared_widgets_map_to_every_run(cmp):
    cmp.selectbox(key="cmp_cfg_target").set_value("grid").run()
    cmp.number_input(key="cmp_seed").set_value(7).run()
    cmp.number_input(key="cmp_budget").set_value(3000).run()
    runs = configs(cmp)
    assert {(c.target, c.seed) for c in runs.values()} == {("grid", 7)}
    assert cmp.session_state["cmp_budget_steps"] == 3000
    cmp.selectbox(key="cmp_cfg_target").set_value("ring").run()
    cmp.slider(key="cmp_cfg_tp_ring_modes").set_value(6).run()
    assert {dict(c.target_params)["modes"] for c in configs(cmp).values()} == {6}


def test_run_types_map_to_gan_types_and_losses(cmp):
    cmp.multiselect(key="cmp_runs").set_value(["gan", "minimax", "wgan-gp"]).run()
    runs = configs(cmp)
    assert [(c.gan, c.loss) for c in runs.values()] == [
        ("gan", "nonsaturating"),
        ("gan", "minimax"),
        ("gan", "wgan-gp"),
    ]
    assert len(statuses(cmp)) == 3


def test_too_few_runs_is_a_message_and_disables_train(cmp):
    cmp.multiselect(key="cmp_runs").set_value(["gan"]).run()
    assert not cmp.exception
    assert any("Pick 2 to 4 runs" in e.value for e in cmp.error)
    assert configs(cmp) is None
    assert cmp.button(key="cmp_train").disabled


def test_link_opens_a_preset_and_a_bad_one_says_so(app):
    name = presets.for_compare()[0]
    app.run()
    app.query_params["preset"] = name
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    assert app.selectbox(key="cmp_preset").value == name
    assert configs(app) == PRESETS[name].runs
    assert "preset" not in app.query_params, "applied once, then left out of the URL"
    app.query_params["preset"] = "no-such-demo"
    app.run()
    assert not app.exception
    assert any("'no-such-demo'" in e.value for e in app.error)


def test_train_starts_all_runs_together_and_reset_ends_them(cmp):
    cmp.number_input(key="cmp_budget").set_value(2000).run()
    cmp.button(key="cmp_train").click().run()
    assert not cmp.exception
    group = cmp.session_state["group:compare"]
    assert {k: h.config for k, h in group.items()} == configs(cmp)
    assert len({h.slot for h in group.values()}) == 1, "one slot of the runner's cap"
    assert all(h.opts["max_steps"] == 2000 for h in group.values())
    assert all(h.queue_position is None for h in group.values()), "none waits in the queue"
    cmp.button(key="cmp_reset").click().run()
    assert all(h.state == "stopped" for h in group.values())
    assert "group:compare" not in cmp.session_state


def test_runs_the_reaper_ended_make_way_for_a_new_train(cmp):
    cmp.button(key="cmp_train").click().run()
    old = cmp.session_state["group:compare"]
    for handle in old.values():
        handle.stop()  # as the reaper does when nobody watches
    cmp.run()
    assert not cmp.button(key="cmp_train").disabled
    assert statuses(cmp) == ["step 0 · waiting…"] * 3
    cmp.button(key="cmp_train").click().run()
    new = cmp.session_state["group:compare"]
    assert all(h.state != "stopped" for h in new.values()) and new is not old
    cmp.button(key="cmp_reset").click().run()
