import numpy as np
import pytest

from gan_core.engine import targets as T


@pytest.mark.parametrize("name", [n for n in T.TARGETS if n != "custom"])
def test_every_target_samples_points_and_labels(name):
    target = T.TARGETS[name]
    params = {k: p.default for k, p in target.params.items()}
    pts, labels = target.sample(2000, np.random.default_rng(0), **params)
    assert pts.shape == (2000, target.dim) and np.isfinite(pts).all()
    k = target.n_classes(**params)
    assert labels.shape == (2000,)
    assert set(np.unique(labels)) == set(range(k)), "every class appears"
    extent = target.extent(**params)
    inside = (np.abs(pts) <= extent).all(axis=1).mean()
    assert inside > 0.97, f"the view window holds the target ({inside:.3f})"
    again, _ = target.sample(2000, np.random.default_rng(0), **params)
    assert np.array_equal(pts, again), "same seed, same points"


def test_digits_are_sklearns_digits_scaled_to_minus_one_one():
    from sklearn.datasets import load_digits

    target = T.TARGETS["digits"]
    assert target.dim == 64 and target.image == (8, 8) and not target.planar
    x, y = target.fixed()
    raw = load_digits()
    assert x.shape == (1797, 64) and np.array_equal(y, raw.target)
    assert np.allclose(x, raw.data / 8 - 1) and x.min() == -1 and x.max() == 1
    assert all(T.TARGETS[n].planar for n in T.TARGETS if n != "digits")


def test_ring_and_grid_geometry_follow_the_papers():
    ring = T.TARGETS["ring"].modes(modes=8, radius=2.0, std=0.02)
    assert np.allclose(np.linalg.norm(ring.centres, axis=1), 2.0)
    grid = T.TARGETS["grid"].modes(side=5, spacing=2.0, std=0.05)
    assert sorted(set(grid.centres[:, 0])) == [-4, -2, 0, 2, 4]
    assert len(grid.centres) == 25 and grid.std == 0.05


@pytest.mark.parametrize(
    "points,labels,message",
    [
        (np.zeros((20, 3)), None, "exactly 2 columns"),
        (np.zeros(20), None, "exactly 2 columns"),
        (np.full((20, 2), np.inf), None, "NaN or infinity"),
        (np.zeros((5, 2)), None, "at least 10 points"),
        (np.zeros((100_001, 2)), None, "at most 100000 points"),
        (np.zeros((30, 2)), np.arange(30), "at most 20 classes"),
        (np.zeros((30, 2)), np.full(30, 0.5), "labels must be integers"),
        (np.zeros((30, 2)), np.zeros(29), "one per point"),
        ([["a", "b"]] * 20, None, "must be numbers"),
    ],
)
def test_custom_rejects_bad_data(points, labels, message):
    with pytest.raises(T.DataError, match=message):
        T.check_custom(points, labels)


def test_custom_relabels_to_consecutive_classes():
    pts = np.random.default_rng(0).normal(size=(30, 2))
    _, labels = T.check_custom(pts, np.repeat([3, 7, 11], 10))
    assert set(labels) == {0, 1, 2}
