"""The unrolled GAN (``unroll``) and the self-conditioned GAN (``selfcond``).

Their shapes, what each changes, training without NaN, the same numbers alone and in a
cohort, their checks, their flat (URL, CLI) form and the notebook's.
"""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.cluster import KMeans

from gan_core import notebook
from gan_core.cli import build_parser, config_from_args, main
from gan_core.engine import modelfile, selfcond, unroll
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


def test_the_notebook_writes_unroll(tmp_path):
    out = tmp_path / "x.ipynb"
    assert main(["notebook", "--unroll", "2", "--out", str(out)]) == 0
    assert "UNROLL = 2" in out.read_text()  # (its code: test_notebook.py)


# --- selfcond ---------------------------------------------------------------------------


@pytest.fixture
def often(monkeypatch):
    """Clusterings every 10 steps (instead of every RECLUSTER)."""
    monkeypatch.setattr(selfcond, "RECLUSTER", 10)


def test_selfcond_is_a_cgan_on_k_clusters_all_0_at_first():
    t = Trainer(RunConfig(gan="selfcond", codes=5, **SMALL))
    assert t.model.n_cond == 5
    assert t.model.G[0].in_features == t.cfg.z_dim + 5
    assert t.model.D.trunk.in_features == 2 + 5
    assert not t.cond_y.any() and t.data_y.any(), "the classes are kept, not used"
    assert t.streams["d"].fields["cond"][..., 0].all()
    assert not t.sample(40)[1].any()
    assert shape_key(t.cfg) != shape_key(t.cfg.replace(gan="cgan"))
    assert Trainer(RunConfig(gan="selfcond", **SMALL)).model.n_cond == 8  # the ring's modes


def test_selfcond_labels_after_a_clustering_are_kmeans_on_ds_features(often):
    t = Trainer(RunConfig(gan="selfcond", codes=4, seed=3, **SMALL))
    t.run(9)
    d = t.model.D
    with torch.no_grad():
        x = torch.cat([t.data_x, F.one_hot(t.cond_y, 4).float()], 1)
        feats = d.act(d.trunk(x)).numpy().astype(np.float64)
    t.step()  # the 10th step clusters
    want = KMeans(n_clusters=4, n_init=3, random_state=3).fit_predict(feats)
    assert np.array_equal(t.cond_y.numpy(), want)
    assert len(np.unique(want)) == 4
    # the draws from here on carry the new labels
    d_draws = t.streams["d"].fields
    onehot = d_draws["real_in"][..., 2:]
    assert t.streams["d"].pos == 0 and torch.equal(onehot, d_draws["cond"])
    pts, codes = t.sample(200)
    assert set(codes) <= set(range(4)) and len(set(codes)) > 1


@pytest.mark.parametrize("target", ["ring", "moons"])
def test_selfcond_trains_50_steps_without_nan(target, often):
    t = Trainer(RunConfig(target=target, gan="selfcond", n_points=600))
    t.run(50)
    pts, _ = t.sample(100)
    assert np.isfinite(pts).all() and t.cond_y.any()


@pytest.mark.parametrize("extra", [{}, {"codes": 3, "mbstd": "on", "pack": 2, "unroll": 1}])
def test_selfcond_alone_equals_in_company_and_a_saved_run_goes_on(extra, often):
    base = RunConfig(gan="selfcond", **SMALL, **extra)
    runs = together([base.replace(seed=s) for s in (0, 1)], 12)
    for s in (0, 1):
        one = alone(base.replace(seed=s), 12)
        assert_same(one, runs[s])
        assert torch.equal(one.cond_y, runs[s].cond_y)
    loaded = modelfile.load_trainer(modelfile.model_bytes(runs[1]))
    assert torch.equal(loaded.cond_y, runs[1].cond_y)
    for _ in range(9):  # past the next clustering
        runs[0].cohort.train({t: "both" for t in runs})
        loaded.step()
    assert_same(loaded, runs[1])


def test_selfcond_config_url_cli_and_notebook():
    cfg = RunConfig.from_flat({"gan": "selfcond", "codes": "6"})
    assert (cfg.gan, cfg.n_codes) == ("selfcond", 6) and cfg.to_flat()["gan"] == "selfcond"
    args = build_parser().parse_args(["train", "--gan", "selfcond", "--codes", "6"])
    assert config_from_args(args) == cfg
    with pytest.raises(ConfigError, match="gan: unknown 'self'"):
        RunConfig.from_flat({"gan": "self"})
    assert "N_CLUSTERS = 6" in notebook.dumps(cfg)  # (its code: test_notebook.py)


def test_selfcond_views_weigh_ds_heatmap_by_the_clusters(often):
    from gan_core.engine import probes

    t = Trainer(RunConfig(gan="selfcond", codes=4, **SMALL))
    t.run(10)
    pts = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    shares = np.bincount(t.cond_y.numpy(), minlength=4) / len(t.cond_y)
    mixed = sum(shares[c] * probes.d_view(t, pts, code=c) for c in range(4))
    assert np.allclose(probes.d_view(t, pts), mixed, atol=1e-5)


def test_train_seeds_gives_each_seed_what_train_seed_gives_it(capsys, often):
    flags = ["train", "--target", "ring", "--gan", "selfcond", "--codes", "4", "--steps", "25"]
    flags += ["--quiet", "--json", "--unroll", "2", "--n-points", "600"]
    assert main(flags + ["--seeds", "4,7"]) == 0
    rows = json.loads(capsys.readouterr().out)
    speed = {"steps_per_s", "seconds", "seed"}
    for row in rows:
        assert main(flags + ["--seed", str(row["seed"])]) == 0
        one = json.loads(capsys.readouterr().out)
        assert {k: v for k, v in row.items() if k not in speed} == {
            k: v for k, v in one.items() if k not in speed
        }


def test_the_sweep_offers_unroll_and_selfcond():
    from gan_core.sweep import parse_axis

    base = RunConfig(**SMALL)
    assert parse_axis("x", "unroll=0,1,5", base).values == (0, 1, 5)
    assert "selfcond" in parse_axis("y", "gan=cgan,selfcond", base).values
