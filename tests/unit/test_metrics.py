import numpy as np
import pytest

from gan_core.engine import metrics
from gan_core.engine.targets import TARGETS


@pytest.fixture
def ring():
    return TARGETS["ring"].modes(modes=8, radius=2.0, std=0.02)


def test_all_modes_covered_exactly(ring):
    points = np.repeat(ring.centres, 10, axis=0)
    m = metrics.mode_metrics(points, ring)
    assert m["modes"] == 8 and m["modes_total"] == 8
    assert m["hq"] == 1.0
    assert m["rkl"] == pytest.approx(0.0, abs=1e-12)
    assert m["effective_modes"] == pytest.approx(8.0)
    assert not m["collapsed"]
    assert m["mode_counts"] == [10] * 8


def test_collapse_onto_two_modes(ring):
    points = np.concatenate(
        [np.repeat(ring.centres[:1], 30, 0), np.repeat(ring.centres[1:2], 10, 0)]
    )
    m = metrics.mode_metrics(points, ring)
    assert m["modes"] == 2
    p = np.array([0.75, 0.25])
    entropy = -(p * np.log(p)).sum()
    assert m["rkl"] == pytest.approx(np.log(8) - entropy)
    assert m["effective_modes"] == pytest.approx(np.exp(entropy))
    assert m["collapsed"]


def test_high_quality_is_within_three_stds(ring):
    c = ring.centres[0]
    near = c + np.array([0.059, 0.0])  # 2.95 std
    far = c + np.array([0.061, 0.0])  # 3.05 std
    points = np.stack([near, far, np.zeros(2), np.zeros(2)])
    m = metrics.mode_metrics(points, ring)
    assert m["hq"] == 0.25
    assert m["modes"] == 1, "only high-quality points count towards modes covered"
    assert sum(m["mode_counts"]) == 4, "every point is assigned to its nearest mode"


def test_kl_js_zero_for_identical_and_finite_for_disjoint():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 2))
    same = metrics.kl_js(a, a, extent=3)
    assert same["kl"] == pytest.approx(0.0, abs=1e-12) and same["js"] == pytest.approx(
        0.0, abs=1e-12
    )
    far = metrics.kl_js(a, a * 0 + 2.5, extent=3)
    assert np.isfinite(far["kl"]) and far["kl"] > 1.0
    assert 0.4 < far["js"] <= np.log(2)


def test_points_outside_the_window_are_not_lost():
    h = metrics.histogram(np.array([[100.0, 100.0], [-100.0, 0.0]]), extent=1, bins=4, alpha=0)
    assert h.sum() == pytest.approx(1.0)
    assert h[-1, -1] == 0.5 and h[0, 2] == 0.5
