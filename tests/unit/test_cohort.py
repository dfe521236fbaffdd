"""Cohorts: a run's numbers are bitwise the same alone and stacked with other runs."""

import numpy as np
import pytest
import torch

from gan_core.engine import modelfile
from gan_core.engine.cohort import MAX_STACK, Cohort
from gan_core.engine.config import RunConfig
from gan_core.engine.evaluation import Evaluator
from gan_core.engine.trainer import Diverged, Trainer

SMALL = {"n_points": 600}


def state(t: Trainer) -> list[torch.Tensor]:
    """Everything a run's future depends on: weights, optimiser moments, G's average."""
    out = [p.detach().clone() for p in t.g_params + t.d_params]
    for opt in (t.opt_g, t.opt_d):
        for s in opt.state.values():
            out += [v.clone() for v in s.values() if isinstance(v, torch.Tensor)]
    if t.g_ema is not None:
        out += [p.detach().clone() for p in t.g_ema.parameters()]
    return out


def assert_same(a: Trainer, b: Trainer) -> None:
    assert a.step_count == b.step_count
    assert a.losses() == b.losses()
    sa, sb = state(a), state(b)
    assert len(sa) == len(sb)
    for x, y in zip(sa, sb, strict=True):
        assert torch.equal(x, y)
    gen = lambda: torch.Generator().manual_seed(11)  # noqa: E731
    assert np.array_equal(a.sample(64, gen())[0], b.sample(64, gen())[0])


def alone(cfg: RunConfig, steps: int) -> Trainer:
    t = Trainer(cfg)
    for _ in range(steps):
        t.step()
    return t


def together(cfgs: list[RunConfig], steps: int) -> list[Trainer]:
    c = Cohort()
    runs = [Trainer(cfg) for cfg in cfgs]
    for t in runs:
        c.add(t)
    plan = {t: "both" for t in runs}
    for _ in range(steps):
        assert c.train(plan) == []
    return runs


@pytest.mark.parametrize("gan", ["gan", "cgan", "infogan"])
@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "lsgan", "hinge", "wgan-gp"])
def test_every_gan_type_and_loss_alone_equals_in_company(gan, loss):
    base = RunConfig(target="ring", gan=gan, loss=loss, **SMALL)
    runs = together([base.replace(seed=s) for s in range(4)], 12)
    for s in (0, 3):
        assert_same(alone(base.replace(seed=s), 12), runs[s])


SHAPES = [
    dict(batch=13, g_width=37, d_width=19, g_depth=2, d_depth=3),
    dict(activation="tanh", z_dim=1, z_dist="uniform"),
    dict(activation="relu", gan="infogan", codes=3, cont_codes=2, info_weight=0.5),
    dict(target="grid", gan="cgan", batch=64, d_steps=2, ema=0.9),
    dict(target="moons", gan="infogan", loss="wgan-gp", d_steps=2, gp_weight=3.0),
    dict(target="spiral", optimizer="sgd", lr_g=0.01, lr_d=0.01, ema=0.5),
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_shapes_and_settings_alone_equal_in_company(shape):
    base = RunConfig(**{"target": "ring", **SMALL, **shape})
    runs = together([base.replace(seed=s) for s in (5, 6, 7)], 15)
    assert_same(alone(base.replace(seed=6), 15), runs[1])


def test_runs_of_other_settings_but_one_shape_share_a_cohort():
    """Learning rates, λ, the target, the EMA and the seed are per run."""
    cfgs = [
        RunConfig(target="ring", gan="infogan", seed=1, **SMALL),
        RunConfig(target="moons", gan="infogan", codes=8, seed=2, lr_g=3e-4, info_weight=2.0),
        RunConfig(target="grid", gan="infogan", codes=8, seed=3, lr_d=2e-3, ema=0.99, n_points=900),
    ]
    runs = together(cfgs, 20)
    for cfg, t in zip(cfgs, runs, strict=True):
        assert_same(alone(cfg, 20), t)


def test_a_run_joins_a_training_cohort_and_leaves_it():
    cfg = RunConfig(target="ring", gan="cgan", ema=0.99, **SMALL)
    c = Cohort()
    first = [Trainer(cfg.replace(seed=s)) for s in (0, 1)]
    for t in first:
        c.add(t)
    for _ in range(10):
        c.train({t: "both" for t in first})
    late = Trainer(cfg.replace(seed=2))
    c.add(late)  # joins between steps; the others go on
    every = first + [late]
    for _ in range(10):
        c.train({t: "both" for t in every})
    c.remove(first[0])  # leaves; goes on alone, the others in the cohort
    for _ in range(5):
        first[0].step()
        c.train({t: "both" for t in every[1:]})
    assert_same(alone(cfg.replace(seed=0), 25), first[0])
    assert_same(alone(cfg.replace(seed=1), 25), first[1])
    assert_same(alone(cfg.replace(seed=2), 15), late)


def test_step_modes_d_steps_and_waiting_runs_in_company():
    """Each run's own step plan: D only, G only, both with its own D steps, or none."""
    cfg = RunConfig(target="ring", **SMALL)
    plans = {
        0: ["both"] * 6 + ["d", "d", "g", None, "both"],
        1: ["both", None, None, "g", "d", "both", "both", "both", None, "both", "d"],
        2: ["both"] * 11,
    }
    c = Cohort()
    runs = {s: Trainer(cfg.replace(seed=s)) for s in plans}
    runs[2].set_d_steps(3)
    for t in runs.values():
        c.add(t)
    solo = {s: Trainer(cfg.replace(seed=s)) for s in plans}
    solo[2].set_d_steps(3)
    for i in range(11):
        c.train({runs[s]: modes[i] for s, modes in plans.items() if modes[i]})
        for s, modes in plans.items():
            if modes[i]:
                solo[s].step(modes[i])
    for s in plans:
        assert_same(solo[s], runs[s])


def test_live_learning_rate_change_in_company():
    cfg = RunConfig(target="ring", **SMALL)
    runs = together([cfg.replace(seed=s) for s in range(3)], 5)
    ref = alone(cfg.replace(seed=1), 5)
    for t in (runs[1], ref):
        t.set_lr(lr_g=3e-4, lr_d=2e-3)
    for _ in range(5):
        runs[0].cohort.train({t: "both" for t in runs})
        ref.step()
    assert_same(ref, runs[1])
    assert runs[0].opt_g.param_groups[0]["lr"] == 1e-3, "the others keep theirs"


def test_metrics_at_a_step_are_identical_alone_and_in_company():
    base = RunConfig(target="ring", gan="infogan", **SMALL)
    runs = together([base.replace(seed=s) for s in range(5)], 30)
    solo = alone(base.replace(seed=4), 30)
    assert Evaluator(runs[4])() == Evaluator(solo)()


def test_a_run_that_diverges_leaves_the_others_going():
    cfg = RunConfig(target="ring", **SMALL)
    c = Cohort()
    runs = [Trainer(cfg.replace(seed=s), check_every=5) for s in range(3)]
    for t in runs:
        c.add(t)
    plan = {t: "both" for t in runs}
    for _ in range(3):
        assert c.train(plan) == []
    with torch.no_grad():
        runs[1].g_params[0][0, 0] = float("nan")
    reported = []
    for _ in range(2):
        reported += c.train(plan)
    assert [t for t, _ in reported] == [runs[1]]
    assert isinstance(reported[0][1], Diverged) and "not finite" in str(reported[0][1])
    c.remove(runs[1])
    for _ in range(5):
        assert c.train({runs[0]: "both", runs[2]: "both"}) == []
    for s in (0, 2):
        solo = Trainer(cfg.replace(seed=s), check_every=5)
        solo.run(10)
        assert_same(solo, runs[s])


def test_a_saved_run_is_its_own_and_goes_on_exactly():
    cfg = RunConfig(target="ring", gan="infogan", ema=0.9, **SMALL)
    runs = together([cfg.replace(seed=s) for s in range(MAX_STACK)], 7)
    data = modelfile.model_bytes(runs[2])
    assert len(data) < 1.5 * len(modelfile.model_bytes(alone(cfg.replace(seed=2), 7))), (
        "the file holds one run's numbers, not the stack's"
    )
    loaded = modelfile.load_trainer(data)
    for _ in range(9):
        runs[0].cohort.train({t: "both" for t in runs})
        loaded.step()
    assert_same(loaded, runs[2])


def test_capacity_and_shapes():
    c = Cohort()
    for s in range(MAX_STACK):
        assert c.fits(RunConfig(seed=s))
        c.add(Trainer(RunConfig(seed=s, n_points=200)))
    assert not c.fits(RunConfig())
    with pytest.raises(ValueError, match="at most"):
        c.add(Trainer(RunConfig(n_points=200)))
    other = Cohort()
    other.add(Trainer(RunConfig(n_points=200)))
    assert not other.fits(RunConfig(g_width=64))
    with pytest.raises(ValueError, match="same network shapes"):
        other.add(Trainer(RunConfig(g_width=64, n_points=200)))
