"""``arch`` dcgan: DCGAN's networks on the digits, each rule breakable, one run at a time."""

import json

import numpy as np
import pytest
import torch
from torch import nn

from gan_core.cli import main
from gan_core.engine.config import ConfigError, RunConfig
from gan_core.engine.modelfile import load_trainer, model_bytes
from gan_core.engine.solo import SoloCohort
from gan_core.engine.together import train_together
from gan_core.engine.trainer import Trainer

DC = RunConfig(target="digits", arch="dcgan", batch=32)


def kinds(module: nn.Module) -> list[type]:
    return [type(m) for m in module.modules()]


def test_dcgan_keeps_the_five_rules_by_default():
    m = Trainer(DC.replace(gan="infogan")).model
    g, d = kinds(m.G), kinds(m.D)
    assert nn.ConvTranspose2d in g and nn.Upsample not in g, "G goes up with strides"
    assert nn.Conv2d in d and nn.MaxPool2d not in d, "D goes down with strides"
    assert nn.BatchNorm2d in g and nn.BatchNorm2d in d
    assert nn.ReLU in g and nn.Tanh in g
    assert nn.LeakyReLU in d and nn.ReLU not in d
    linears = [x for x in m.D.trunk if isinstance(x, nn.Linear)]
    assert linears == [], "no fully connected hidden layer in D"
    assert sum(isinstance(x, nn.Linear) for x in m.G.modules()) == 1, "G: one projection"
    # D's input layer has no batchnorm (DCGAN's rule): its first norm follows the 2nd conv
    first_bn = next(i for i, x in enumerate(m.D.trunk) if isinstance(x, nn.BatchNorm2d))
    assert sum(isinstance(x, nn.Conv2d) for x in list(m.D.trunk)[:first_bn]) == 2


@pytest.mark.parametrize(
    ("rule", "value", "check"),
    [
        ("strided", "off", lambda g, d: nn.MaxPool2d in d and nn.Upsample in g),
        ("batchnorm", "off", lambda g, d: nn.BatchNorm2d not in g + d),
        ("leaky_d", "off", lambda g, d: nn.LeakyReLU not in d and nn.ReLU in d),
        ("tanh_out", "off", lambda g, d: nn.Tanh not in g),
        ("fc_hidden", "on", lambda g, d: g.count(nn.Linear) == 2 and d.count(nn.Linear) == 2),
    ],
)
def test_each_rule_breaks_on_its_own(rule, value, check):
    m = Trainer(DC.replace(**{rule: value})).model
    assert check(kinds(m.G), kinds(m.D))
    x, _ = Trainer(DC.replace(**{rule: value})).sample(16)
    assert x.shape == (16, 64) and np.isfinite(x).all()


def test_shapes_for_every_gan_type_and_the_channels():
    for gan in ("gan", "cgan", "infogan", "selfcond"):
        cfg = DC.replace(gan=gan, g_channels=16, d_channels=8, pack=2, mbstd="on")
        t = Trainer(cfg)
        assert t.model.G.net[0].out_features == 16 * 2 * 2
        assert t.model.D.trunk[0].out_channels == 8
        assert t.model.D.trunk[0].in_channels == 2 * (1 + t.model.n_cond)
        t.run(3)
        x, _ = t.sample(10)
        assert x.shape == (10, 64) and np.abs(x).max() <= 1.0
        assert isinstance(t.cohort, SoloCohort)


def test_dcgan_is_refused_on_the_plane_with_a_message():
    with pytest.raises(ConfigError, match="digits") as err:
        RunConfig(target="ring", arch="dcgan")
    assert err.value.field == "arch"


def test_samples_use_running_statistics_and_change_nothing():
    t = Trainer(DC)
    t.run(20)
    state = {k: v.clone() for k, v in t.model.G.state_dict().items()}
    a, _ = t.sample(8, torch.Generator().manual_seed(3))
    b, _ = t.sample(8, torch.Generator().manual_seed(3))
    c, _ = t.sample(1, torch.Generator().manual_seed(3))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[:1], c, atol=1e-6)  # (not on the batch it is drawn in)
    assert not t.model.G.training and not t.model.D.training
    for k, v in t.model.G.state_dict().items():
        assert torch.equal(v, state[k]), k


@pytest.mark.parametrize(
    "extra",
    [{}, {"gan": "infogan", "ema": 0.99}, {"gan": "cgan", "unroll": 2, "spectral_norm": "on"}],
)
def test_seeds_in_company_train_as_alone(extra):
    cfgs = [DC.replace(seed=s, **extra) for s in (0, 1, 2)]
    alone = []
    for c in cfgs:
        t = Trainer(c)
        t.run(12)
        alone.append(t)
    together = [Trainer(c) for c in cfgs]
    diverged, _ = train_together(together, 12)
    assert not diverged
    for a, b in zip(alone, together, strict=True):
        pairs = zip(a.model.G.state_dict().values(), b.model.G.state_dict().values(), strict=True)
        for p, q in pairs:
            assert torch.equal(p, q)
        assert a.losses() == b.losses()
        np.testing.assert_array_equal(a.sample(5)[0], b.sample(5)[0])


def test_a_saved_dcgan_loads_and_trains_on_as_it_would_have():
    t = Trainer(DC.replace(gan="cgan"))
    t.run(10)
    u = load_trainer(model_bytes(t))
    assert u.cfg == t.cfg and isinstance(u.model.G.net[-2], nn.Tanh)
    t.run(5)
    u.run(5)
    for p, q in zip(t.model.G.state_dict().values(), u.model.G.state_dict().values(), strict=True):
        assert torch.equal(p, q)


def test_cli_seeds_print_what_each_seed_prints_alone(capsys):
    flags = ["train", "--target", "digits", "--arch", "dcgan", "--batchnorm", "off"]
    flags += ["--steps", "15", "--quiet", "--json"]
    assert main(flags + ["--seeds", "4-5"]) == 0
    together = json.loads(capsys.readouterr().out)
    assert main(flags + ["--seed", "5"]) == 0
    alone = json.loads(capsys.readouterr().out)
    speed = {"steps_per_s", "seconds", "seed"}
    assert {k: v for k, v in together[1].items() if k not in speed} == {
        k: v for k, v in alone.items() if k not in speed
    }
    assert main(["train", "--target", "ring", "--arch", "dcgan", "--steps", "5"]) == 2
    assert "digits" in capsys.readouterr().err
