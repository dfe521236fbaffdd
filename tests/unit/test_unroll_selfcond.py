"""The unrolled GAN (``unroll``) and the self-conditioned GAN (``selfcond``).

Their shapes, what each changes, training without NaN, the same numbers alone and in a
cohort, their checks, their flat (URL, CLI) form and the notebook's refusal.
"""

import pytest
import torch

from gan_core import notebook
from gan_core.cli import build_parser, config_from_args, main
from gan_core.engine import unroll
from gan_core.engine.cohort import Cohort, shape_key
from gan_core.engine.config import ConfigError, RunConfig
from gan_core.engine.trainer import Trainer
from tests.unit.test_cohort import alone, assert_same, together

SMALL = {"target": "ring", "n_points": 600}


def built(cfg: RunConfig) -> Trainer:
    t = Trainer(cfg)
    Cohort().add(t)
    t.cohort.train({})  # builds the stack; an empty plan: nothing steps
    return t


# --- unroll -----------------------------------------------------------------------------


def test_unroll_is_part_of_the_shape_key_and_g_draws_a_real_batch_with_it():
    base = RunConfig(**SMALL)
    assert shape_key(base) != shape_key(base.replace(unroll=2))
    c = Cohort()
    c.add(Trainer(base))
    assert not c.fits(base.replace(unroll=1))
    on = Trainer(base.replace(unroll=2))
    assert on.streams["g"].fields["real_in"].shape == (on.streams["g"].block, 50, 2)
    assert "real_in" not in Trainer(base).streams["g"].fields


def g_grads(cfg: RunConfig, b: dict) -> list[torch.Tensor]:
    t = built(cfg)
    c = t.cohort
    fake = c.nets.g(b["g_in"])
    against = unroll.unrolled(c, b, fake, c._lr_d) if c.unroll else c.nets
    loss, _ = t.model.g_loss(against, b, fake)
    return torch.autograd.grad(loss.sum(), c.g_side.leaves)


def test_unroll_changes_gs_gradient_on_the_same_batch_and_leaves_d_alone():
    cfg = RunConfig(**SMALL, unroll=3, lr_d=1e-2)
    t = built(cfg)
    b = {k: v[None, 0] for k, v in t.streams["g"].fields.items()}
    d_before = t.cohort.d_side.p.clone()
    off = g_grads(cfg.replace(unroll=0), b)
    on = g_grads(cfg, b)
    assert all(torch.isfinite(g).all() for g in on)
    assert any(not torch.equal(x, y) for x, y in zip(off, on, strict=True))
    assert torch.equal(t.cohort.d_side.p, d_before)


def test_one_unrolled_step_is_a_plain_gradient_step_on_ds_loss():
    cfg = RunConfig(**SMALL, unroll=1, lr_d=1e-2)
    t = built(cfg)
    c = t.cohort
    b = {k: v[None, 0] for k, v in t.streams["g"].fields.items()}
    fake = c.nets.g(b["g_in"]).detach()
    rows = c.d_side.p.detach().clone().requires_grad_(True)
    loss, _ = t.model.d_loss(unroll._nets(c, rows), b, fake, c.gp_weight)
    (grad,) = torch.autograd.grad(loss.sum(), rows)
    want = unroll._nets(c, (rows - 1e-2 * grad).detach())
    got = unroll.unrolled(c, b, fake, c._lr_d)
    x = torch.randn(1, 30, 2)
    assert torch.equal(got.d(x), want.d(x))


@pytest.mark.parametrize("target", ["ring", "moons"])
@pytest.mark.parametrize("extra", [{}, {"gan": "infogan", "loss": "wgan-gp", "pack": 2}])
def test_unroll_trains_50_steps_without_nan(target, extra):
    t = Trainer(RunConfig(target=target, n_points=600, unroll=3, **extra))
    t.run(50)  # raises Diverged on a NaN
    pts, _ = t.sample(100)
    assert torch.isfinite(torch.as_tensor(pts)).all()


@pytest.mark.parametrize(
    "extra",
    [
        {"gan": "cgan"},
        {"gan": "infogan", "mbstd": "on", "spectral_norm": "on", "pack": 2},
        {"loss": "wgan-gp", "lr_d": 5e-3},
    ],
)
def test_unroll_alone_equals_in_company(extra):
    base = RunConfig(**SMALL, unroll=2, **extra)
    runs = together([base.replace(seed=s) for s in (0, 1)], 6)
    for s in (0, 1):
        assert_same(alone(base.replace(seed=s), 6), runs[s])


def test_unroll_config_url_and_cli():
    with pytest.raises(ConfigError, match=r"unroll: 11 is out of range \[0, 10\]"):
        RunConfig(unroll=11)
    with pytest.raises(ConfigError, match="unroll: '1.5' is not an integer"):
        RunConfig.from_flat({"unroll": "1.5"})
    cfg = RunConfig.from_flat({"unroll": "5"})
    assert cfg.unroll == 5 and cfg.to_flat()["unroll"] == "5"
    args = build_parser().parse_args(["train", "--unroll", "4"])
    assert config_from_args(args) == RunConfig(unroll=4)


def test_the_notebook_refuses_unroll(tmp_path, capsys):
    with pytest.raises(ValueError, match="does not write unroll"):
        notebook.dumps(RunConfig(unroll=2))
    assert notebook.unsupported(RunConfig()) is None
    out = tmp_path / "x.ipynb"
    assert main(["notebook", "--unroll", "2", "--out", str(out)]) == 2
    assert "does not write unroll" in capsys.readouterr().err and not out.exists()
