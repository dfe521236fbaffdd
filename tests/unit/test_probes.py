"""Probe layers (D's heatmap, gradient arrows, G's manifold, optimal D) and their traces."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_core.engine import probes
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.evaluation import Evaluator
from gan_core.engine.snapshot import VIEW_POINTS, run_info, take
from gan_core.engine.trainer import Trainer
from gan_core.figures import overlays, plots


def trained(steps=200, **kw) -> Trainer:
    t = Trainer(RunConfig(**kw))
    t.run(steps)
    return t


def plane(layers):
    xx, yy = np.meshgrid(layers["grid"], layers["grid"])  # [j, i]: row = y
    return np.stack([xx.ravel(), yy.ravel()], 1)


@pytest.fixture(scope="module")
def ring():
    return trained(target="ring")


def test_no_layers_cost_nothing_and_unknown_names_are_refused(ring):
    assert take(ring, None, 0.0, 0.0).layers == {}
    with pytest.raises(ValueError, match="unknown layer 'shadows'"):
        probes.check_layers(["heatmap", "shadows"])
    assert probes.check_layers(["optimal_d", "heatmap"]) == ("heatmap", "optimal_d")


def test_every_layer_has_its_shape(ring):
    snap = take(ring, None, 0.0, 0.0, layers=probes.LAYERS)
    lay = snap.layers
    n = probes.GRID
    extent = probes.extent(ring.cfg)
    assert lay["grid"].shape == (n,) and lay["grid"][0] > -extent and lay["grid"][-1] < extent
    assert np.allclose(lay["grid"], -lay["grid"][::-1], atol=1e-6), "symmetric cell centres"
    assert lay["heatmap"].shape == (n, n) and lay["optimal_d"].shape == (n, n)
    assert lay["arrows"].shape == (probes.ARROWS, 4)
    assert lay["manifold"].shape == (probes.MANIFOLD, probes.MANIFOLD, 2)
    assert tuple(lay["heatmap_range"]) == (0.0, 1.0) and float(lay["heatmap_level"]) == 0.5
    assert all(np.isfinite(v).all() for v in lay.values())


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp", "hinge", "lsgan"])
def test_heatmap_is_ds_own_view_at_the_grid_points(loss):
    t = trained(100, target="ring", loss=loss)
    lay = take(t, None, 0.0, 0.0, layers=["heatmap"]).layers
    with torch.no_grad():
        out = t.model.D(torch.as_tensor(plane(lay), dtype=torch.float32))
        expected = t.model.loss.to_view(out).numpy().reshape(lay["heatmap"].shape)
    assert np.allclose(lay["heatmap"], expected, atol=1e-5)
    assert lay["heatmap"][0, -1] == pytest.approx(expected[0, -1])  # [row=y, col=x]
    lo, hi = lay["heatmap_range"]
    level = float(lay["heatmap_level"])
    assert lo < hi and lo <= level <= hi
    if loss == "wgan-gp":
        assert level == pytest.approx(float(np.median(expected)), abs=1e-5)
    else:
        assert level == {"hinge": 0.0}.get(loss, 0.5)


def test_cgan_heatmap_picks_a_class_or_mixes_them_by_frequency():
    t = trained(100, target="ring", gan="cgan")
    mix = take(t, None, 0.0, 0.0, layers=["heatmap"]).layers
    x = torch.as_tensor(plane(mix), dtype=torch.float32)
    k = t.cfg.n_classes

    def d_for(c):
        cond = F.one_hot(torch.full((len(x),), c), k).float()
        with torch.no_grad():
            return torch.sigmoid(t.model.D(torch.cat([x, cond], 1))).numpy()

    per_class = np.stack([d_for(c) for c in range(k)])
    share = np.bincount(t.data_y.numpy(), minlength=k) / len(t.data_y)
    assert np.allclose(mix["heatmap"].ravel(), share @ per_class, atol=1e-5)
    one = take(t, None, 0.0, 0.0, layers=["heatmap"], view_code=3).layers
    assert np.allclose(one["heatmap"].ravel(), per_class[3], atol=1e-5)


def test_arrows_point_where_d_is_higher_for_the_nonsaturating_loss(ring):
    snap = take(ring, None, 0.0, 0.0, layers=["arrows"])
    arrows = snap.layers["arrows"].astype(np.float64)
    assert np.allclose(arrows[:, :2], snap.fake[: probes.ARROWS]), "arrows start at the points"
    lengths = np.linalg.norm(arrows[:, 2:], axis=1)
    extent = probes.extent(ring.cfg)
    assert lengths.max() == pytest.approx(probes.ARROW_LENGTH * extent, rel=1e-4)
    assert float(snap.layers["arrow_norm"]) > 0
    moving = lengths > 1e-3 * lengths.max()
    step = 1e-3 * arrows[:, 2:] / np.maximum(lengths, 1e-12)[:, None]
    with torch.no_grad():
        d = ring.model.D
        before = d(torch.as_tensor(arrows[:, :2], dtype=torch.float32)).numpy()
        after = d(torch.as_tensor(arrows[:, :2] + step, dtype=torch.float32)).numpy()
    assert moving.sum() > probes.ARROWS // 2
    assert (after[moving] > before[moving]).mean() >= 0.95


def test_manifold_with_two_latent_dims_is_g_on_the_grid():
    t = trained(50, target="moons", z_dim=2)
    mesh = take(t, None, 0.0, 0.0, layers=["manifold"]).layers["manifold"]
    axis = np.linspace(-probes.MANIFOLD_SPAN, probes.MANIFOLD_SPAN, probes.MANIFOLD)
    zz = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)  # [row: z2, col: z1]
    with torch.no_grad():
        expected = t.model.G(torch.as_tensor(zz, dtype=torch.float32)).numpy()
    assert np.allclose(mesh.reshape(-1, 2), expected, atol=1e-5)


def test_manifold_of_one_latent_dim_is_a_curve_and_uniform_z_spans_minus_one_to_one():
    t = trained(20, target="moons", z_dim=1, z_dist="uniform")
    mesh = take(t, None, 0.0, 0.0, layers=["manifold"]).layers["manifold"]
    assert mesh.shape == (1, probes.MANIFOLD, 2)
    with torch.no_grad():
        ends = t.model.G(torch.tensor([[-1.0], [1.0]])).numpy()
    assert np.allclose(mesh[0, [0, -1]], ends, atol=1e-5)


def test_optimal_d_is_half_where_g_matches_the_data_and_one_at_a_missed_mode():
    cfg = RunConfig(target="ring")
    modes = T.TARGETS["ring"].modes(**cfg.params)
    extent = probes.extent(cfg)
    data = probes.data_mass(modes, extent)
    assert data.sum() == pytest.approx(1.0, abs=1e-6)
    rng = np.random.default_rng(0)
    matched, labels = T.TARGETS["ring"].sample(20_000, rng, **cfg.params)
    d_star = probes.optimal_d(data, matched, extent)
    assert d_star.shape == (probes.GRID, probes.GRID)
    where = data > 1e-3
    assert np.abs(d_star[where] - 0.5).mean() < 0.05
    missed = probes.optimal_d(data, matched[labels != 0], extent)
    cx, cy = modes.centres[0]
    grid = probes.grid_centres(extent)
    i, j = np.abs(grid - cx).argmin(), np.abs(grid - cy).argmin()
    assert missed[j, i] > 0.97, "D* → 1 on a mode G never visits"
    assert np.isfinite(missed).all() and ((missed >= 0) & (missed <= 1)).all()
    far = probes.optimal_d(data, matched, extent)[0, 0]
    assert far == pytest.approx(0.5, abs=0.01), "where neither has mass, D* fades to 0.5"


def test_optimal_d_only_for_targets_with_known_modes():
    t = trained(10, target="moons")
    assert "optimal_d" not in take(t, None, 0.0, 0.0, layers=["optimal_d"]).layers


def test_view_code_and_continuous_code_traversal():
    t = trained(100, target="ring", gan="infogan", cont_codes=1)
    snap = take(t, None, 0.0, 0.0, view_code=2)
    assert snap.view_code == 2 and (snap.codes == 2).all() and len(snap.fake) == VIEW_POINTS
    low = take(t, None, 0.0, 0.0, view_code=2, view_cont=-1.0)
    high = take(t, None, 0.0, 0.0, view_code=2, view_cont=1.0)
    assert low.view_cont == -1.0 and not np.allclose(low.fake, high.fake)
    again = take(t, None, 0.0, 0.0, view_code=2, view_cont=1.0)
    assert np.array_equal(again.fake, high.fake), "a traversal is deterministic"
    bad = take(t, None, 0.0, 0.0, view_code=99)
    assert bad.view_code is None, "a code the run does not have shows all codes"
    cgan = trained(20, target="ring", gan="cgan")
    assert (take(cgan, None, 0.0, 0.0, view_code=5).codes == 5).all()
    plain = trained(20, target="ring")
    assert take(plain, None, 0.0, 0.0, view_code=1, view_cont=0.5).view_code is None


# --- traces ---------------------------------------------------------------------------


def test_points_figure_draws_each_layer_as_few_traces(ring):
    info = run_info(ring, Evaluator(ring))
    snap = take(ring, None, 0.0, 0.0, layers=probes.LAYERS)
    plain = plots.points_figure(info, snap)
    fig = plots.points_figure(info, snap, layers=snap.layers, show=overlays.SHOWABLE)
    names = [t.name for t in fig.data]
    assert names[:2] == ["D(x)", "D's boundary"], "the heatmap is beneath the points"
    assert names[-2:] == ["G's manifold", "G's gradient"], "lines over the points"
    assert len(fig.data) == len(plain.data) + 4
    assert fig.layout.images[0].layer == "above", "the points' image over the heatmap"
    contour = fig.data[1]
    assert contour.contours.start == contour.contours.end == 0.5
    arrows = fig.data[-1]
    assert len(arrows.x) == 7 * probes.ARROWS and np.isnan(arrows.x[2])
    mesh = fig.data[-2]
    assert len(mesh.x) == 2 * probes.MANIFOLD * (probes.MANIFOLD + 1)
    only = plots.points_figure(info, snap, layers=snap.layers, show=["arrows"])
    assert len(only.data) == len(plain.data) + 1 and only.layout.images[0].layer == "below"
    with pytest.raises(ValueError, match="cannot show 'optimal_d'"):
        plots.points_figure(info, snap, layers=snap.layers, show=["optimal_d"])


def test_optimal_d_figure(ring):
    info = run_info(ring, Evaluator(ring))
    snap = take(ring, None, 0.0, 0.0, layers=["optimal_d"])
    fig = overlays.optimal_d_figure(info, snap)
    assert fig.data[0].type == "heatmap" and (fig.data[0].zmin, fig.data[0].zmax) == (0, 1)
    assert "p_data" in fig.layout.title.text
    waiting = overlays.optimal_d_figure(info, take(ring, None, 0.0, 0.0))
    assert "waiting" in waiting.layout.annotations[0].text
    moons = trained(5, target="moons")
    none = overlays.optimal_d_figure(run_info(moons, Evaluator(moons)), None)
    assert "known modes" in none.layout.annotations[0].text
