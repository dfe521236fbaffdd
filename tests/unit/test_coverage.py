"""Sample-based coverage metrics: PRDC by k-NN balls and per-class Mahalanobis modes."""

import re

import numpy as np
import pytest

from gan_core.engine import coverage
from gan_core.engine.coverage import ClassModes, class_mode_metrics, class_modes, prdc

# --- prdc: hand-computed cases ------------------------------------------------------------


def test_prdc_hand_computed_k1():
    # real on the x axis; k=1 radius = distance to the nearest other real point:
    #   r0 (0,0): 1   r1 (1,0): 1   r2 (2,0): 1   r3 (4,0): 2 (nearest is r2)
    real = np.array([[0, 0], [1, 0], [2, 0], [4, 0]], dtype=float)
    fake = np.array(
        [
            [0, 1],  # f0: 1 from r0 (= radius: inside, "<="), √2 from r1 > 1 → 1 ball
            [1.5, 0.5],  # f1: √0.5 from r1 and r2 (inside both), √2.5 from r0, √6.5 > 2 from r3
            [4, 3],  # f2: 3 from r3 > 2, √13 from r2 → in no ball
            [4, 5],  # f3: in no ball
            [4, -4],  # f4: 4 from r3 > 2 → in no ball
        ]
    )
    # precision: f0, f1 in some real ball → 2/5
    # density: memberships 1 + 2 = 3, / (k=1 · M=5) → 0.6
    # coverage: balls of r0, r1, r2 hold a fake point, r3's does not → 3/4
    # fake radii (k=1): f0↔f1 √2.5 ≈ 1.581 (each other's nearest), f2↔f3 2,
    #   f4: nearest is f1 at √(2.5² + 4.5²) = √26.5 ≈ 5.148
    # recall: r0 is 1 ≤ 1.581 from f0; r1, r2 are √0.5 ≤ 1.581 from f1;
    #   r3 is 4 ≤ 5.148 from f4 → 4/4
    m = prdc(real, fake, k=1)
    assert m == {
        "precision": pytest.approx(0.4),
        "recall": pytest.approx(1.0),
        "density": pytest.approx(0.6),
        "coverage": pytest.approx(0.75),
    }
    assert tuple(m) == coverage.PRDC_KEYS
    assert all(type(v) is float for v in m.values())


def test_prdc_hand_computed_k2_collapse_has_density_above_one():
    # real at x = 0, 1, 2, 3; k=2 radius = 2nd-nearest other point:
    #   r0: others at 1, 2, 3 → 2   r1: 1, 1, 2 → 1   r2: 1, 1, 2 → 1   r3: 1, 2, 3 → 2
    real = np.array([[0, 0], [1, 0], [2, 0], [3, 0]], dtype=float)
    # three fakes on one spot (1.5, 0): 1.5 ≤ 2 from r0 and r3, 0.5 ≤ 1 from r1 and r2
    fake = np.full((3, 2), [1.5, 0.0])
    # precision 3/3; coverage 4/4; density = 3 fakes × 4 balls / (k=2 · 3) = 2
    # fake radii are 0 (duplicates), no real point sits at (1.5, 0) → recall 0
    m = prdc(real, fake, k=2)
    assert m["precision"] == pytest.approx(1.0)
    assert m["recall"] == pytest.approx(0.0)
    assert m["density"] == pytest.approx(2.0)
    assert m["coverage"] == pytest.approx(1.0)


def test_prdc_inside_is_inclusive_and_order_of_arguments_matters():
    real = np.array([[0, 0], [2, 0], [4, 0]], dtype=float)  # k=1 radii: 2, 2, 2
    on_edge = np.array([[0, 2], [10, 0]], dtype=float)  # (0,2) exactly 2 from r0
    assert prdc(real, on_edge, k=1)["precision"] == pytest.approx(0.5)
    just_out = np.array([[0, 2.001], [10, 0]])
    assert prdc(real, just_out, k=1)["precision"] == 0.0
    # swapping real and fake swaps precision with recall
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(60, 2)), rng.normal(0.5, 1.0, size=(40, 2))
    ab, ba = prdc(a, b), prdc(b, a)
    assert ab["precision"] == pytest.approx(ba["recall"])
    assert ab["recall"] == pytest.approx(ba["precision"])


# --- prdc: statistical behaviour ---------------------------------------------------------


def ring_sample(rng, n, modes=8, radius=2.0, std=0.05, only=None):
    """n points from a ring of Gaussian modes (or from mode ``only`` alone)."""
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], 1)
    idx = rng.integers(0, modes, n) if only is None else np.full(n, only)
    return centres[idx] + std * rng.normal(size=(n, 2))


def test_prdc_same_distribution_scores_near_ideal():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    m = prdc(real, fake)
    assert m["precision"] > 0.8 and m["recall"] > 0.8
    assert 0.8 < m["density"] < 1.2
    assert m["coverage"] > 0.8


def test_prdc_same_set_is_perfect():
    real = np.random.default_rng(2).normal(size=(200, 3))
    m = prdc(real, real.copy())
    assert m["precision"] == 1.0 and m["recall"] == 1.0 and m["coverage"] == 1.0
    # each real ball holds its centre and its k nearest neighbours: N(k+1) memberships
    assert m["density"] == pytest.approx((coverage.PRDC_K + 1) / coverage.PRDC_K)


@pytest.mark.parametrize("dim", [2, 64])
def test_prdc_own_kth_neighbour_is_on_the_edge_hence_inside(dim):
    # The fast distance route rounds; without the exact recheck a ball's k-th neighbour
    # falls outside it about half the time (2-D density 1.116 here, not 1.2).
    real = np.random.default_rng(10).normal(3.0, 1.0, size=(400, dim))
    m = prdc(real, real.copy())
    assert m["density"] == pytest.approx(1.2)


def test_prdc_ignores_translation_and_grid_ties(monkeypatch):
    # integer grid: many exact ties at every radius
    grid = np.stack(np.meshgrid(np.arange(12.0), np.arange(12.0)), -1).reshape(-1, 2)
    fake = grid[::3] + np.array([0.0, 1.0])
    m = prdc(grid, fake)
    assert prdc(grid + 1e6, fake + 1e6) == m
    monkeypatch.setattr(coverage, "_BLOCK_ENTRIES", 5 * 144)  # small blocks and rechecks
    assert prdc(grid, fake) == m


def test_prdc_mode_collapse_loses_coverage_and_recall_not_precision():
    rng = np.random.default_rng(3)
    real = ring_sample(rng, 2000)
    full = prdc(real, ring_sample(rng, 2000))
    collapsed = prdc(real, ring_sample(rng, 2000, only=0))
    assert full["coverage"] > 0.8 and full["recall"] > 0.8
    assert collapsed["precision"] > 0.9
    assert collapsed["coverage"] < 0.2  # about 1/8 of the real balls
    assert collapsed["recall"] < 0.2


def test_prdc_far_fake_scores_zero():
    rng = np.random.default_rng(4)
    m = prdc(rng.normal(size=(100, 2)), rng.normal(50.0, 1.0, size=(100, 2)))
    assert m == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_prdc_in_64_dimensions():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(300, 64))
    m = prdc(real, rng.normal(size=(250, 64)))
    assert set(m) == set(coverage.PRDC_KEYS)
    for key in ("precision", "recall", "coverage"):
        assert 0.0 <= m[key] <= 1.0
    assert m["precision"] > 0.5 and m["coverage"] > 0.5
    shifted = prdc(real, rng.normal(3.0, 1.0, size=(250, 64)))
    assert shifted["precision"] < m["precision"] and shifted["coverage"] < m["coverage"]


def brute_prdc(real, fake, k):
    """The papers' definitions on full distance matrices: a slow oracle for small sets."""

    def dist(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))

    real_r = np.sort(dist(real, real), 1)[:, k]  # column 0 is the point itself
    fake_r = np.sort(dist(fake, fake), 1)[:, k]
    d = dist(fake, real)  # (fake, real)
    inside = d <= real_r[None, :]
    return {
        "precision": inside.any(1).mean(),
        "recall": (d <= fake_r[:, None]).any(0).mean(),
        "density": inside.sum() / (k * len(fake)),
        "coverage": inside.any(0).mean(),
    }


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("dim", [1, 2, 9, 64])
@pytest.mark.parametrize("ties", [False, True])
def test_prdc_matches_the_definitions(k, dim, ties):
    rng = np.random.default_rng(100 * k + dim)
    real = rng.normal(size=(70, dim))
    fake = rng.normal(0.3, 1.2, size=(55, dim))
    if ties:  # small integers: many points exactly on some ball's edge
        real, fake = np.round(2 * real), np.round(2 * fake)
    expected = brute_prdc(real, fake, k)
    assert prdc(real, fake, k=k) == pytest.approx(expected, abs=1e-12)


def test_prdc_blocks_give_the_same_answer(monkeypatch):
    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(300, 2)), rng.normal(size=(301, 2))
    whole = prdc(real, fake)
    monkeypatch.setattr(coverage, "_BLOCK_ENTRIES", 7 * 300)  # blocks of 7 fake rows
    assert prdc(real, fake) == whole


@pytest.mark.parametrize(
    ("real", "fake", "k", "message"),
    [
        (np.zeros((10, 2)), np.zeros((10, 3)), 5, "same number of columns"),
        (np.zeros(10), np.zeros((10, 1)), 5, "real must be a 2-D array"),
        (np.zeros((10, 2)), np.zeros((10, 2, 1)), 5, "fake must be a 2-D array"),
        (np.zeros((10, 0)), np.zeros((10, 0)), 5, "2-D array"),
        (np.full((10, 2), np.nan), np.zeros((10, 2)), 5, "real contains NaN"),
        (np.zeros((10, 2)), np.array([[np.inf, 0]] * 10), 5, "fake contains NaN or infinite"),
        (np.zeros((5, 2)), np.zeros((10, 2)), 5, "real needs at least k+1 = 6 points, got 5"),
        (np.zeros((10, 2)), np.zeros((2, 2)), 2, "fake needs at least k+1 = 3 points, got 2"),
        (np.zeros((10, 2)), np.zeros((10, 2)), 0, "k must be a positive integer"),
        (np.zeros((10, 2)), np.zeros((10, 2)), 2.5, "k must be a positive integer"),
    ],
)
def test_prdc_rejects_bad_input(real, fake, k, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        prdc(real, fake, k=k)


# --- class modes ---------------------------------------------------------------------------

MEANS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])


@pytest.fixture
def blobs():
    rng = np.random.default_rng(7)
    points = np.concatenate([m + rng.normal(size=(300, 2)) for m in MEANS])
    return points, np.repeat([0, 1, 2], 300)


def test_class_modes_estimates_each_blob(blobs):
    modes = class_modes(*blobs)
    assert modes.means.shape == (3, 2) and modes.inv_covs.shape == (3, 2, 2)
    np.testing.assert_allclose(modes.means, MEANS, atol=0.35)  # 6 standard errors
    np.testing.assert_allclose(modes.inv_covs, np.broadcast_to(np.eye(2), (3, 2, 2)), atol=0.35)
    np.testing.assert_allclose(modes.weights, [1 / 3] * 3)


def test_fake_from_two_of_three_blobs(blobs):
    modes = class_modes(*blobs)
    rng = np.random.default_rng(8)
    fake = np.concatenate(
        [MEANS[0] + rng.normal(size=(200, 2)), MEANS[1] + rng.normal(size=(200, 2))]
    )
    m = class_mode_metrics(fake, modes)
    assert m["modes"] == 2 and m["modes_total"] == 3
    assert m["mode_counts"] == [200, 200, 0]
    assert m["effective_modes"] == pytest.approx(2.0)
    assert m["rkl"] == pytest.approx(np.log(1.5))  # 2 × ½ ln(½ / ⅓)
    assert not m["collapsed"]  # 2 > 3/2
    # in 2-D, P(r > 3σ) = e^-4.5 ≈ 1 %
    assert m["hq"] > 0.95
    assert sum(m["hq_counts"]) == round(m["hq"] * 400) and m["hq_counts"][2] == 0


def test_collapse_onto_one_blob_is_flagged(blobs):
    modes = class_modes(*blobs)
    fake = MEANS[2] + np.random.default_rng(9).normal(size=(100, 2))
    m = class_mode_metrics(fake, modes)
    assert m["modes"] == 1 and m["mode_counts"] == [0, 0, 100]
    assert m["effective_modes"] == pytest.approx(1.0)
    assert m["rkl"] == pytest.approx(np.log(3))
    assert m["collapsed"]


def test_isotropic_class_modes_agree_with_mode_metrics():
    # same keys and numbers as metrics.mode_metrics when every class is N(centre, std² I)
    from gan_core.engine.metrics import mode_metrics
    from gan_core.engine.targets import Modes

    std, weights = 0.5, np.array([0.5, 0.3, 0.2])
    ring = Modes(centres=MEANS, std=std, weights=weights)
    iso = ClassModes(means=MEANS, inv_covs=np.stack([np.eye(2) / std**2] * 3), weights=weights)
    rng = np.random.default_rng(11)
    fake = np.concatenate([MEANS[0] + rng.normal(0, 0.8, (70, 2)), rng.uniform(-3, 13, (30, 2))])
    assert class_mode_metrics(fake, iso) == mode_metrics(fake, ring)


def test_empty_fake_gives_zero_quality():
    m = class_mode_metrics(
        np.zeros((0, 2)), ClassModes(MEANS, np.stack([np.eye(2)] * 3), np.ones(3) / 3)
    )
    assert m["hq"] == 0.0 and m["modes"] == 0 and m["mode_counts"] == [0, 0, 0]


def test_far_point_is_not_high_quality(blobs):
    modes = class_modes(*blobs)
    m = class_mode_metrics(np.array([[100.0, 100.0], [10.0, 0.0]]), modes)
    assert m["hq"] == pytest.approx(0.5)
    assert m["modes"] == 1 and m["hq_counts"] == [0, 1, 0]
    assert sum(m["mode_counts"]) == 2  # the far point still counts towards a class


def test_hand_computed_mahalanobis_diagonal():
    # std 2 on x, 0.5 on y: (5, 0) is 5/2 = 2.5 σ, (0, 2) is 2/0.5 = 4 σ
    modes = ClassModes(
        means=np.zeros((1, 2)),
        inv_covs=np.diag([1 / 4, 4.0])[None],
        weights=np.ones(1),
    )
    pts = np.array([[5.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(coverage.mahalanobis(pts, modes), [[2.5], [4.0]])
    m = class_mode_metrics(pts, modes)
    assert m["hq"] == pytest.approx(0.5) and m["hq_counts"] == [1]
    assert class_mode_metrics(pts[:1], modes, hq_stds=2.4)["hq"] == 0.0
    assert class_mode_metrics(pts, modes, hq_stds=4.0)["hq"] == 1.0


def test_class_modes_from_data_with_diagonal_covariance():
    # (±a, 0), (0, ±b) have mean 0 and np.cov (ddof 1) diag(2a²/3, 2b²/3) = diag(4, 0.25)
    a, b = np.sqrt(6.0), np.sqrt(3 / 8)
    points = np.array([[a, 0], [-a, 0], [0, b], [0, -b]])
    modes = class_modes(points, np.zeros(4, dtype=int))
    d = coverage.mahalanobis(np.array([[5.0, 0.0], [0.0, 2.0]]), modes)
    np.testing.assert_allclose(d[:, 0], [2.5, 4.0], rtol=1e-5)  # the ridge moves it by ~1e-6


def test_labels_need_not_be_integers_and_weights_are_class_shares():
    points = np.array([[0, 0], [0, 1], [1, 0], [9, 9], [9, 10]], dtype=float)
    modes = class_modes(points, np.array(["b", "b", "b", "a", "a"]))
    np.testing.assert_allclose(modes.weights, [0.4, 0.6])  # sorted: "a" first
    np.testing.assert_allclose(modes.means, [[9, 9.5], [1 / 3, 1 / 3]])


def test_degenerate_and_single_point_classes_stay_invertible():
    points = np.array([[0, 0], [1, 0], [2, 0], [10, 10]], dtype=float)  # flat class + 1 point
    modes = class_modes(points, np.array([0, 0, 0, 1]))
    assert np.isfinite(modes.inv_covs).all()
    m = class_mode_metrics(np.array([[1.0, 0.0], [1.0, 1.0], [10.0, 10.0]]), modes)
    # on the flat class's line: hq; off it by 1: far in Mahalanobis terms; on the lone point: hq
    assert m["hq_counts"] == [1, 1]
    assert m["mode_counts"] == [2, 1]


def test_class_modes_rejects_bad_input(blobs):
    points, labels = blobs
    with pytest.raises(ValueError, match="one label per point"):
        class_modes(points, labels[:-1])
    with pytest.raises(ValueError, match="NaN"):
        class_modes(np.full((3, 2), np.nan), np.zeros(3))
    with pytest.raises(ValueError, match="3 columns but the modes have 2"):
        class_mode_metrics(np.zeros((4, 3)), class_modes(points, labels))
