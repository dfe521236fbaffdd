"""Engine mechanisms the presets use: ``ema``, G's weights averaged for sampling."""

import pytest
import torch

from gan_core.engine.config import ConfigError, RunConfig
from gan_core.engine.trainer import Trainer


def test_off_by_default():
    t = Trainer(RunConfig(target="ring"))
    assert t.g_ema is None and t.g_eval is t.model.G
    t.run(5)
    assert t.sample(10)[0].shape == (10, 2)


@pytest.mark.parametrize("gan", ["gan", "infogan"])
def test_ema_is_the_moving_average_of_g(gan):
    cfg = RunConfig(target="ring", gan=gan, ema=0.9)
    t = Trainer(cfg)
    avg = [p.detach().clone() for p in t.g_params]
    for step in range(1, 41):
        t.step()
        decay = min(0.9, (1 + step) / (10 + step))
        avg = [a + (1 - decay) * (p.detach() - a) for a, p in zip(avg, t.g_params, strict=True)]
    for a, e in zip(avg, t.g_ema.parameters(), strict=True):
        assert torch.allclose(a, e, atol=1e-6)
    assert not any(torch.equal(a, p) for a, p in zip(avg, t.g_params, strict=True))


def test_ema_does_not_change_training_only_what_is_sampled():
    plain, ema = Trainer(RunConfig(target="ring")), Trainer(RunConfig(target="ring", ema=0.99))
    plain.run(30)
    ema.run(30)
    assert plain.losses() == ema.losses()
    assert all(torch.equal(a, b) for a, b in zip(plain.g_params, ema.g_params, strict=True))
    a = plain.sample(50, torch.Generator().manual_seed(1))[0]
    b = ema.sample(50, torch.Generator().manual_seed(1))[0]
    assert not (a == b).all(), "samples come from the averaged G"
    assert all(not p.requires_grad for p in ema.g_ema.parameters())


@pytest.mark.parametrize("bad", [1.0, -0.1, float("nan"), "0.9"])
def test_bad_values_are_config_errors(bad):
    with pytest.raises(ConfigError, match="ema"):
        RunConfig(ema=bad)


def test_flat_round_trip():
    cfg = RunConfig(target="ring", ema=0.999)
    assert RunConfig.from_flat(cfg.to_flat()) == cfg
    assert cfg.to_flat()["ema"] == "0.999" and RunConfig().to_flat()["ema"] == "0"
