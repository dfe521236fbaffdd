import numpy as np
import pytest

from gan_core.engine.config import SPECS, ConfigError, RunConfig


def test_defaults_are_the_lectures():
    cfg = RunConfig()
    assert (cfg.z_dim, cfg.g_width, cfg.g_depth, cfg.batch) == (32, 128, 1, 50)
    assert (cfg.optimizer, cfg.lr_g, cfg.lr_d) == ("adam", 1e-3, 1e-3)


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("z_dim", 0, "z_dim: 0 is out of range [1, 128]"),
        ("g_width", 1000, "g_width: 1000 is out of range [8, 512]"),
        ("g_depth", 5, "g_depth"),
        ("batch", 4, "batch"),
        ("d_steps", 11, "d_steps"),
        ("lr_g", float("nan"), "lr_g"),
        ("gan", "vae", "gan: unknown 'vae'; one of gan, cgan, infogan"),
        ("loss", "l1", "loss: unknown 'l1'"),
        ("z_dim", 2.5, "not an integer"),
    ],
)
def test_invalid_values_name_the_field(field, value, fragment):
    with pytest.raises(ConfigError) as err:
        RunConfig(**{field: value})
    assert fragment in str(err.value)
    assert err.value.field == field


def test_target_params_are_checked_per_target():
    with pytest.raises(ConfigError, match=r"modes: 40 is out of range \[2, 32\]"):
        RunConfig(target="ring").replace(modes=40)
    with pytest.raises(ConfigError, match="modes: unknown setting"):
        RunConfig.from_flat({"target": "moons", "modes": "8"})


@pytest.mark.parametrize("target", ["ring", "grid", "moons", "pinwheel"])
def test_flat_round_trip(target):
    cfg = RunConfig(target=target, gan="infogan", loss="hinge", lr_g=3e-4, seed=7, batch=64)
    flat = cfg.to_flat()
    assert all(isinstance(v, str) for v in flat.values())
    assert RunConfig.from_flat(flat) == cfg


def test_from_flat_rejects_garbage():
    with pytest.raises(ConfigError, match="batch: 'abc' is not an integer"):
        RunConfig.from_flat({"batch": "abc"})
    with pytest.raises(ConfigError, match="target: unknown 'nope'"):
        RunConfig.from_flat({"target": "nope"})
    with pytest.raises(ConfigError, match="lr_d"):
        RunConfig.from_flat({"lr_d": "inf"})


def test_replace_keeps_only_the_new_targets_params():
    cfg = RunConfig(target="ring").replace(modes=6)
    assert dict(cfg.target_params)["modes"] == 6
    moons = cfg.replace(target="moons")
    assert set(dict(moons.target_params)) == {"noise"}


def test_custom_needs_valid_points():
    with pytest.raises(ConfigError, match="custom needs points"):
        RunConfig(target="custom")
    pts = np.random.default_rng(0).normal(size=(50, 2))
    cfg = RunConfig(target="custom", custom=(pts, None))
    assert cfg.n_classes == 1
    bad = pts.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ConfigError, match="NaN or infinity"):
        RunConfig(target="custom", custom=(bad, None))


def test_every_spec_has_help():
    assert all(spec.help for spec in SPECS.values())


WIDGET_KINDS = {"select", "radio", "slider", "number", "steps"}


@pytest.mark.parametrize("name", list(SPECS))
def test_every_widget_in_specs_fits_its_setting(name):
    """A widget's kind suits its setting, and its usual values and span lie in its range."""
    spec = SPECS[name]
    w = spec.widget
    if w is None:
        return
    assert w.label and w.kind in WIDGET_KINDS
    assert (w.kind in ("select", "radio")) == (spec.choices is not None)
    assert w.column in (None, 0, 1)
    if w.kind == "steps":
        assert w.steps and list(w.steps) == sorted(set(w.steps))
        assert all(spec.lo <= v <= spec.hi for v in w.steps)
        assert getattr(RunConfig(), name) in w.steps, "the default is one of the usual values"
    else:
        assert not w.steps
    if w.span is not None:
        assert w.kind == "slider" and spec.lo <= w.span[0] < w.span[1] <= spec.hi
    if w.step is not None:
        assert w.kind in ("slider", "number") and 0 < w.step <= spec.hi - spec.lo
