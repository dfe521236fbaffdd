import itertools

import numpy as np
import pytest
import torch

from gan_core.engine import targets as T
from gan_core.engine.cohort import Cohort
from gan_core.engine.config import GAN_TYPES, LOSSES, RunConfig
from gan_core.engine.evaluation import Evaluator
from gan_core.engine.trainer import Diverged, Trainer

CUSTOM = (
    np.random.default_rng(0).normal(size=(200, 2)),
    np.repeat(np.arange(4), 50),
)


def config(target, **kw):
    return RunConfig(target=target, custom=CUSTOM if target == "custom" else None, **kw)


@pytest.mark.parametrize(
    "target,gan,loss", list(itertools.product(list(T.TARGETS), GAN_TYPES, LOSSES))
)
def test_every_combination_trains_50_finite_steps(target, gan, loss):
    trainer = Trainer(config(target, gan=gan, loss=loss, n_points=500), check_every=10)
    trainer.run(50)  # raises Diverged on any non-finite loss or weight
    assert trainer.step_count == 50
    assert all(np.isfinite(v) for v in trainer.losses().values())
    pts, codes = trainer.sample(100)
    assert np.isfinite(pts).all() and pts.shape == (100, T.TARGETS[target].dim)
    if T.TARGETS[target].g_out == "tanh":
        assert np.abs(pts).max() <= 1, "G's images stay in the data's range"
    if gan != "gan":
        assert codes.max() < trainer.cfg.n_codes


def test_same_seed_same_numbers():
    runs = []
    for _ in range(2):
        t = Trainer(RunConfig(target="ring", gan="infogan", seed=5))
        t.run(30)
        runs.append((t.losses(), t.sample(50, torch.Generator().manual_seed(1))[0]))
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1])
    other = Trainer(RunConfig(target="ring", gan="infogan", seed=6))
    other.run(30)
    assert other.losses() != runs[0][0]


def test_d_step_does_not_backprop_into_g():
    t = Trainer(RunConfig(target="ring"))
    t.step("d")
    side_g, side_d = t.cohort.g_side, t.cohort.d_side
    assert not side_g.g.any(), "the fake batch is detached in D's step"
    assert side_d.g.any()
    d_grads = side_d.g.clone()
    t.step("g")
    assert torch.equal(side_d.g, d_grads), "G's step computes no D gradients"
    assert side_g.g.any()


def test_step_modes_and_d_steps():
    t = Trainer(RunConfig(target="ring", loss="wgan-gp"))
    assert t.d_steps == 5, "wgan-gp trains the critic several times per G step by default"
    g_before = [p.clone() for p in t.g_params]
    t.step("d")
    assert all(torch.equal(a, b) for a, b in zip(g_before, t.g_params, strict=True))
    t.set_d_steps(2)
    assert t.d_steps == 2


def test_set_lr_keeps_optimiser_state():
    t = Trainer(RunConfig(target="ring"))
    t.run(5)
    state = t.opt_g.state[t.g_params[0]]["exp_avg"].clone()
    t.set_lr(lr_g=1e-4, lr_d=2e-4)
    assert t.opt_g.param_groups[0]["lr"] == 1e-4 and t.opt_d.param_groups[0]["lr"] == 2e-4
    assert torch.equal(t.opt_g.state[t.g_params[0]]["exp_avg"], state)


def test_divergence_stops_with_a_reason():
    t = Trainer(RunConfig(target="ring"))
    t.run(3)
    with torch.no_grad():
        t.g_params[0][0, 0] = float("nan")
    with pytest.raises(Diverged, match="diverged at step .*Lower the learning rates"):
        t.run(5)


def test_exploding_learning_rate_is_caught():
    cfg = RunConfig(target="ring", optimizer="sgd", lr_g=1.0, lr_d=1.0, beta1=0.99, loss="lsgan")
    t = Trainer(cfg, check_every=10)
    with pytest.raises(Diverged):
        t.run(2000)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_cgan_covers_the_ring_at_the_lecture_defaults(seed):
    t = Trainer(RunConfig(target="ring", gan="cgan", seed=seed))
    t.run(5000)
    m = Evaluator(t)()
    assert m["modes"] == 8 and m["hq"] >= 0.8, m


def test_gan_reproduces_the_double_moon():
    # the lecture's settings; the moons take shape over ~10k steps (bench/engine_table.py)
    t = Trainer(RunConfig(target="moons", gan="gan", seed=0))
    t.run(15000)
    m = Evaluator(t)()
    assert m["js"] < 0.1, m
    pts, _ = t.sample(2000)
    # both moons are there: points on the upper and on the lower moon
    assert (pts[:, 1] > 0.3).mean() > 0.2 and (pts[:, 1] < -0.3).mean() > 0.2


def test_fused_adam_path_is_adam():
    """The cohort calls Adam's fused kernel itself, on each side's flat rows: the same
    update as each run's own opt.step() (up to the last bits: the kernel's vector lanes
    fall elsewhere in a flat row than in a separate tensor)."""
    fast = Trainer(RunConfig(target="ring", gan="infogan", seed=3))
    slow = Trainer(RunConfig(target="ring", gan="infogan", seed=3))
    Cohort(fused=False).add(slow)  # every update through opt.step()
    fast.run(5)
    slow.run(5)
    for a, b in zip(fast.g_params + fast.d_params, slow.g_params + slow.d_params, strict=True):
        assert torch.allclose(a, b, rtol=0, atol=1e-5)
    assert fast.opt_g.state[fast.g_params[0]]["step"] == 5
    assert slow.opt_g.state[slow.g_params[0]]["step"] == 5


def test_wgan_gp_is_reproducible_within_one_process():
    """The gradient penalty's random mix comes from the run's generator, not the global one."""
    results = []
    for _ in range(2):
        t = Trainer(RunConfig(target="ring", loss="wgan-gp", seed=4))
        torch.rand(7)  # disturb the global generator between runs
        t.run(10)
        results.append(t.losses())
    assert results[0] == results[1]
