"""The settings against mode collapse: pack (PacGAN), mbstd, spectral_norm.

Their shapes, what each changes, training without NaN for every GAN type, the same
numbers alone and in a cohort, their checks and their flat (URL, CLI) form.
"""

import json

import numpy as np
import pytest
import torch

from gan_core.cli import build_parser, config_from_args
from gan_core.engine import modelfile, spectral
from gan_core.engine.cohort import Cohort, shape_key
from gan_core.engine.config import ConfigError, RunConfig
from gan_core.engine.nets import minibatch_std
from gan_core.engine.trainer import Trainer
from tests.unit.test_cohort import alone, assert_same, together

SMALL = {"target": "ring", "n_points": 600}
MITIGATIONS = {
    "pack2": {"pack": 2},
    "pack3": {"pack": 3},  # batch 50: 16 packs of 3, two draws unused
    "mbstd": {"mbstd": "on"},
    "sn": {"spectral_norm": "on"},
    "all": {"pack": 4, "mbstd": "on", "spectral_norm": "on"},
}


def linears(t: Trainer) -> list[torch.nn.Linear]:
    return [m for m in t.model.D.modules() if isinstance(m, torch.nn.Linear)]


# --- shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize("gan,cond", [("gan", 0), ("cgan", 8), ("infogan", 0)])
@pytest.mark.parametrize("m", [1, 2, 4])
def test_pack_makes_d_read_m_samples_and_their_conditions(gan, cond, m):
    t = Trainer(RunConfig(gan=gan, pack=m, d_depth=2, **SMALL))
    first = linears(t)[0]
    assert first.in_features == m * (2 + cond)
    if gan == "infogan":  # Q guesses each of the m samples' codes
        assert t.model.D.q.out_features == m * 8
    x = torch.randn(5, 2 + cond)
    assert t.model.D(x).shape == (5,), "the views still read one point at a time"


def test_mbstd_adds_one_input_to_the_heads():
    off = Trainer(RunConfig(gan="infogan", **SMALL))
    on = Trainer(RunConfig(gan="infogan", mbstd="on", **SMALL))
    for net in (off, on):
        assert net.model.D.head.in_features == net.cfg.d_width + (net.cfg.mbstd == "on")
        assert net.model.D.q.in_features == net.model.D.head.in_features


def test_the_settings_are_part_of_the_shape_key():
    base = RunConfig(**SMALL)
    keys = {shape_key(base.replace(**changes)) for changes in MITIGATIONS.values()}
    assert len(keys | {shape_key(base)}) == len(MITIGATIONS) + 1
    c = Cohort()
    c.add(Trainer(base))
    assert not c.fits(base.replace(pack=2)) and not c.fits(base.replace(spectral_norm="on"))


# --- what each changes ------------------------------------------------------------------


def d_loss(cfg: RunConfig, real: torch.Tensor, fake: torch.Tensor) -> float:
    """D's loss on the given batch as one run's cohort computes it."""
    t = Trainer(cfg)
    Cohort().add(t)
    c = t.cohort
    c._build()
    b = {"real_in": real[None], "g_in": torch.zeros(1, len(real), cfg.z_dim)}
    loss, _ = t.model.d_loss(c.nets, b, fake[None], c.gp_weight)
    return float(loss[0].detach())


def test_pack_2_gives_another_d_loss_than_pack_1_on_the_same_batch():
    gen = torch.Generator().manual_seed(3)
    real, fake = torch.randn(50, 2, generator=gen), torch.randn(50, 2, generator=gen) + 1
    one = d_loss(RunConfig(**SMALL), real, fake)
    two = d_loss(RunConfig(pack=2, **SMALL), real, fake)
    assert np.isfinite(one) and np.isfinite(two) and one != two


def test_packed_inputs_are_consecutive_samples_side_by_side():
    t = Trainer(RunConfig(pack=2, **SMALL))
    x = torch.arange(12.0).view(1, 6, 2)
    assert t.model.packed(x).tolist() == [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]]


def test_mbstd_feature_is_the_mean_std_over_the_batch():
    h = torch.randn(3, 40, 16)
    out = minibatch_std(h, groups=2)
    assert out.shape == (3, 40, 17) and torch.equal(out[..., :16], h)
    for half in (slice(0, 20), slice(20, 40)):
        want = h[:, half].std(1, unbiased=False).mean(-1)
        assert torch.allclose(out[:, half, 16], want[:, None].expand(-1, 20), atol=1e-6)
    t = Trainer(RunConfig(mbstd="on", **SMALL))
    x = torch.randn(30, 2)
    d = t.model.D
    h = d.act(d.trunk(x))
    assert torch.allclose(d.features(x)[:, -1], h.std(0, unbiased=False).mean().expand(30))


def test_spectral_norm_keeps_d_layers_largest_singular_value_near_1():
    """One power iteration per D step tracks σ from below while the weights move (as
    torch's spectral_norm does): W / σ̂ stays near 1; with the weights still, it reaches 1."""
    t = Trainer(RunConfig(spectral_norm="on", d_depth=3, **SMALL))
    t.run(300)
    d = t.model.D
    us = [d._buffers[n] for n in spectral.vectors(d)]
    assert len(us) == 3
    for lin, u in zip(d.hidden(), us, strict=True):
        raw = float(torch.linalg.matrix_norm(lin.weight.detach(), 2))
        normed = float(torch.linalg.matrix_norm(spectral.weight(lin, u).detach(), 2))
        assert raw > 1.3 and 0.999 < normed < 1.25, (raw, normed)
        w, u = lin.weight.detach().T[None], u.clone()[None]
        for _ in range(300):
            s = spectral.sigma(w, u, update=True)
        assert abs(float(s[0]) / raw - 1) < 1e-3
    head = spectral.weight(d.head, None).detach()
    assert abs(float(torch.linalg.matrix_norm(head, 2)) - 1) < 1e-5


# --- training -----------------------------------------------------------------------------


@pytest.mark.parametrize("gan", ["gan", "cgan", "infogan"])
@pytest.mark.parametrize("name", list(MITIGATIONS))
def test_every_gan_type_trains_with_each_mitigation(gan, name):
    loss = "wgan-gp" if name == "all" else "nonsaturating"
    t = Trainer(RunConfig(gan=gan, loss=loss, **SMALL, **MITIGATIONS[name]))
    t.run(50)  # raises Diverged on a NaN
    assert all(np.isfinite(v) for v in t.losses().values())
    pts, _ = t.sample(100)
    assert np.isfinite(pts).all()


@pytest.mark.parametrize("name", list(MITIGATIONS))
@pytest.mark.parametrize("gan,loss", [("infogan", "nonsaturating"), ("cgan", "wgan-gp")])
def test_alone_equals_in_company(name, gan, loss):
    base = RunConfig(gan=gan, loss=loss, **SMALL, **MITIGATIONS[name])
    runs = together([base.replace(seed=s) for s in (0, 1, 2)], 8)
    for s in (0, 2):
        assert_same(alone(base.replace(seed=s), 8), runs[s])


def test_a_saved_run_goes_on_exactly_and_old_files_load():
    cfg = RunConfig(gan="infogan", **SMALL, **MITIGATIONS["all"])
    runs = together([cfg.replace(seed=s) for s in range(3)], 5)
    loaded = modelfile.load_trainer(modelfile.model_bytes(runs[1]))
    for _ in range(4):
        runs[0].cohort.train({t: "both" for t in runs})
        loaded.step()
    assert_same(loaded, runs[1])
    # a file from before these settings: its config lacks them; it loads with them off
    old = alone(RunConfig(**SMALL), 3)
    saved = modelfile.read_model(modelfile.model_bytes(old))
    for name in ("pack", "mbstd", "spectral_norm"):
        saved.payload["config"].pop(name)
    back = modelfile.load_trainer(modelfile.SavedModel(saved.config, 3, saved.payload))
    assert (back.cfg.pack, back.cfg.mbstd, back.cfg.spectral_norm) == (1, "off", "off")
    flat = dict(saved.payload["config"])
    assert RunConfig.from_flat(flat) == RunConfig(**SMALL)


# --- settings -----------------------------------------------------------------------------


def test_config_checks_them():
    with pytest.raises(ConfigError, match=r"pack: 5 is out of range \[1, 4\]"):
        RunConfig(pack=5)
    with pytest.raises(ConfigError, match="pack: 0 is out of range"):
        RunConfig.from_flat({"pack": "0"})
    with pytest.raises(ConfigError, match="mbstd: unknown 'yes'; one of off, on"):
        RunConfig.from_flat({"mbstd": "yes"})
    with pytest.raises(ConfigError, match="spectral_norm: unknown"):
        RunConfig(spectral_norm="true")


def test_the_url_and_the_cli_take_them():
    flat = {"pack": "2", "mbstd": "on", "spectral_norm": "on"}
    cfg = RunConfig.from_flat(flat)
    assert (cfg.pack, cfg.mbstd, cfg.spectral_norm) == (2, "on", "on")
    assert {k: cfg.to_flat()[k] for k in flat} == flat
    args = build_parser().parse_args(
        ["train", "--pack", "3", "--mbstd", "on", "--spectral-norm", "on"]
    )
    assert config_from_args(args) == RunConfig(pack=3, mbstd="on", spectral_norm="on")
    with pytest.raises(ConfigError, match="pack: 5 is out of range"):
        config_from_args(build_parser().parse_args(["train", "--pack", "5"]))


def test_the_sweep_offers_them_as_axes():
    from gan_core.sweep import AXIS_NAMES, SweepError, parse_axis

    assert {"pack", "mbstd", "spectral_norm"} <= set(AXIS_NAMES)
    base = RunConfig(**SMALL)
    assert parse_axis("x", "pack=1,2,4", base).values == (1, 2, 4)
    assert parse_axis("y", "spectral_norm=off,on", base).values == ("off", "on")
    with pytest.raises(SweepError, match="pack: 5 is out of range"):
        parse_axis("x", "pack=1,5", base)


def test_train_seeds_gives_each_seed_what_train_seed_gives_it(capsys):
    from gan_core.cli import main

    flags = ["train", "--target", "ring", "--gan", "infogan", "--steps", "30", "--quiet"]
    flags += ["--json", "--pack", "2", "--mbstd", "on", "--spectral_norm", "on"]
    assert main(flags + ["--seeds", "4,7"]) == 0
    together = json.loads(capsys.readouterr().out)
    speed = {"steps_per_s", "seconds", "seed"}
    for row in together:
        assert main(flags + ["--seed", str(row["seed"])]) == 0
        alone = json.loads(capsys.readouterr().out)
        assert {k: v for k, v in row.items() if k not in speed} == {
            k: v for k, v in alone.items() if k not in speed
        }
